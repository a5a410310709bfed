#include "storage/store_impl.hpp"

#include <rocksdb/utilities/backup_engine.h>
#include <rocksdb/utilities/checkpoint.h>

#include <algorithm>

namespace itpm::storage {

using store_detail::counter_key;
using store_detail::decode_be;
using store_detail::decode_i64;
using store_detail::encode_i64;
using store_detail::encode_u32;
using store_detail::schema_key;
using store_detail::sequence_key;

const std::vector<Family>& all_families() {
  static const std::vector<Family> families = [] {
    std::vector<Family> out;
    for (std::size_t f = 0; f < family_count; ++f) out.push_back(static_cast<Family>(f));
    return out;
  }();
  return families;
}

std::string_view family_name(Family family) {
  static constexpr std::array<std::string_view, family_count> names = {
      "meta",
      "programs",
      "risks",
      "decisions",
      "reviews",
      "milestones",
      "status_updates",
      "audit",
      "outbox",
      "schedule",
      "dedupe",
      "risks_by_program",
      "decisions_by_program",
      "decisions_by_date",
      "decisions_by_tag",
      "decision_terms",
      "dependencies",
      "actions",
      "allocations",
      "surveys",
      "votes",
      "quarantine",
      "risk_events",
      "milestone_events",
      "open_actions_by_due",
      "risks_by_score",
      "open_milestones_by_due",
      "work_by_day",
      "escalation_events",
      "risks_on_ladder",
      "program_health",
      "open_programs",
      "decision_postings",
      "open_work_by_owner",
      "decisions_by_person",
      "open_dependencies",
      "holidays",
      "absences",
      "availability",
      "report_schedules",
  };
  return names.at(static_cast<std::size_t>(family));
}

void Batch::put(Family family, std::string_view key, std::string_view value) {
  ops_.push_back(Op{family, Kind::put, std::string(key), std::string(value)});
}

void Batch::remove(Family family, std::string_view key) {
  ops_.push_back(Op{family, Kind::remove, std::string(key), {}});
}

void Batch::merge(Family family, std::string_view key, std::string_view operand) {
  ops_.push_back(Op{family, Kind::merge, std::string(key), std::string(operand)});
}

void Batch::expect(Family family, std::string_view key, std::optional<std::string> value,
                   std::string item) {
  expectations_.push_back(Expectation{family, std::string(key), std::move(value), std::move(item)});
}

void Batch::append(Batch&& other) {
  for (auto& op : other.ops_) ops_.push_back(std::move(op));
  for (auto& e : other.expectations_) expectations_.push_back(std::move(e));
  for (auto& name : other.sequences_) sequences_.push_back(std::move(name));
  other.ops_.clear();
  other.expectations_.clear();
  other.sequences_.clear();
}

void Batch::add_to_counter(std::string_view name, std::int64_t delta) {
  ops_.push_back(Op{Family::meta, Kind::merge, counter_key(name), encode_i64(delta)});
}

void Batch::set_counter(std::string_view name, std::int64_t value) {
  ops_.push_back(Op{Family::meta, Kind::put, counter_key(name), encode_i64(value)});
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

const std::filesystem::path& Store::dir() const {
  return impl_->dir;
}

Store::~Store() = default;

namespace {

thread_local const Store::ReadView* current_view = nullptr;
thread_local Store::ReadBudget* current_budget = nullptr;

}  // namespace

void Store::spend_row() {
  if (current_budget == nullptr) return;
  if (current_budget->left_ == 0) throw OverBudget{};
  --current_budget->left_;
}

Store::ReadBudget::ReadBudget(std::uint64_t rows) : left_(rows) {
  current_budget = this;
}

Store::ReadBudget::~ReadBudget() {
  current_budget = nullptr;
}

Store::ReadView::ReadView(const Store& store) : store_(store), versions_{}, outer_(current_view) {
  for (std::size_t f = 0; f < family_count; ++f)
    versions_[f] = store.current_version(static_cast<Family>(f));
  snapshot_ = store.impl_->db->GetSnapshot();
  current_view = this;
}

Store::ReadView::~ReadView() {
  current_view = outer_;
  store_.impl_->db->ReleaseSnapshot(snapshot_);
}

bool Store::ReadView::active() {
  return current_view != nullptr;
}

rocksdb::ReadOptions Store::read_options() const {
  rocksdb::ReadOptions ro;
  if (current_view != nullptr && &current_view->store_ == this)
    ro.snapshot = current_view->snapshot_;
  return ro;
}

std::optional<std::string> Store::get(Family family, std::string_view key) const {
  spend_row();
  std::string value;
  rocksdb::Status s = impl_->db->Get(read_options(), impl_->handle(family),
                                     rocksdb::Slice(key.data(), key.size()), &value);
  if (s.ok()) return value;
  return std::nullopt;
}

void Store::scan(Family family, std::string_view prefix,
                 const std::function<bool(std::string_view, std::string_view)>& visit,
                 bool reverse) const {
  std::string upper = prefix_successor(prefix);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro = read_options();
  if (!upper.empty()) ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->handle(family)));
  rocksdb::Slice start(prefix.data(), prefix.size());
  if (reverse) {
    if (upper.empty()) {
      it->SeekToLast();
    } else {
      it->SeekForPrev(upper_slice);
      if (it->Valid() && it->key() == upper_slice) it->Prev();
    }
  } else {
    it->Seek(start);
  }
  for (; it->Valid() && it->key().starts_with(start); reverse ? it->Prev() : it->Next()) {
    spend_row();
    if (!visit(std::string_view(it->key().data(), it->key().size()),
               std::string_view(it->value().data(), it->value().size()))) {
      return;
    }
  }
}

