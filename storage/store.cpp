#include "storage/store.hpp"

#include "storage/key_codec.hpp"
#include "storage/posting_list.hpp"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/file_system.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/backup_engine.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/utilities/options_util.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace itpm::storage {
namespace {

constexpr std::string_view schema_key = "schema_version";

std::string encode_u32(std::uint32_t v) {
  std::string out(4, '\0');
  for (int i = 3; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>(v & 0xffU);
    v >>= 8U;
  }
  return out;
}

std::uint64_t decode_be(std::string_view s) {
  std::uint64_t v = 0;
  for (char c : s) v = (v << 8U) | static_cast<unsigned char>(c);
  return v;
}

std::string sequence_key(std::string_view name) {
  return KeyBuilder().str("seq").str(name).done();
}
std::string counter_key(std::string_view name) {
  return KeyBuilder().str("ctr").str(name).done();
}

std::string encode_i64(std::int64_t v) {
  return KeyBuilder().u64(static_cast<std::uint64_t>(v)).done();
}
std::int64_t decode_i64(std::string_view s) {
  return static_cast<std::int64_t>(decode_be(s));
}

// Counters in the meta family are 8-byte big-endian integers that merges add to.
class AddOperator final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger*) const override {
    std::int64_t base =
        existing != nullptr ? decode_i64(std::string_view(existing->data(), existing->size())) : 0;
    *new_value = encode_i64(base + decode_i64(std::string_view(value.data(), value.size())));
    return true;
  }
  const char* Name() const override { return "itpm.add_i64"; }
};

// The store resumes RocksDB itself, once there is free space (Impl::resume_if_failed):
// RocksDB's own recovery from a full disk, tried while the disk is still full, can leave it
// refusing writes until reopened (and manual resumes "busy").
class ManualRecovery final : public rocksdb::EventListener {
 public:
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                            bool* auto_recovery) override {
    *auto_recovery = false;
  }
};

}  // namespace

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

struct Store::Impl {
  rocksdb::DB* db = nullptr;
  rocksdb::ColumnFamilyHandle* default_handle = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // indexed by Family
  Options options;

  std::mutex sequence_mutex;
  std::map<std::string, std::uint64_t, std::less<>> sequences;  // last number handed out

  std::mutex queue_mutex;
  std::condition_variable queue_changed;
  std::deque<std::pair<Batch, std::function<void(CommitResult)>>> queue;
  bool stopping = false;
  std::thread committer;

  std::mutex stats_mutex;
  CommitStats stats;

  // Held from checking a batch's expectations until it is written, so that no other write
  // comes between (the group committer and Store::commit).
  std::mutex write_mutex;

  // Why writes fail (empty while they work); guarded by write_mutex, read under error_mutex.
  mutable std::mutex error_mutex;
  std::string write_error;
  std::function<void(const std::string&)> on_write_state;
  std::chrono::steady_clock::time_point last_resume;
  std::shared_ptr<rocksdb::FileSystem> fs;  // for the free space
  std::filesystem::path dir;                // the database's folder
  static constexpr std::uint64_t min_free_bytes = 1U << 20U;

  void set_write_error(std::string error) {
    std::function<void(const std::string&)> notify;
    {
      std::lock_guard lock(error_mutex);
      if (write_error == error) return;
      write_error = error;
      notify = on_write_state;
    }
    if (notify) notify(error);
  }

  [[nodiscard]] std::string current_write_error() const {
    std::lock_guard lock(error_mutex);
    return write_error;
  }

  // With write_mutex held: once writes failed, asks RocksDB to resume (at most once a second
  // unless `now`); returns the error that still stands, empty when writes work again.
  std::string resume_if_failed(bool now) {
    std::string error = current_write_error();
    if (error.empty()) return error;
    auto t = std::chrono::steady_clock::now();
    if (!now && t - last_resume < std::chrono::seconds(1)) return error;
    last_resume = t;
    // While the disk is still full a resume fails, and a failed one leaves RocksDB refusing
    // writes until it is reopened: wait for free space first (as RocksDB's own recovery does).
    std::uint64_t free = 0;
    auto space = fs->GetFreeSpace(dir.string(), rocksdb::IOOptions(), &free, nullptr);
    if (space.ok() && free < min_free_bytes) return error;
    rocksdb::Status s = db->Resume();
    if (!s.ok()) return error;
    set_write_error({});
    return {};
  }

  // Bumped after each write that touched the family (see Store::version).
  std::array<std::atomic<std::uint64_t>, family_count> versions{};

  void bump_versions(const Batch& batch) {
    std::array<bool, family_count> touched{};
    for (const auto& op : batch.ops_) touched[static_cast<std::size_t>(op.family)] = true;
    for (std::size_t f = 0; f < family_count; ++f) {
      if (touched[f]) versions[f].fetch_add(1, std::memory_order_release);
    }
  }

