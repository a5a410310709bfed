// `itpm-bot holidays import` against the real binary: an iCalendar file's all-day events
// become holidays of the workspace or of a program, days already there are kept, and a file
// that is not a calendar, an unknown program or a missing data dir change nothing.
#include "storage/database.hpp"
#include "storage/record_traits.hpp"
#include "tests/support/seed_store.hpp"
#include "tests/support/temp_dir.hpp"
#include "tools/process/child_process.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace std::chrono_literals;

namespace {

struct Run {
  std::optional<int> code;
  std::string output;
};

Run holidays_import(const std::filesystem::path& data, const std::filesystem::path& file,
                    const std::string& program = "") {
  itpm::process::ChildOptions options;
  options.argv = {ITPM_BOT_PATH, "holidays", "import",     "--data-dir",
                  data.string(), "--from",   file.string()};
  if (!program.empty()) {
    options.argv.push_back("--program");
    options.argv.push_back(program);
  }
  itpm::process::ChildProcess child(options);
  auto code = child.wait_exit(30s);
  return {code, child.output()};
}

}  // namespace

TEST_CASE("holidays import adds an iCalendar file's all-day events, once", "[integration]") {
  itpm::test::TempDir dir;
  auto data = dir.path() / "data";
  {
    auto store = itpm::storage::open_database(data);
    itpm::storage::Repositories repos(*store);
    itpm::test::run_on_store(repos, R"(program add dr-2027 "Disaster Recovery 2027")");
  }
  auto ics = dir.path() / "holidays.ics";
  std::ofstream(ics) << "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
                        "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261225\r\n"
                        "DTEND;VALUE=DATE:20261227\r\nSUMMARY:Christmas\r\nEND:VEVENT\r\n"
                        "BEGIN:VEVENT\r\nDTSTART:20261231T170000Z\r\nSUMMARY:Drinks\r\n"
                        "END:VEVENT\r\nEND:VCALENDAR\r\n";
  auto first = holidays_import(data, ics);
  INFO(first.output);
  REQUIRE(first.code == std::optional<int>(0));
  CHECK(first.output.find("imported 2 holidays for everyone (0 already there), skipped 1 events") !=
        std::string::npos);
  CHECK(first.output.find("skipped line 8 (\"Drinks\"): not an all-day event") !=
        std::string::npos);
  auto again = holidays_import(data, ics);
  CHECK(again.output.find("imported 0 holidays for everyone (2 already there)") !=
        std::string::npos);
  auto program = holidays_import(data, ics, "dr-2027");
  CHECK(program.output.find("imported 2 holidays for dr-2027's channels") != std::string::npos);

  auto refused = holidays_import(data, ics, "nope");
  CHECK(refused.code == std::optional<int>(1));
  CHECK(refused.output.find("no program nope") != std::string::npos);
  auto csv = dir.path() / "holidays.csv";
  std::ofstream(csv) << "Date,Name\n2027-01-01,New Year\n";
  auto not_ical = holidays_import(data, csv);
  CHECK(not_ical.code == std::optional<int>(1));
  CHECK(not_ical.output.find("not an iCalendar file") != std::string::npos);
  CHECK(holidays_import(dir.path() / "nothing", ics).code == std::optional<int>(1));

  auto store = itpm::storage::open_database(data);
  itpm::storage::Repositories repos(*store);
  CHECK(repos.holidays_of("").size() == 2);
  CHECK(repos.find<itpm::storage::Holiday>("dr-2027", "2026-12-26")->name == "Christmas");
  CHECK(repos.audit("holidays").size() == 2);
  CHECK(repos.check().empty());
  CHECK_FALSE(std::filesystem::exists(dir.path() / "nothing"));
}
