// Durability under SIGKILL, and backups taken while another process writes.
#include "storage/export.hpp"
#include "storage/repositories.hpp"
#include "tests/support/temp_dir.hpp"
#include "tools/process/child_process.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <random>
#include <set>
#include <sstream>

using namespace std::chrono_literals;
using itpm::process::ChildOptions;
using itpm::process::ChildProcess;
using namespace itpm::storage;

namespace {

std::vector<std::string> complete_lines(const std::string& output) {
  std::vector<std::string> lines;
  std::istringstream in(
      output.substr(0, output.rfind('\n') == std::string::npos ? 0 : output.rfind('\n') + 1));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::unique_ptr<ChildProcess> start_writer(const std::filesystem::path& dir,
                                           const std::string& mode) {
  ChildOptions options;
  options.argv = {ITPM_STORE_WRITER_PATH, dir.string(), mode, "1000000"};
  return std::make_unique<ChildProcess>(options);
}

bool present(Repositories& repos, const std::string& id) {
  std::uint64_t number = std::stoull(id.substr(2));
  return id[0] == 'R' ? repos.find<itpm::storage::Risk>(number).has_value()
                      : repos.find<itpm::storage::Decision>(number).has_value();
}

}  // namespace

TEST_CASE("SIGKILL at random points loses no acknowledged write and leaves indexes whole",
          "[integration]") {
  itpm::test::TempDir dir;
  auto db = dir.path() / "db";
  std::mt19937 random(20261127);
  std::set<std::string> acknowledged;
  for (int round = 0; round < 16; ++round) {
    std::string mode = round % 2 == 0 ? "sync" : "group";
    auto writer = start_writer(db, mode);
    std::size_t wait_lines = std::uniform_int_distribution<std::size_t>(1, 60)(random);
    REQUIRE(writer->wait_for_lines(wait_lines, 30s));
    writer->signal(SIGKILL);
    REQUIRE(writer->wait_exit(10s).has_value());
    auto printed = complete_lines(writer->output());
    INFO("round " << round << " (" << mode << "), " << printed.size() << " ids acknowledged");
    for (const auto& id : printed) {
      // A number acknowledged twice would mean a sequence handed it out again.
      CHECK(acknowledged.insert(id).second);
    }
    auto store = Store::open(db);
    Repositories repos(*store);
    for (const auto& id : acknowledged) {
      if (!present(repos, id)) FAIL_CHECK(id << " was acknowledged but is missing");
    }
    auto problems = repos.check();
    for (const auto& p : problems) FAIL_CHECK(p);
    CHECK(problems.empty());
  }
  CHECK(acknowledged.size() >= 16);
}

TEST_CASE("a backup taken while another process writes restores to a consistent store",
          "[integration]") {
  itpm::test::TempDir dir;
  auto db = dir.path() / "db";
  auto writer = start_writer(db, "group");
  REQUIRE(writer->wait_for_lines(40, 30s));
  std::size_t acknowledged_before = complete_lines(writer->output()).size();

  ChildOptions backup;
  backup.argv = {ITPM_BOT_PATH, "backup", "--data-dir",
                 db.string(),   "--to",   (dir.path() / "backups").string()};
  ChildProcess run(backup);
  auto status = run.wait_exit(60s);
  REQUIRE(status.has_value());
  INFO(run.output());
  REQUIRE(*status == 0);
  CHECK(run.output().find("verified") != std::string::npos);
  writer->signal(SIGKILL);
  REQUIRE(writer->wait_exit(10s).has_value());

  ChildOptions restore;
  restore.argv = {ITPM_BOT_PATH, "restore",
                  "--from",      (dir.path() / "backups").string(),
                  "--data-dir",  (dir.path() / "restored").string()};
  ChildProcess restoring(restore);
  REQUIRE(restoring.wait_exit(60s) == std::optional<int>(0));

  auto store = Store::open(dir.path() / "restored");
  Repositories repos(*store);
  CHECK(repos.check().empty());
  auto printed = complete_lines(writer->output());
  for (std::size_t i = 0; i < acknowledged_before; ++i) CHECK(present(repos, printed[i]));

  // The restored store exports, imports and exports again to the same bytes.
  auto document = export_json(*store);
  auto copy = Store::open(dir.path() / "copy");
  import_json(*copy, document);
  CHECK(export_json(*copy).dump(2) == document.dump(2));

  // Restoring over a non-empty directory needs --force.
  ChildProcess refused(restore);
  REQUIRE(refused.wait_exit(30s) == std::optional<int>(1));
  CHECK(refused.output().find("--force") != std::string::npos);
}
