#include "storage/store.hpp"
#include "storage/key_codec.hpp"
#include "storage/record_traits.hpp"
#include "storage/repositories.hpp"
#include "tests/support/faulty_fs.hpp"
#include "tests/support/temp_dir.hpp"

#include <rocksdb/db.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

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

TEST_CASE("a batch is applied whole, and scans walk a prefix in key order both ways") {
  itpm::test::TempDir dir;
  auto store = Store::open(dir.path() / "db");
  itpm::storage::Batch batch;
  using itpm::storage::Family;
  using itpm::storage::KeyBuilder;
  for (std::uint64_t n : {3, 1, 2, 300}) {
    batch.put(Family::risks, KeyBuilder().str("dr").u64(n).done(), std::to_string(n));
  }
  batch.put(Family::risks, KeyBuilder().str("dr-2").u64(1).done(), "other program");
  REQUIRE(store->commit(std::move(batch)));

  std::vector<std::string> forward;
  store->scan(Family::risks, KeyBuilder().str("dr").done(),
              [&](std::string_view, std::string_view v) {
                forward.emplace_back(v);
                return true;
              });
  CHECK(forward == std::vector<std::string>{"1", "2", "3", "300"});
  std::vector<std::string> backward;
  store->scan(
      Family::risks, KeyBuilder().str("dr").done(),
      [&](std::string_view, std::string_view v) {
        backward.emplace_back(v);
        return backward.size() < 2;
      },
      true);
  CHECK(backward == std::vector<std::string>{"300", "3"});
  CHECK(store->get(Family::risks, KeyBuilder().str("dr-2").u64(1).done()) == "other program");
  CHECK_FALSE(store->get(Family::risks, "missing"));
}

TEST_CASE("sequences never hand out a number twice, also after reopening") {
  itpm::test::TempDir dir;
  std::uint64_t last = 0;
  {
    auto store = Store::open(dir.path() / "db");
    for (int i = 0; i < 3; ++i) {
      itpm::storage::Batch batch;
      last = store->next_sequence("risk", batch);
      REQUIRE(store->commit(std::move(batch)));
    }
    itpm::storage::Batch other;
    CHECK(store->next_sequence("decision", other) == 1);
    REQUIRE(store->commit(std::move(other)));
  }
  CHECK(last == 3);
  auto store = Store::open(dir.path() / "db");
  itpm::storage::Batch batch;
  CHECK(store->next_sequence("risk", batch) == 4);
}

TEST_CASE("the group committer makes every queued batch durable with fewer syncs") {
  itpm::test::TempDir dir;
  auto store = Store::open(dir.path() / "db");
  constexpr int n = 200;
  std::mutex m;
  std::condition_variable cv;
  int done = 0;
  int failed = 0;
  for (int i = 0; i < n; ++i) {
    itpm::storage::Batch batch;
    auto id = store->next_sequence("risk", batch);
    batch.put(itpm::storage::Family::risks, itpm::storage::KeyBuilder().u64(id).done(), "x");
    store->commit_async(std::move(batch), [&](itpm::storage::CommitResult r) {
      std::lock_guard lock(m);
      ++done;
      failed += r.ok ? 0 : 1;
      cv.notify_all();
    });
  }
  std::unique_lock lock(m);
  REQUIRE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return done == n; }));
  CHECK(failed == 0);
  auto stats = store->stats();
  CHECK(stats.batches == n);
  CHECK(stats.synced_writes <= stats.batches);
  int count = 0;
  store->scan(itpm::storage::Family::risks, "",
              [&](std::string_view, std::string_view) { return ++count > 0; });
  CHECK(count == n);
}

TEST_CASE("a checkpoint taken while the store is open reopens with the same data") {
  itpm::test::TempDir dir;
  auto store = Store::open(dir.path() / "db");
  itpm::storage::Batch batch;
  batch.put(itpm::storage::Family::programs, "dr-2027", "{\"v\":1}");
  REQUIRE(store->commit(std::move(batch)));
  store->checkpoint(dir.path() / "copy");
  auto copy = Store::open(dir.path() / "copy");
  CHECK(copy->get(itpm::storage::Family::programs, "dr-2027") == "{\"v\":1}");
  CHECK_THROWS_AS(store->checkpoint(dir.path() / "copy"), StoreError);
}