  ~Impl() {
    if (committer.joinable()) {
      {
        std::lock_guard lock(queue_mutex);
        stopping = true;
      }
      queue_changed.notify_all();
      committer.join();
    }
    if (db == nullptr) return;
    if (committer.joinable() || stopping) {
      // Flushed memtables make the next start-up fast: nothing to replay from the WAL.
      (void)db->Flush(rocksdb::FlushOptions(), handles);
    }
    for (auto* h : handles) (void)db->DestroyColumnFamilyHandle(h);
    (void)db->DestroyColumnFamilyHandle(default_handle);
    (void)db->Close();
    delete db;
  }

  rocksdb::ColumnFamilyHandle* handle(Family f) const {
    return handles.at(static_cast<std::size_t>(f));
  }

  // Adds `batch` to `wb`, followed by the current value of every sequence it drew from: the
  // in-memory value is at least every number handed out, so once this write is durable no
  // durable record can carry a number the sequence would hand out again.
  void append(rocksdb::WriteBatch& wb, const Batch& batch) {
    for (const auto& op : batch.ops_) {
      switch (op.kind) {
        case Batch::Kind::put:
          wb.Put(handle(op.family), op.key, op.value);
          break;
        case Batch::Kind::remove:
          wb.Delete(handle(op.family), op.key);
          break;
        case Batch::Kind::merge:
          wb.Merge(handle(op.family), op.key, op.value);
          break;
      }
    }
    if (batch.sequences_.empty()) return;
    std::lock_guard lock(sequence_mutex);
    for (const auto& name : batch.sequences_) {
      wb.Put(handle(Family::meta), sequence_key(name),
             KeyBuilder().u64(sequences.find(name)->second).done());
    }
  }

  // What the batches accepted so far in one group wrote to the keys that batches of the group
  // expect: what the next batch's expectations are checked against before the database. Views
  // into the group's batches, which outlive it; only expected keys are kept, so a group costs
  // one lookup per write and no copies.
  class Pending {
   public:
    explicit Pending(const std::deque<std::pair<Batch, std::function<void(CommitResult)>>>& group) {
      for (const auto& entry : group) {
        for (const auto& e : entry.first.expectations_)
          written_[static_cast<std::size_t>(e.family)].try_emplace(e.key, unwritten);
      }
    }
    Pending() = default;

    void note(const Batch& batch) {
      for (const auto& op : batch.ops_) {
        auto& family = written_[static_cast<std::size_t>(op.family)];
        if (family.empty()) continue;
        auto it = family.find(op.key);
        if (it == family.end()) continue;
        it->second = op.kind == Batch::Kind::put      ? &op.value
                     : op.kind == Batch::Kind::remove ? removed
                                                      : merged;
      }
    }

    enum class Written { no, value, merged };
    // Whether a batch of the group wrote the key; for a put or removal, `value` is what it
    // holds now (nullptr: nothing).
    Written find(Family family, std::string_view key, const std::string*& value) const {
      const auto& f = written_[static_cast<std::size_t>(family)];
      auto it = f.find(key);
      if (it == f.end() || it->second == unwritten) return Written::no;
      if (it->second == merged) return Written::merged;
      value = it->second == removed ? nullptr : it->second;
      return Written::value;
    }

   private:
    static inline const std::string unwritten_marker{}, removed_marker{}, merged_marker{};
    static constexpr const std::string* unwritten = &unwritten_marker;
    static constexpr const std::string* removed = &removed_marker;
    static constexpr const std::string* merged = &merged_marker;
    std::array<std::unordered_map<std::string_view, const std::string*>, family_count> written_;
  };

  // nullopt when every expectation of `batch` holds; otherwise the refusal.
  std::optional<CommitResult> check(const Batch& batch, const Pending& pending) const {
    auto holds = [](const Batch::Expectation& e, const std::string* current) {
      return current == nullptr ? !e.value.has_value() : e.value == *current;
    };
    for (const auto& e : batch.expectations_) {
      const std::string* written = nullptr;
      switch (pending.find(e.family, e.key, written)) {
        case Pending::Written::merged:  // a merged value is one no read saw
          return CommitResult::changed(e.item);
        case Pending::Written::value:
          if (!holds(e, written)) return CommitResult::changed(e.item);
          continue;
        case Pending::Written::no:
          break;
      }
      std::string stored;
      rocksdb::Status s = db->Get(rocksdb::ReadOptions{}, handle(e.family), e.key, &stored);
      if (!s.ok() && !s.IsNotFound()) return CommitResult::failed(s.ToString());
      if (!holds(e, s.ok() ? &stored : nullptr)) return CommitResult::changed(e.item);
    }
    return std::nullopt;
  }

