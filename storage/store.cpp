#include "storage/store.hpp"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <array>

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

std::uint32_t decode_u32(std::string_view s) {
  std::uint32_t v = 0;
  for (char c : s) v = (v << 8U) | static_cast<unsigned char>(c);
  return v;
}

}  // namespace

const std::vector<Family>& all_families() {
  static const std::vector<Family> families = {
      Family::meta,    Family::programs,   Family::risks,          Family::decisions,
      Family::reviews, Family::milestones, Family::status_updates, Family::audit,
      Family::outbox,  Family::schedule,   Family::dedupe,
  };
  return families;
}

std::string_view family_name(Family family) {
  static constexpr std::array<std::string_view, 11> names = {
      "meta",           "programs", "risks",  "decisions", "reviews", "milestones",
      "status_updates", "audit",    "outbox", "schedule",  "dedupe",
  };
  return names.at(static_cast<std::size_t>(family));
}

struct Store::Impl {
  rocksdb::DB* db = nullptr;
  rocksdb::ColumnFamilyHandle* default_handle = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // indexed by Family

  ~Impl() {
    if (db == nullptr) return;
    for (auto* h : handles) (void)db->DestroyColumnFamilyHandle(h);
    (void)db->DestroyColumnFamilyHandle(default_handle);
    (void)db->Close();
    delete db;
  }
  rocksdb::ColumnFamilyHandle* handle(Family f) const {
    return handles.at(static_cast<std::size_t>(f));
  }
};

Store::Store(std::filesystem::path dir, std::unique_ptr<Impl> impl)
    : dir_(std::move(dir)), impl_(std::move(impl)) {}

Store::~Store() = default;

std::unique_ptr<Store> Store::open(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    throw StoreError("cannot create data directory " + dir.string() + ": " + ec.message());
  }
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.keep_log_file_num = 4;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions{});
  for (Family f : all_families()) {
    descriptors.emplace_back(std::string(family_name(f)), rocksdb::ColumnFamilyOptions{});
  }
  auto impl = std::make_unique<Impl>();
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status s = rocksdb::DB::Open(options, dir.string(), descriptors, &handles, &impl->db);
  if (!s.ok()) throw StoreError("cannot open database in " + dir.string() + ": " + s.ToString());
  impl->default_handle = handles.front();
  impl->handles.assign(handles.begin() + 1, handles.end());

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
  } else if (decode_u32(value) > schema_version) {
    throw StoreError("database in " + dir.string() + " has schema version " +
                     std::to_string(decode_u32(value)) + ", newer than this build understands (" +
                     std::to_string(schema_version) + "); upgrade itpm-bot, it was not opened");
  }
  return std::unique_ptr<Store>(new Store(dir, std::move(impl)));
}

std::uint32_t Store::stored_schema_version() const {
  std::string value;
  rocksdb::Status s = impl_->db->Get(rocksdb::ReadOptions{}, impl_->handle(Family::meta),
                                     std::string(schema_key), &value);
  return s.ok() ? decode_u32(value) : 0;
}

}  // namespace itpm::storage
