#include "storage/export.hpp"
#include "storage/record_traits.hpp"
#include "storage/repositories.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <sstream>

using namespace itpm::storage;

namespace {

void fill(Store& store) {
  Repositories repos(store);
  Program p;
  p.key = "dr-2027";
  p.name = "Disaster Recovery, \"2027\"";
  p.owner = "U1";
  p.tags = {"dr", "infra"};
  Batch b1;
  repos.save(b1, p, nullptr, Change{"U1", 1, "add"});
  REQUIRE(store.commit(std::move(b1)));
  for (int i = 0; i < 5; ++i) {
    Batch b;
    Risk r;
    r.number = repos.next_number<itpm::storage::Risk>(b);
    r.program = "dr-2027";
    r.title = "Risk " + std::to_string(i);
    r.likelihood = i % 5 + 1;
    r.impact = 3;
    repos.save(b, r, nullptr, Change{"U2", 10 + i, "add"});
    Decision d;
    d.number = repos.next_number<itpm::storage::Decision>(b);
    d.program = "dr-2027";
    d.title = "Use Patroni for failover, step " + std::to_string(i);
    d.date = "2026-11-2" + std::to_string(i);
    d.tags = {"postgres"};
    repos.save(b, d, nullptr, Change{"U3", 20 + i, "add"});
    REQUIRE(store.commit(std::move(b)));
  }
  auto r1 = repos.find<itpm::storage::Risk>(1);
  Risk closed = *r1;
  closed.status = itpm::storage::RiskStatus::closed;
  Batch b2;
  repos.save(b2, closed, &*r1, Change{"U1", 99, "close"});
  REQUIRE(store.commit(std::move(b2)));
  Batch b3;
  Survey survey;
  survey.number = repos.next_number<itpm::storage::Survey>(b3);
  survey.program = "dr-2027";
  survey.channel = "C1";
  survey.sent_by = "U1";
  repos.save(b3, survey, nullptr, Change{"U1", 100, "send"});
  repos.save(b3, Vote{survey.number, "U2", 4, 101}, nullptr, Change{"U2", 101, "vote"});
  REQUIRE(store.commit(std::move(b3)));
  // Exports list a program's status updates newest first.
  Batch b4;
  for (const char* colour : {"green", "red"}) {
    StatusUpdate u;
    u.number = repos.next_number<StatusUpdate>(b4);
    u.program = "dr-2027";
    u.status = colour;
    repos.save(b4, u, nullptr, Change{"U1", 102, "status"});
  }
  repos.save(b4, itpm::storage::Holiday{"", "2026-12-25", "Christmas Day", "U1", 103}, nullptr,
             Change{"U1", 103, "add"});
  repos.save(b4, itpm::storage::Holiday{"dr-2027", "2026-12-28", "Freeze", "U1", 103}, nullptr,
             Change{"U1", 103, "add"});
  repos.save(b4, itpm::storage::Absence{"U2", "2026-12-21", "2027-01-04", "U3", "U2", 104}, nullptr,
             Change{"U2", 104, "set"});
  repos.save(b4, itpm::storage::Availability{"2026-11", "", 99'970, "recorded", "U1", 105}, nullptr,
             Change{"U1", 105, "record"});
  REQUIRE(store.commit(std::move(b4)));
}

}  // namespace

TEST_CASE("export, import, export is byte-identical and the imported store works") {
  itpm::test::TempDir dir;
  auto original = Store::open(dir.path() / "a");
  fill(*original);
  std::string first = export_json(*original).dump(2);

  auto copy = Store::open(dir.path() / "b");
  import_json(*copy, nlohmann::json::parse(first));
  CHECK(export_json(*copy).dump(2) == first);

  Repositories repos(*copy);
  CHECK(repos.check().empty());
  CHECK(repos.audit("R-1").size() == 2);
  CHECK(repos.search_decisions(SearchQuery{"patroni", "", 20}).size() == 5);
  CHECK(repos.risks_of_program("dr-2027")->size() == 5);
  CHECK(repos.votes(1).size() == 1);
  CHECK(repos.find<itpm::storage::Vote>(1, "U2")->score == 4);
  CHECK(repos.find<itpm::storage::Holiday>("dr-2027", "2026-12-28")->name == "Freeze");
  CHECK(repos.find<itpm::storage::Absence>("U2")->delegate == "U3");
  CHECK(repos.find<itpm::storage::Availability>("2026-11", "")->milli_percent == 99'970);
  std::vector<std::string> red;
  repos.programs_by_health(health_rank("red"), [&](std::string_view program) {
    red.emplace_back(program);
    return true;
  });
  CHECK(red == std::vector<std::string>{"dr-2027"});  // the latest status, not the first
  Batch batch;
  CHECK(repos.next_number<itpm::storage::Risk>(batch) ==
        6);  // numbers continue after the imported ones
}

TEST_CASE("an export is written and imported a row at a time, and exports the same bytes again") {
  itpm::test::TempDir dir;
  auto original = Store::open(dir.path() / "a");
  fill(*original);
  std::string first = export_json(*original).dump(2);
  auto file = dir.path() / "export.json";
  {
    std::ofstream text(file, std::ios::binary);
    write_export(*original, text);  // as the CLI writes it, a record at a time
  }
  {
    std::ifstream in(file, std::ios::binary);
    std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(written == first);
  }

  auto copy = Store::open(dir.path() / "b");
  auto counts = import_file(*copy, file);
  CHECK(counts["programs"] == 1);
  CHECK(counts["risks"] == 5);
  CHECK(counts["decisions"] == 5);
  CHECK(export_json(*copy).dump(2) == first);
  CHECK(Repositories(*copy).check().empty());

  // The same rows written compactly (no white space between values) read the same.
  auto compact_file = dir.path() / "compact.json";
  std::ofstream(compact_file, std::ios::binary) << nlohmann::json::parse(first).dump();
  auto again = Store::open(dir.path() / "c");
  (void)import_file(*again, compact_file);
  CHECK(export_json(*again).dump(2) == first);
}

TEST_CASE("an export file cut short or with a bad row is refused and nothing is written") {
  itpm::test::TempDir dir;
  auto original = Store::open(dir.path() / "a");
  fill(*original);
  auto document = export_json(*original);
  std::string text = document.dump(2);
  auto cut = dir.path() / "cut.json";
  std::ofstream(cut, std::ios::binary) << text.substr(0, text.size() / 2);
  auto empty = Store::open(dir.path() / "b");
  CHECK_THROWS_WITH(import_file(*empty, cut), Catch::Contains("is not a valid export"));
  document["risks"][2]["program"] = "gone";
  document["risks"][3]["program"] = "gone";
  auto bad = dir.path() / "bad.json";
  std::ofstream(bad, std::ios::binary) << document.dump(2);
  CHECK_THROWS_WITH(import_file(*empty, bad),
                    Catch::Contains("risks[2] (R-3): program \"gone\" is not in the export "
                                    "(nor for 1 more rows)"));
  CHECK_THROWS_WITH(import_file(*empty, dir.path() / "missing.json"),
                    Catch::Contains("cannot read"));
  CHECK(export_json(*empty)["risks"].empty());
  CHECK(export_json(*empty)["audit"].empty());
}

TEST_CASE("import refuses a non-empty store, a foreign document and a newer format") {
  itpm::test::TempDir dir;
  auto store = Store::open(dir.path() / "a");
  fill(*store);
  auto document = export_json(*store);
  CHECK_THROWS_WITH(import_json(*store, document), Catch::Contains("already holds records"));
  auto empty = Store::open(dir.path() / "b");
  CHECK_THROWS_WITH(import_json(*empty, nlohmann::json{{"programs", nlohmann::json::array()}}),
                    Catch::Contains("not an itpm-bot export"));
  auto newer = document;
  newer["version"] = 99;
  CHECK_THROWS_WITH(import_json(*empty, newer), Catch::Contains("newer"));
  // Found by fuzzing: a field of another type threw a JSON error past the CLI (abort).
  CHECK_THROWS_WITH(import_json(*empty, {{"format", nlohmann::json::array()}}),
                    Catch::Contains("not an itpm-bot export"));
  CHECK_THROWS_WITH(import_json(*empty, {{"format", "itpm-bot-export"}, {"version", "1"}}),
                    Catch::Contains("format version is not a number"));
  auto broken = document;
  broken["risks"][0]["number"] = "twelve";
  CHECK_THROWS_WITH(import_json(*empty, broken),
                    Catch::Contains("nothing was imported") && Catch::Contains("risks[0]: "));
  CHECK(export_json(*empty)["programs"].empty());  // nothing half-written
}

TEST_CASE("import names every bad row: references, duplicates, sequences behind the ids") {
  itpm::test::TempDir dir;
  auto store = Store::open(dir.path() / "a");
  fill(*store);
  auto document = export_json(*store);
  REQUIRE(document["risks"].size() >= 2);
  document["risks"][0]["program"] = "gone";
  document["risks"][1]["number"] = document["risks"][0]["number"];
  document["sequences"]["decision"] = 0;
  auto empty = Store::open(dir.path() / "b");
  try {
    import_json(*empty, document);
    FAIL("a bad export must be refused");
  } catch (const itpm::storage::StoreError& e) {
    std::string text = e.what();
    INFO(text);
    CHECK_THAT(text, Catch::Contains("3 problem(s); nothing was imported"));
    CHECK_THAT(text, Catch::Contains("risks[0] (R-1): program \"gone\" is not in the export"));
    CHECK_THAT(text, Catch::Contains("risks[1]: R-1 appears twice"));
    CHECK_THAT(text, Catch::Contains("sequence \"decision\" is 0, below the highest number"));
  }
  CHECK(export_json(*empty)["risks"].empty());
}

TEST_CASE("import checks every field's shape and names the row: nothing planted is written") {
  itpm::test::TempDir dir;
  auto store = Store::open(dir.path() / "a");
  fill(*store);
  auto document = export_json(*store);
  REQUIRE_FALSE(document["programs"].empty());
  REQUIRE(document["risks"].size() >= 2);
  // Left out, a key would read as "" and be stored keyless: exported, it could not come back.
  auto keyless = document["programs"][0];
  keyless.erase("key");
  document["programs"].push_back(keyless);
  // Shown as <@owner> in every list: it would ping the whole channel.
  document["programs"][0]["owner"] = "U1><!channel";
  document["risks"][0]["due"] = "next week";
  document["risks"][1]["status"] = "snoozed";  // would read as "open"
  document["decisions"][0]["decided_by"] = {"U7", "<!here>"};
  document["decisions"][0]["channel"] = "#general";
  auto empty = Store::open(dir.path() / "b");
  try {
    import_json(*empty, document);
    FAIL("a planted field must be refused");
  } catch (const itpm::storage::StoreError& e) {
    std::string text = e.what();
    INFO(text);
    CHECK_THAT(text, Catch::Contains("6 problem(s); nothing was imported"));
    CHECK_THAT(text, Catch::Contains(
                         R"(programs[0] (dr-2027): owner is "U1><!channel", not a Slack user ID)"));
    CHECK_THAT(text, Catch::Contains(R"(risks[0] (R-1): due is "next week", not a date)"));
    CHECK_THAT(text, Catch::Contains(R"((R-2): status "snoozed" is not one this record can have)"));
    CHECK_THAT(text, Catch::Contains(R"(decided_by is ["U7","<!here>"], not Slack user IDs)"));
    CHECK_THAT(text, Catch::Contains(R"(channel is "#general", not a Slack channel ID)"));
    CHECK_THAT(text, Catch::Contains(R"( (): key is "", not a program key like dr-2027)"));
  }
  CHECK(export_json(*empty)["programs"].empty());
}

TEST_CASE("import refuses numbers that are not whole 64-bit numbers, before reading any row") {
  // Found by fuzzing: nlohmann casts 5.5e40 into an integer field, undefined behaviour.
  itpm::test::TempDir dir;
  auto store = Store::open(dir.path() / "a");
  fill(*store);
  auto document = export_json(*store);
  document["risks"][0]["likelihood"] = 5.5e40;
  document["audit"][0]["seq"] = 1.5;
  auto empty = Store::open(dir.path() / "b");
  try {
    import_json(*empty, document);
    FAIL("fractions must be refused");
  } catch (const itpm::storage::StoreError& e) {
    std::string text = e.what();
    INFO(text);
    CHECK_THAT(text, Catch::Contains("2 problem(s)"));
    CHECK_THAT(text, Catch::Contains("/risks/0/likelihood: 5.5e+40 is not a whole number"));
    CHECK_THAT(text, Catch::Contains("/audit/0/seq: 1.5 is not a whole number"));
  }
  CHECK(export_json(*empty)["risks"].empty());
}

TEST_CASE("CSV export writes one file per record type with a header row") {
  itpm::test::TempDir dir;
  auto store = Store::open(dir.path() / "a");
  fill(*store);
  export_csv(*store, dir.path() / "csv");
  std::ifstream programs(dir.path() / "csv" / "programs.csv");
  std::string header;
  std::string row;
  std::getline(programs, header);
  std::getline(programs, row);
  CHECK(header.find("key") != std::string::npos);
  CHECK(row.find("\"Disaster Recovery, \"\"2027\"\"\"") != std::string::npos);
  CHECK(row.find("dr;infra") != std::string::npos);
  std::ifstream risks(dir.path() / "csv" / "risks.csv");
  std::stringstream all;
  all << risks.rdbuf();
  std::string text = all.str();
  CHECK(std::count(text.begin(), text.end(), '\n') == 6);
}

TEST_CASE("backups are verified, pruned to the newest N, and restore to the same data") {
  itpm::test::TempDir dir;
  auto store = Store::open(dir.path() / "db");
  fill(*store);
  Store::BackupInfo last;
  for (int i = 0; i < 3; ++i) last = store->backup(dir.path() / "backups", 2);
  CHECK(last.id == 3);
  CHECK(last.size > 0);
  auto info = Store::restore_latest(dir.path() / "backups", dir.path() / "restored");
  CHECK(info.id == 3);
  auto restored = Store::open(dir.path() / "restored");
  CHECK(export_json(*restored).dump() == export_json(*store).dump());
  CHECK_THROWS_AS(Store::restore_latest(dir.path() / "empty-backups", dir.path() / "x"),
                  StoreError);
}

TEST_CASE("CSV cells a spreadsheet would run as a formula stay text") {
  itpm::test::TempDir dir;
  auto store = Store::open(dir.path() / "a");
  Repositories repos(*store);
  Program p;
  p.key = "dr-2027";
  p.name = "=HYPERLINK(\"https://evil.example\",\"open\")";
  p.description = "-2+3";
  p.owner = "U1";
  p.budget = 5;
  Batch b;
  repos.save(b, p, nullptr, Change{"U1", 1, "add"});
  Decision d;
  d.number = repos.next_number<Decision>(b);
  d.program = "dr-2027";
  d.title = "Tags are cells too";
  d.date = "2026-11-27";
  d.tags = {"=HYPERLINK(\"https://evil.example\")", "ok"};
  repos.save(b, d, nullptr, Change{"U1", 1, "add"});
  REQUIRE(store->commit(std::move(b)));
  itpm::storage::export_csv(*store, dir.path() / "csv");
  auto read = [&](const char* file) {
    std::ifstream in(dir.path() / "csv" / file);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  std::string csv = read("programs.csv");
  // A list is joined into one cell, guarded as a whole.
  CHECK_THAT(read("decisions.csv"),
             Catch::Contains(",\"'=HYPERLINK(\"\"https://evil.example\"\");ok\","));
  CHECK_THAT(csv, Catch::Contains("\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"open\"\")\""));
  CHECK_THAT(csv, Catch::Contains(",'-2+3,"));
  CHECK_THAT(csv, Catch::Contains("\n5,"));  // numbers stay numbers
  CHECK_THAT(csv, !Catch::Contains(",=HYPERLINK"));
}