  CommitResult write(rocksdb::WriteBatch& wb, std::uint64_t batch_count) {
    rocksdb::WriteOptions wo;
    wo.sync = options.sync;
    rocksdb::Status s = db->Write(wo, &wb);
    {
      std::lock_guard lock(stats_mutex);
      if (s.ok()) {
        stats.batches += batch_count;
        ++stats.synced_writes;
      }
    }
    if (s.ok()) return {};
    set_write_error(s.ToString());
    return CommitResult::failed(s.ToString());
  }

  void run_committer() {
    for (;;) {
      std::deque<std::pair<Batch, std::function<void(CommitResult)>>> taken;
      {
        std::unique_lock lock(queue_mutex);
        auto woken = [&] { return stopping || !queue.empty(); };
        if (current_write_error().empty()) {
          queue_changed.wait(lock, woken);
        } else {
          // Writes are failing: wake every second to try resuming, work or not.
          queue_changed.wait_for(lock, std::chrono::seconds(1), woken);
        }
        if (queue.empty()) {
          if (stopping) return;
          lock.unlock();
          std::lock_guard write_lock(write_mutex);
          (void)resume_if_failed(false);
          continue;
        }
        taken.swap(queue);
      }
      bool conditional = false;
      for (const auto& entry : taken) conditional |= !entry.first.expectations_.empty();
      std::vector<std::optional<CommitResult>> refused(taken.size());
      CommitResult result;
      {
        std::lock_guard lock(write_mutex);
        if (auto error = resume_if_failed(false); !error.empty()) {
          // RocksDB refuses every write until it resumes: answer at once.
          for (auto& entry : taken) {
            if (entry.second) entry.second(CommitResult::failed(error));
          }
          continue;
        }
        rocksdb::WriteBatch wb;
        Pending pending(taken);
        std::uint64_t accepted = 0;
        for (std::size_t i = 0; i < taken.size(); ++i) {
          const Batch& batch = taken[i].first;
          if (conditional) {
            refused[i] = check(batch, pending);
            if (refused[i]) continue;
            pending.note(batch);
          }
          append(wb, batch);
          ++accepted;
        }
        if (accepted > 0) result = write(wb, accepted);
      }
      for (std::size_t i = 0; i < taken.size(); ++i) {
        auto& [batch, done] = taken[i];
        CommitResult mine = refused[i] ? *refused[i] : result;
        if (mine) bump_versions(batch);
        if (done) done(mine);
      }
    }
  }
};

namespace {

// Refuses, before RocksDB touches it, a folder that holds something other than an itpm-bot
// database: other files, or another program's RocksDB (which opening would add our column
// families to).
void refuse_foreign(const std::filesystem::path& dir, const rocksdb::DBOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(dir / "CURRENT", ec)) {
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      std::string name = entry.path().filename().string();
      if (name == "lost+found") continue;  // the root of a fresh file system
      throw StoreError(dir.string() + " is not an itpm-bot data directory: it holds other files (" +
                       name + "); give an empty folder or a new path");
    }
    return;
  }
  // The column families, from RocksDB's OPTIONS file (readable even when the MANIFEST is
  // damaged, which opening then reports), else from the MANIFEST.
  std::vector<std::string> names;
  rocksdb::ConfigOptions config;
  config.ignore_unknown_options = true;
  config.env = options.env;
  rocksdb::DBOptions stored;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  rocksdb::Status s = rocksdb::LoadLatestOptions(config, dir.string(), &stored, &families);
  if (s.ok()) {
    for (const auto& f : families) names.push_back(f.name);
  } else {
    s = rocksdb::DB::ListColumnFamilies(options, dir.string(), &names);
  }
  if (!s.ok()) {
    throw StoreError("the database in " + dir.string() + " is damaged (" + s.ToString() +
                     "); restore the newest backup into a new folder with `itpm-bot restore`");
  }
  if (std::find(names.begin(), names.end(), "meta") == names.end()) {
    throw StoreError(dir.string() +
                     " holds a RocksDB database of another program, not itpm-bot's; it was not "
                     "opened");
  }
}

}  // namespace

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

const std::filesystem::path& Store::dir() const {
  return impl_->dir;
}

Store::~Store() = default;

