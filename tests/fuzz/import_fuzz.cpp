// Fuzzes `itpm-bot import`'s file reader against an empty in-memory store. Properties: a bad
// file (JSON or not) is refused with a StoreError and nothing written; one that is taken
// exports again, written a row at a time as the document's own text, and that export imports
// into another empty store and exports byte for byte the same.
#include "storage/export.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <rocksdb/env.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace {

using itpm::storage::Family;
using itpm::storage::Store;

// A store in memory (nothing reaches the disk), emptied again after each use: opening one
// costs far more than an import.
class EmptyStore {
 public:
  EmptyStore() : env_(rocksdb::NewMemEnv(rocksdb::Env::Default())) {
    Store::Options options;
    options.sync = false;
    options.env = env_.get();
    store_ = Store::open(std::filesystem::temp_directory_path() / "itpm-fuzz-import", options);
    store_->scan(Family::meta, "", [&](std::string_view key, std::string_view value) {
      fresh_meta_.emplace(key, value);
      return true;
    });
  }
  Store& operator*() { return *store_; }

  // True when the store holds anything a fresh one does not.
  bool holds_rows() {
    bool rows = false;
    each_row([&](Family family, std::string_view key, std::string_view value) {
      auto fresh = fresh_meta_.find(std::string(key));
      rows = family != Family::meta || fresh == fresh_meta_.end() || fresh->second != value;
      return !rows;
    });
    return rows;
  }

  // Back to what a freshly opened store holds.
  void clear() {
    itpm::storage::Batch batch;
    each_row([&](Family family, std::string_view key, std::string_view) {
      batch.remove(family, key);
      return true;
    });
    for (const auto& [key, value] : fresh_meta_) batch.put(Family::meta, key, value);
    if (auto r = store_->commit(std::move(batch)); !r)
      itpm::fuzz::fail("the store empties", r.error);
  }

 private:
  template <class F>
  void each_row(F each) {
    bool go_on = true;
    for (std::size_t f = 0; f < itpm::storage::family_count && go_on; ++f) {
      auto family = static_cast<Family>(f);
      store_->scan(family, "", [&](std::string_view key, std::string_view value) {
        return go_on = each(family, key, value);
      });
    }
  }

  std::unique_ptr<rocksdb::Env> env_;  // outlives the store, declared first
  std::unique_ptr<Store> store_;
  std::map<std::string, std::string, std::less<>> fresh_meta_;  // the schema version
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using itpm::fuzz::fail;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // The CLI imports from a file, read a row at a time: any text, JSON or not, goes there.
  static const std::filesystem::path file =
      std::filesystem::temp_directory_path() /
      ("itpm-fuzz-import-" + std::to_string(::getpid()) + ".json");
  std::ofstream(file, std::ios::binary | std::ios::trunc)
      .write(text.data(), static_cast<std::streamsize>(size));

  static EmptyStore first;
  static EmptyStore second;
  try {
    (void)itpm::storage::import_file(*first, file);
  } catch (const itpm::storage::StoreError& e) {
    if (first.holds_rows()) fail("a refused import writes nothing", e.what());
    return 0;
  } catch (const std::exception& e) {
    fail("a bad file is refused with a StoreError", std::string(text) + "\n" + e.what());
  }
  try {
    nlohmann::json exported = itpm::storage::export_json(*first);
    std::ostringstream written;
    itpm::storage::write_export(*first, written);
    if (written.str() != exported.dump(2))
      fail("the export written a row at a time is the document's text", exported.dump(2));
    first.clear();
    (void)itpm::storage::import_json(*second, exported);
    bool same = itpm::storage::export_json(*second) == exported;
    second.clear();
    if (!same) fail("an export of an import imports and exports the same", exported.dump());
  } catch (const std::exception& e) {
    fail("what an import took exports and imports again", std::string(text) + "\n" + e.what());
  }
  return 0;
}