TEST_CASE("key codec: numbers sort numerically, strings are terminated") {
  using itpm::storage::KeyBuilder;
  CHECK(KeyBuilder().u64(2).done() < KeyBuilder().u64(10).done());
  CHECK(KeyBuilder().str("ab").u64(9).done() < KeyBuilder().str("abc").u64(0).done());
  std::string key = KeyBuilder().str("dr").u64(42).u8(7).done();
  itpm::storage::KeyReader r(key);
  CHECK(r.str() == std::optional<std::string_view>("dr"));
  CHECK(r.u64() == std::optional<std::uint64_t>(42));
  CHECK(r.u8() == std::optional<std::uint8_t>(7));
  CHECK(r.at_end());
  CHECK_FALSE(r.u64());
  CHECK(itpm::storage::prefix_successor("ab\xff") == "ac");
  CHECK(itpm::storage::prefix_successor("\xff\xff").empty());
}

TEST_CASE("a family's version moves with every committed write to it, and only then") {
  using itpm::storage::Batch;
  using itpm::storage::Family;
  itpm::test::TempDir dir;
  auto store = Store::open(dir.path() / "db");
  auto risks = store->version(Family::risks);
  auto programs = store->version(Family::programs);
  Batch one;
  one.put(Family::risks, "k", "v");
  REQUIRE(store->commit(std::move(one)));
  CHECK(store->version(Family::risks) != risks);
  CHECK(store->version(Family::programs) == programs);
  risks = store->version(Family::risks);
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  Batch two;
  two.put(Family::programs, "p", "v");
  store->commit_async(std::move(two), [&](itpm::storage::CommitResult r) {
    CHECK(r);
    std::lock_guard lock(m);
    done = true;
    cv.notify_one();
  });
  std::unique_lock lock(m);
  REQUIRE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return done; }));
  CHECK(store->version(Family::programs) != programs);  // moved before `done` ran
  CHECK(store->version(Family::risks) == risks);
}

namespace {

// Commits each batch through the group committer, queued back to back; returns their results
// in order.
std::vector<itpm::storage::CommitResult> commit_all(Store& store,
                                                    std::vector<itpm::storage::Batch> batches) {
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::optional<itpm::storage::CommitResult>> results(batches.size());
  std::size_t done = 0;
  for (std::size_t i = 0; i < batches.size(); ++i) {
    store.commit_async(std::move(batches[i]), [&, i](itpm::storage::CommitResult r) {
      std::lock_guard lock(m);
      results[i] = std::move(r);
      ++done;
      cv.notify_all();
    });
  }
  std::unique_lock lock(m);
  REQUIRE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return done == batches.size(); }));
  std::vector<itpm::storage::CommitResult> out;
  for (auto& r : results) out.push_back(*r);
  return out;
}

}  // namespace

TEST_CASE("a batch computed from a read that changed meanwhile is refused whole") {
  using itpm::storage::Batch;
  using itpm::storage::Family;
  itpm::test::TempDir dir;
  auto store = Store::open(dir.path() / "db");
  Batch seed;
  seed.put(Family::risks, "k", "v1");
  REQUIRE(store->commit(std::move(seed)));

  // Two writers read "v1" and each compute a change from it, queued one after the other.
  auto change = [](std::string value, std::string extra) {
    Batch b;
    b.expect(Family::risks, "k", std::string("v1"), "R-1");
    b.put(Family::risks, "k", value);
    b.put(Family::risks_by_program, extra, "");
    return b;
  };
  std::vector<Batch> batches;
  batches.push_back(change("v2", "first"));
  batches.push_back(change("v3", "second"));
  auto results = commit_all(*store, std::move(batches));
  CHECK(results[0].ok);
  CHECK_FALSE(results[1].ok);
  CHECK(results[1].conflict);
  CHECK(results[1].item == "R-1");
  CHECK(store->get(Family::risks, "k") == "v2");
  CHECK(store->get(Family::risks_by_program, "first"));
  CHECK_FALSE(store->get(Family::risks_by_program, "second"));  // nothing of it was applied

  // Expecting absence: of two creations of one key, one wins.
  std::vector<Batch> creations(2);
  for (auto& b : creations) {
    b.expect(Family::programs, "dr", std::nullopt, "dr");
    b.put(Family::programs, "dr", "x");
  }
  results = commit_all(*store, std::move(creations));
  CHECK(results[0].ok != results[1].ok);
  CHECK((results[0].conflict || results[1].conflict));

  // The synchronous commit checks too; an expectation that holds lets the batch through.
  Batch stale;
  stale.expect(Family::risks, "k", std::string("v1"), "R-1");
  stale.put(Family::risks, "k", "v4");
  auto refused = store->commit(std::move(stale));
  CHECK(refused.conflict);
  Batch fresh;
  fresh.expect(Family::risks, "k", std::string("v2"), "R-1");
  fresh.put(Family::risks, "k", "v4");
  CHECK(store->commit(std::move(fresh)));
  CHECK(store->get(Family::risks, "k") == "v4");
}