std::unique_ptr<Store> Store::open(const std::filesystem::path& dir, Options store_options) {
  std::error_code ec;
  // A data directory made here is the bot's alone (0700): records hold people's words.
  bool existed = std::filesystem::exists(dir, ec);
  std::filesystem::create_directories(dir, ec);
  if (!ec && !existed)
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
  if (ec) throw StoreError("cannot create data directory " + dir.string() + ": " + ec.message());
  rocksdb::DBOptions options;
  if (store_options.env != nullptr) options.env = store_options.env;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.listeners.push_back(std::make_shared<ManualRecovery>());
  options.keep_log_file_num = 4;
  options.max_background_jobs = 2;
  // Bound memory and start-up time: memtables of all families share 64 MiB, and the WAL is
  // flushed away before it passes 64 MiB, so a restart after a crash replays little.
  options.db_write_buffer_size = 64U << 20U;
  options.max_total_wal_size = 64U << 20U;

  // Index and filter blocks live in the block cache, partitioned (a read loads a 4 KiB part,
  // not a whole file's index and filter) and kept ahead of data blocks (high priority, top
  // levels pinned): at ten years of a large organisation (1.5 GB) the bot otherwise read and
  // decompressed them again on most lookups, a 50-risk list took 30 ms instead of 2.
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(32U << 20U, -1, false, 0.5);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.index_type = rocksdb::BlockBasedTableOptions::IndexType::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.metadata_block_size = 4096;
  table.pin_top_level_index_and_filter = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  std::shared_ptr<rocksdb::TableFactory> table_factory(rocksdb::NewBlockBasedTableFactory(table));
  // Search postings are packed already and read in long runs: stored uncompressed in larger
  // blocks, a query reads them without decompressing block after block.
  rocksdb::BlockBasedTableOptions postings_table = table;
  postings_table.block_size = 16U << 10U;
  std::shared_ptr<rocksdb::TableFactory> postings_factory(
      rocksdb::NewBlockBasedTableFactory(postings_table));

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions{});
  for (Family f : all_families()) {
    rocksdb::ColumnFamilyOptions cf;
    cf.table_factory = table_factory;
    cf.write_buffer_size = 16U << 20U;
    if (f == Family::meta) cf.merge_operator = std::make_shared<AddOperator>();
    if (f == Family::decision_terms || f == Family::decision_postings) {
      cf.merge_operator = f == Family::decision_postings ? postings::merge_operator()
                                                         : postings::schema4_merge_operator();
      cf.table_factory = postings_factory;
      cf.compression = rocksdb::kNoCompression;
    }
    descriptors.emplace_back(std::string(family_name(f)), cf);
  }
  auto impl = std::make_unique<Impl>();
  impl->options = store_options;
  impl->fs = options.env->GetFileSystem();
  impl->dir = dir;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status s;
  bool follower = !store_options.follower_dir.empty();
  if (follower) {
    options.max_open_files = -1;  // required for a secondary instance
    s = rocksdb::DB::OpenAsSecondary(options, dir.string(), store_options.follower_dir.string(),
                                     descriptors, &handles, &impl->db);
    if (s.ok()) s = impl->db->TryCatchUpWithPrimary();
  } else {
    refuse_foreign(dir, options);
    s = rocksdb::DB::Open(options, dir.string(), descriptors, &handles, &impl->db);
  }
  if (s.IsCorruption()) {
    throw StoreError("the database in " + dir.string() + " is damaged (" + s.ToString() +
                     "); restore the newest backup into a new folder with `itpm-bot restore`");
  }
  if (!s.ok()) {
    std::string text = s.ToString();
    std::string hint = text.find("lock") != std::string::npos
                           ? " (is itpm-bot running with this data directory?)"
                       : text.find("Column families not opened") != std::string::npos
                           ? " (it holds tables this build does not know: a newer itpm-bot's, or "
                             "another program's)"
                           : "";
    throw StoreError("cannot open database in " + dir.string() + ": " + text + hint);
  }
  impl->default_handle = handles.front();
  impl->handles.assign(handles.begin() + 1, handles.end());
  if (follower) return std::unique_ptr<Store>(new Store(std::move(impl)));

  std::string value;
  s = impl->db->Get(rocksdb::ReadOptions{}, impl->handle(Family::meta), std::string(schema_key),
                    &value);
  if (s.IsNotFound()) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = impl->db->Put(wo, impl->handle(Family::meta), std::string(schema_key),
                      encode_u32(schema_version));
    if (!s.ok()) throw StoreError("cannot initialise database: " + s.ToString());
  } else if (!s.ok()) {
    throw StoreError("cannot read schema version: " + s.ToString());
  } else if (decode_be(value) > schema_version) {
    throw StoreError("database in " + dir.string() + " has schema version " +
                     std::to_string(decode_be(value)) + ", newer than this build understands (" +
                     std::to_string(schema_version) + "); upgrade itpm-bot, it was not opened");
  }
  Impl* raw = impl.get();
  impl->committer = std::thread([raw] { raw->run_committer(); });
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

namespace {

thread_local const Store::ReadView* current_view = nullptr;

}  // namespace

Store::ReadView::ReadView(const Store& store)
    : store_(store), snapshot_(store.impl_->db->GetSnapshot()), outer_(current_view) {
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
