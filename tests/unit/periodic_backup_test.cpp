#include "bot/ops/periodic_backup.hpp"
#include "storage/export.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>

TEST_CASE("automatic backups run on their own thread, keep the newest N and restore") {
  itpm::test::TempDir dir;
  auto store = itpm::storage::Store::open(dir.path() / "db");
  itpm::storage::Batch batch;
  batch.put(itpm::storage::Family::programs, "dr-2027", R"({"key":"dr-2027","v":1})");
  REQUIRE(store->commit(std::move(batch)));

  std::mutex m;
  std::condition_variable cv;
  int ok = 0;
  int failed = 0;
  {
    itpm::bot::PeriodicBackup backups(*store, dir.path() / "backups", std::chrono::milliseconds(20),
                                      2, [&](const std::string& error) {
                                        std::lock_guard lock(m);
                                        (error.empty() ? ok : failed) += 1;
                                        cv.notify_all();
                                      });
    std::unique_lock lock(m);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return ok >= 3; }));
  }
  CHECK(failed == 0);
  auto info = itpm::storage::Store::restore_latest(dir.path() / "backups", dir.path() / "restored");
  CHECK(info.id >= 3);
  auto restored = itpm::storage::Store::open(dir.path() / "restored");
  CHECK(itpm::storage::export_json(*restored)["programs"].size() == 1);
  std::size_t kept = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path() / "backups" / "meta"))
    kept += e.is_regular_file();
  CHECK(kept == 2);
}