TEST_CASE("a ReadSet makes a batch hold only while every record read is unchanged") {
  itpm::test::TempDir dir;
  auto store = Store::open(dir.path() / "db");
  itpm::storage::Repositories repos(*store);
  itpm::storage::Program p;
  p.key = "dr";
  p.name = "DR";
  itpm::storage::Batch seed;
  repos.save(seed, p, nullptr, {"U1", 1, "add"});
  REQUIRE(store->commit(std::move(seed)));

  auto rename = [&](const std::string& name) {
    itpm::storage::Batch b;
    itpm::storage::ReadSet reads;
    auto before = repos.find<itpm::storage::Program>("dr");
    REQUIRE(before);
    CHECK_FALSE(repos.find<itpm::storage::Program>("missing"));  // absence is a read too
    auto after = *before;
    after.name = name;
    repos.save(b, after, &*before, {"U1", 2, "update"});
    reads.expect_in(b);
    CHECK(reads.size() == 2);
    return b;
  };
  std::vector<itpm::storage::Batch> batches;
  batches.push_back(rename("one"));
  batches.push_back(rename("two"));
  auto results = commit_all(*store, std::move(batches));
  CHECK(results[0].ok);
  CHECK(results[1].conflict);
  CHECK(results[1].item == "dr");
  CHECK(repos.find<itpm::storage::Program>("dr")->name == "one");
  CHECK(repos.audit("dr").size() == 2);  // the add and the one update that held
  // Without an active ReadSet, nothing is noted.
  CHECK(itpm::storage::ReadSet::active() == nullptr);
}

TEST_CASE("a full disk refuses writes clearly, the store resumes on its own, losing no ack") {
  using itpm::storage::Batch;
  using itpm::storage::Family;
  itpm::test::TempDir dir;
  itpm::test::FaultyEnv faulty;
  Store::Options options;
  options.env = faulty.env.get();
  auto put = [](const char* key) {
    Batch b;
    b.put(Family::risks, key, "v");
    return b;
  };
  {
    auto store = Store::open(dir.path() / "db", options);
    std::mutex m;
    std::condition_variable cv;
    std::vector<std::string> states;
    store->watch_writes([&](const std::string& error) {
      std::lock_guard lock(m);
      states.push_back(error);
      cv.notify_all();
    });
    REQUIRE(store->commit(put("acked-before")));

    faulty.fs->full = true;
    auto refused = store->commit(put("refused-sync"));
    CHECK_FALSE(refused.ok);
    CHECK_FALSE(refused.conflict);
    CHECK_THAT(refused.error, Catch::Contains("No space left on device"));
    CHECK_THAT(store->write_error(), Catch::Contains("No space left on device"));
    auto queued = commit_all(*store, [&] {
      std::vector<Batch> v;
      v.push_back(put("refused-async"));
      return v;
    }());
    CHECK_FALSE(queued[0].ok);
    CHECK_FALSE(store->get(Family::risks, "refused-sync"));
    CHECK(store->get(Family::risks, "acked-before"));  // reads go on

    // Space returns: the committer resumes RocksDB without a write asking for it.
    faulty.fs->full = false;
    {
      std::unique_lock lock(m);
      REQUIRE(cv.wait_for(lock, std::chrono::seconds(30),
                          [&] { return !states.empty() && states.back().empty(); }));
      CHECK_THAT(states.front(), Catch::Contains("No space left on device"));
    }
    CHECK(store->write_error().empty());
    CHECK(store->commit(put("acked-after")));
  }
  auto reopened = Store::open(dir.path() / "db");
  CHECK(reopened->get(Family::risks, "acked-before"));
  CHECK(reopened->get(Family::risks, "acked-after"));
  CHECK_FALSE(reopened->get(Family::risks, "refused-sync"));
  CHECK_FALSE(reopened->get(Family::risks, "refused-async"));
}