void Store::scan_range(Family family, std::string_view from, std::string_view to,
                       const std::function<bool(std::string_view, std::string_view)>& visit) const {
  rocksdb::Slice upper(to.data(), to.size());
  rocksdb::ReadOptions ro = read_options();
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->handle(family)));
  for (it->Seek(rocksdb::Slice(from.data(), from.size())); it->Valid(); it->Next()) {
    spend_row();
    if (!visit(std::string_view(it->key().data(), it->key().size()),
               std::string_view(it->value().data(), it->value().size()))) {
      return;
    }
  }
}

std::int64_t Store::counter(std::string_view name) const {
  auto v = get(Family::meta, counter_key(name));
  return v ? decode_i64(*v) : 0;
}

void Store::compact(Family family) {
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  rocksdb::Status s = impl_->db->CompactRange(options, impl_->handle(family), nullptr, nullptr);
  if (!s.ok())
    throw StoreError("cannot compact " + std::string(family_name(family)) + ": " + s.ToString());
}

std::uint64_t Store::estimate_keys(Family family) const {
  std::uint64_t n = 0;
  impl_->db->GetIntProperty(impl_->handle(family), "rocksdb.estimate-num-keys", &n);
  return n;
}

std::uint64_t Store::next_sequence(std::string_view name, Batch& batch) {
  std::lock_guard lock(impl_->sequence_mutex);
  auto it = impl_->sequences.find(name);
  if (it == impl_->sequences.end()) {
    auto stored = get(Family::meta, sequence_key(name));
    it = impl_->sequences.emplace(std::string(name), stored ? decode_be(*stored) : 0).first;
  }
  batch.sequences_.emplace_back(name);
  return ++it->second;
}

CommitResult Store::commit(Batch batch) {
  CommitResult result;
  {
    std::lock_guard lock(impl_->write_mutex);
    if (auto error = impl_->resume_if_failed(true); !error.empty())
      return CommitResult::failed(error);
    if (auto refused = impl_->check(batch, Impl::Pending())) return *refused;
    rocksdb::WriteBatch wb;
    impl_->append(wb, batch);
    result = impl_->write(wb, 1);
  }
  if (result) impl_->bump_versions(batch);
  return result;
}

std::string Store::write_error() const {
  return impl_->current_write_error();
}

void Store::watch_writes(std::function<void(const std::string& error)> changed) {
  std::lock_guard lock(impl_->error_mutex);
  impl_->on_write_state = std::move(changed);
}

std::uint64_t Store::version(Family family) const {
  if (current_view != nullptr && &current_view->store_ == this)
    return current_view->versions_[static_cast<std::size_t>(family)];
  return current_version(family);
}

std::uint64_t Store::current_version(Family family) const {
  return impl_->versions[static_cast<std::size_t>(family)].load(std::memory_order_acquire);
}

