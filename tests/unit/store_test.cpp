#include "storage/store.hpp"
#include "tests/support/temp_dir.hpp"

#include <rocksdb/db.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>

using itpm::storage::Store;
using itpm::storage::StoreError;

TEST_CASE("a new store records its schema version and reopens") {
  itpm::test::TempDir dir;
  {
    auto store = Store::open(dir.path() / "db");
    CHECK(store->stored_schema_version() == Store::schema_version);
  }
  auto again = Store::open(dir.path() / "db");
  CHECK(again->stored_schema_version() == Store::schema_version);
}

TEST_CASE("a database from a newer build is refused, not opened") {
  itpm::test::TempDir dir;
  auto path = dir.path() / "db";
  { auto store = Store::open(path); }
  {
    // Write a newer schema version directly, as a future build would.
    rocksdb::DBOptions options;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(options, path.string(), &names).ok());
    for (const auto& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions{});
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    REQUIRE(rocksdb::DB::Open(options, path.string(), cfs, &handles, &db).ok());
    auto meta = std::find(names.begin(), names.end(), "meta") - names.begin();
    REQUIRE(db->Put(rocksdb::WriteOptions{}, handles[static_cast<std::size_t>(meta)],
                    "schema_version", std::string("\x00\x00\x00\x63", 4))
                .ok());
    for (auto* h : handles) REQUIRE(db->DestroyColumnFamilyHandle(h).ok());
    REQUIRE(db->Close().ok());
    delete db;
  }
  try {
    Store::open(path);
    FAIL("a newer schema must be refused");
  } catch (const StoreError& e) {
    CHECK(std::string(e.what()).find("schema version 99") != std::string::npos);
  }
}

TEST_CASE("an unusable data directory is a StoreError with the path") {
  itpm::test::TempDir dir;
  auto file = dir.path() / "not-a-dir";
  { std::ofstream(file) << "x"; }
  CHECK_THROWS_AS(Store::open(file / "db"), StoreError);
}