TEST_CASE("folders that are not an itpm-bot database are refused with one clear line") {
  itpm::test::TempDir dir;
  auto refused = [](const std::filesystem::path& path) -> std::string {
    try {
      Store::open(path);
    } catch (const StoreError& e) {
      return e.what();
    }
    return "opened";
  };
  // Somebody's files (the backups folder, a home directory).
  auto files = dir.path() / "files";
  std::filesystem::create_directories(files);
  { std::ofstream(files / "notes.txt") << "x"; }
  CHECK_THAT(refused(files),
             Catch::Contains("not an itpm-bot data directory") && Catch::Contains("notes.txt"));
  CHECK(std::filesystem::exists(files / "notes.txt"));
  CHECK_FALSE(std::filesystem::exists(files / "CURRENT"));

  // Another program's RocksDB: refused before our tables are added to it.
  auto foreign = dir.path() / "foreign";
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    REQUIRE(rocksdb::DB::Open(options, foreign.string(), &db).ok());
    REQUIRE(db->Put(rocksdb::WriteOptions{}, "k", "v").ok());
    REQUIRE(db->Close().ok());
    delete db;
  }
  CHECK_THAT(refused(foreign), Catch::Contains("another program"));
  std::vector<std::string> names;
  REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions{}, foreign.string(), &names).ok());
  CHECK(names.size() == 1);

  // A damaged one.
  auto damaged = dir.path() / "damaged";
  { auto store = Store::open(damaged); }
  for (const auto& entry : std::filesystem::directory_iterator(damaged)) {
    if (entry.path().filename().string().starts_with("MANIFEST"))
      std::ofstream(entry.path(), std::ios::trunc) << "not a manifest";
  }
  CHECK_THAT(refused(damaged), Catch::Contains("damaged") && Catch::Contains("itpm-bot restore"));
}

TEST_CASE("a read view sees the store as it was when made, on its own thread only") {
  using itpm::storage::Batch;
  using itpm::storage::Family;
  itpm::test::TempDir dir;
  auto store = Store::open(dir.path() / "db");
  auto put = [&](const std::string& key, const std::string& value) {
    Batch b;
    b.put(Family::risks, key, value);
    REQUIRE(store->commit(std::move(b)));
  };
  auto keys = [&] {
    std::vector<std::string> out;
    store->scan(Family::risks, "", [&](std::string_view k, std::string_view) {
      out.emplace_back(k);
      return true;
    });
    return out;
  };
  put("a", "1");
  CHECK_FALSE(Store::ReadView::active());
  {
    Store::ReadView view(*store);
    CHECK(Store::ReadView::active());
    put("a", "2");
    put("b", "1");
    CHECK(store->get(Family::risks, "a") == "1");
    CHECK(keys() == std::vector<std::string>{"a"});
    // Another thread reads what is committed.
    std::optional<std::string> elsewhere;
    std::thread([&] { elsewhere = store->get(Family::risks, "a"); }).join();
    CHECK(elsewhere == "2");
    {
      Store::ReadView inner(*store);
      CHECK(store->get(Family::risks, "a") == "2");
    }
    CHECK(store->get(Family::risks, "a") == "1");
  }
  CHECK_FALSE(Store::ReadView::active());
  CHECK(store->get(Family::risks, "a") == "2");
  CHECK(keys() == std::vector<std::string>{"a", "b"});
}

TEST_CASE("each column family has its own name and each record type its own family and prefix") {
  std::set<std::string_view> names;
  for (std::size_t f = 0; f < itpm::storage::family_count; ++f) {
    auto name = itpm::storage::family_name(static_cast<itpm::storage::Family>(f));
    INFO(f);
    CHECK_FALSE(name.empty());
    CHECK(names.insert(name).second);
  }
  std::set<itpm::storage::Family> families;
  std::set<char> prefixes;
  itpm::storage::for_each_record_type([&]<class R>() {
    using T = itpm::storage::RecordTraits<R>;
    INFO(T::plural);
    CHECK(families.insert(T::family).second);
    if constexpr (requires { T::prefix; }) CHECK(prefixes.insert(T::prefix).second);
  });
}