void Store::commit_async(Batch batch, std::function<void(CommitResult)> done) {
  if (!impl_->committer.joinable()) {
    if (done) done(CommitResult::failed("the database is open read-only"));
    return;
  }
  {
    std::lock_guard lock(impl_->queue_mutex);
    impl_->queue.emplace_back(std::move(batch), std::move(done));
  }
  impl_->queue_changed.notify_one();
}

void Store::checkpoint(const std::filesystem::path& dir) const {
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(impl_->db, &raw);
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  if (s.ok()) s = checkpoint->CreateCheckpoint(dir.string());
  if (!s.ok())
    throw StoreError("cannot write a checkpoint to " + dir.string() + ": " + s.ToString());
}

namespace {

Store::BackupInfo info_of(const rocksdb::BackupInfo& b) {
  return Store::BackupInfo{b.backup_id, b.timestamp, b.size};
}

std::unique_ptr<rocksdb::BackupEngine> open_backup_engine(const std::filesystem::path& backup_dir) {
  std::error_code ec;
  if (!std::filesystem::exists(backup_dir, ec)) {
    // A backup folder made here is private (0700), like the data directory.
    std::filesystem::create_directories(backup_dir, ec);
    std::filesystem::permissions(backup_dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
  }
  rocksdb::BackupEngine* raw = nullptr;
  rocksdb::Status s = rocksdb::BackupEngine::Open(
      rocksdb::Env::Default(), rocksdb::BackupEngineOptions(backup_dir.string()), &raw);
  if (!s.ok())
    throw StoreError("cannot open backup folder " + backup_dir.string() + ": " + s.ToString());
  return std::unique_ptr<rocksdb::BackupEngine>(raw);
}

}  // namespace

Store::BackupInfo Store::backup(const std::filesystem::path& backup_dir, int keep) const {
  auto engine = open_backup_engine(backup_dir);
  rocksdb::CreateBackupOptions create;
  create.flush_before_backup = impl_->committer.joinable();  // a follower cannot flush
  rocksdb::BackupID id = 0;
  rocksdb::Status s = engine->CreateNewBackup(create, impl_->db, &id);
  if (s.ok()) s = engine->VerifyBackup(id, true);
  if (s.ok() && keep > 0) s = engine->PurgeOldBackups(static_cast<std::uint32_t>(keep));
  if (!s.ok()) throw StoreError("backup to " + backup_dir.string() + " failed: " + s.ToString());
  std::vector<rocksdb::BackupInfo> infos;
  engine->GetBackupInfo(&infos);
  for (const auto& b : infos) {
    if (b.backup_id == id) return info_of(b);
  }
  return BackupInfo{id, 0, 0};
}

void Store::delete_backup(const std::filesystem::path& backup_dir, std::uint32_t id) {
  auto engine = open_backup_engine(backup_dir);
  rocksdb::Status s = engine->DeleteBackup(id);
  if (!s.ok()) throw StoreError("cannot delete backup " + std::to_string(id) + ": " + s.ToString());
}

std::uint64_t Store::latest_sequence() const {
  return impl_->db->GetLatestSequenceNumber();
}

Store::BackupInfo Store::restore_latest(const std::filesystem::path& backup_dir,
                                        const std::filesystem::path& data_dir) {
  auto engine = open_backup_engine(backup_dir);
  std::vector<rocksdb::BackupInfo> infos;
  engine->GetBackupInfo(&infos);
  if (infos.empty()) throw StoreError("no backup in " + backup_dir.string());
  rocksdb::Status s = engine->RestoreDBFromLatestBackup(data_dir.string(), data_dir.string());
  if (!s.ok()) throw StoreError("restore into " + data_dir.string() + " failed: " + s.ToString());
  return info_of(infos.back());
}

CommitStats Store::stats() const {
  std::lock_guard lock(impl_->stats_mutex);
  return impl_->stats;
}

void Store::set_schema_version(Batch& batch, std::uint32_t version) {
  batch.put(Family::meta, schema_key, encode_u32(version));
}

std::uint32_t Store::stored_schema_version() const {
  auto v = get(Family::meta, schema_key);
  return v ? static_cast<std::uint32_t>(decode_be(*v)) : 0;
}

}  // namespace itpm::storage
