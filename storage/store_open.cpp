// Opening the store: the RocksDB options (block cache, filters, merge operators), a refusal of
// anything that is not an itpm-bot database, the schema check, and the committer's start.
#include "storage/posting_list.hpp"
#include "storage/store_impl.hpp"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/options_util.h>

#include <algorithm>

namespace itpm::storage {
namespace {

using store_detail::decode_be;
using store_detail::decode_i64;
using store_detail::encode_i64;
using store_detail::encode_u32;
using store_detail::schema_key;

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

}  // namespace itpm::storage
