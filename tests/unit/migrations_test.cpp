// Schema migrations: an older database, opened by this build, is migrated forward on open and
// passes the integrity check with every index row the newer schema keeps.
#include "common/iso_date.hpp"
#include "storage/database.hpp"
#include "storage/key_codec.hpp"
#include "storage/repositories.hpp"
#include "tests/support/index_queries.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace itpm::storage;
using itpm::common::days_from_date;
using itpm::test::by_score;
using itpm::test::health;
using itpm::test::q4_counts;

TEST_CASE("a schema 1 database is migrated forward on open: search postings are rebuilt") {
  itpm::test::TempDir dir;
  auto path = dir.path() / "db";
  {
    auto store = Store::open(path);
    Repositories repos(*store);
    Batch add;
    Decision d;
    d.number = repos.next_number<Decision>(add);
    d.program = "dr";
    d.title = "Use Patroni for failover";
    d.date = "2026-11-30";
    repos.save(add, d, nullptr, Change{"U1", 1, "add"});
    REQUIRE(store->commit(std::move(add)));
    // Turn it into schema 1's layout: one key per posting (term, number), 12-byte values.
    Batch old;
    store->scan(Family::decision_postings, "", [&](std::string_view key, std::string_view) {
      old.remove(Family::decision_postings, key);
      return true;
    });
    old.put(Family::decision_terms, KeyBuilder().str("stolon").u64(1).done(),
            std::string(12, '\1'));
    Store::set_schema_version(old, 1);
    REQUIRE(store->commit(std::move(old)));
  }
  auto store = open_database(path);
  CHECK(store->stored_schema_version() == Store::schema_version);
  Repositories repos(*store);
  auto hits = repos.search_decisions(SearchQuery{"patroni failover", "", 20});
  REQUIRE(hits.size() == 1);
  CHECK(hits.front().number == 1);
  CHECK(repos.search_decisions(SearchQuery{"stolon", "", 20}).empty());
  CHECK(repos.check().empty());
}

TEST_CASE("a schema 2 database is migrated forward on open: event and due-date rows are written") {
  itpm::test::TempDir dir;
  auto path = dir.path() / "db";
  {
    auto store = Store::open(path);
    Repositories repos(*store);
    Batch add;
    Risk r;
    r.number = repos.next_number<Risk>(add);
    r.program = "dr";
    r.title = "Replica lag";
    r.created_at = 5000;
    r.status = RiskStatus::closed;
    r.closed_at = 9000;
    repos.save(add, r, nullptr, Change{"U1", 1, "add"});
    Milestone m;
    m.number = repos.next_number<Milestone>(add);
    m.program = "dr";
    m.title = "Cutover";
    m.due = "2026-12-10";
    m.slips.push_back(Slip{"2026-12-01", "2026-12-10", "vendor", "U1", 7000});
    repos.save(add, m, nullptr, Change{"U1", 1, "add"});
    Action a;
    a.number = repos.next_number<Action>(add);
    a.title = "Patch";
    a.due = "2026-12-04";
    repos.save(add, a, nullptr, Change{"U1", 1, "add"});
    REQUIRE(store->commit(std::move(add)));
    // Turn it into schema 2's layout: none of the rows schema 3 added.
    Batch old;
    for (Family f : {Family::risk_events, Family::milestone_events, Family::open_actions_by_due}) {
      store->scan(f, "", [&](std::string_view key, std::string_view) {
        old.remove(f, key);
        return true;
      });
    }
    Store::set_schema_version(old, 2);
    REQUIRE(store->commit(std::move(old)));
    CHECK_FALSE(repos.check().empty());
  }
  auto store = open_database(path);
  CHECK(store->stored_schema_version() == Store::schema_version);
  Repositories repos(*store);
  CHECK(repos.check().empty());
  CHECK(repos.count_events(Family::risk_events, "dr", itpm::storage::risk_opened, 5000) == 1);
  CHECK(repos.count_events(Family::risk_events, "dr", itpm::storage::risk_opened, 5001) == 0);
  CHECK(repos.count_events(Family::risk_events, "dr", itpm::storage::risk_closed, 8000) == 1);
  CHECK(repos.count_events(Family::milestone_events, "dr", itpm::storage::milestone_slipped,
                           6000) == 1);
  CHECK(repos.count_events(Family::milestone_events, "dr", itpm::storage::milestone_done, 0) == 0);
  CHECK(repos.open_actions("", "", 100).size() == 1);
  CHECK(repos.open_actions("2026-12-04", "", 100).empty());
  CHECK(repos.open_actions("2026-12-05", "", 100).size() == 1);
}

TEST_CASE("a schema 3 database is migrated forward on open: score, due, day and escalation rows") {
  itpm::test::TempDir dir;
  auto path = dir.path() / "db";
  {
    auto store = Store::open(path);
    Repositories repos(*store);
    auto save = [&](const auto& after, const auto* before, std::int64_t at) {
      Batch b;
      repos.save(b, after, before, Change{"U1", at, "x"});
      REQUIRE(store->commit(std::move(b)));
    };
    Batch numbers;
    Risk low;
    low.number = repos.next_number<Risk>(numbers);
    Risk high;
    high.number = repos.next_number<Risk>(numbers);
    Milestone done;
    done.number = repos.next_number<Milestone>(numbers);
    Milestone open;
    open.number = repos.next_number<Milestone>(numbers);
    Action late;
    late.number = repos.next_number<Action>(numbers);
    Action severe;
    severe.number = repos.next_number<Action>(numbers);
    REQUIRE(store->commit(std::move(numbers)));
    low.program = high.program = "dr";
    high.likelihood = 5;
    high.impact = 4;
    save(low, static_cast<const Risk*>(nullptr), 1000);
    save(high, static_cast<const Risk*>(nullptr), 1000);
    Risk escalated = high;  // on the ladder at 2000, off it at 3000
    escalated.escalation_level = 1;
    save(escalated, &high, 2000);
    save(high, &escalated, 3000);
    done.program = open.program = "dr";
    done.due = done.original_due = "2026-10-10";
    done.status = WorkStatus::done;
    done.done_on = "2026-10-09";
    open.due = "2026-12-15";
    save(done, static_cast<const Milestone*>(nullptr), 1000);
    save(open, static_cast<const Milestone*>(nullptr), 1000);
    late.due = "2026-10-20";
    late.status = WorkStatus::done;
    late.done_on = "2027-01-05";
    severe.due = "2026-11-02";
    severe.severity = "S2";
    save(late, static_cast<const Action*>(nullptr), 1000);
    save(severe, static_cast<const Action*>(nullptr), 1000);
    // Turn it into schema 3's layout: none of the rows schema 4 added.
    Batch old;
    for (Family f : {Family::risks_by_score, Family::open_milestones_by_due, Family::work_by_day,
                     Family::escalation_events, Family::risks_on_ladder}) {
      store->scan(f, "", [&](std::string_view key, std::string_view) {
        old.remove(f, key);
        return true;
      });
    }
    // Schema 3's open_actions_by_due rows had no program.
    old.remove(Family::open_actions_by_due,
               KeyBuilder().str(severe.due).u64(severe.number).str(severe.program).done());
    old.put(Family::open_actions_by_due, KeyBuilder().str(severe.due).u64(severe.number).done(),
            "");
    Store::set_schema_version(old, 3);
    REQUIRE(store->commit(std::move(old)));
    // 4 risk and milestone rows, 4 action rows, 2 escalations; the old action row and its new.
    CHECK(repos.check().size() == 12);
  }
  auto store = open_database(path);
  CHECK(store->stored_schema_version() == Store::schema_version);
  Repositories repos(*store);
  CHECK(repos.check().empty());
  CHECK(by_score(repos, false) == std::vector<std::uint64_t>{2, 1});
  CHECK(by_score(repos, true).empty());
  std::size_t total = 0;
  auto open = repos.open_milestones("", "dr", 5, &total);
  REQUIRE(open.size() == 1);
  CHECK(open.front().number == 2);
  CHECK(total == 1);
  auto c = q4_counts(repos);
  CHECK(c.milestones_done == 1);
  CHECK(c.milestones_on_time == 1);
  CHECK(c.actions_closed == 0);  // closed in 2027
  CHECK(c.actions_due_late == 1);
  CHECK(c.actions_due_open == 1);
  CHECK(c.severe_past_due == 1);
  CHECK(repos.count_escalations(escalation_raised, 0, 10000) == 1);
  CHECK(repos.count_escalations(escalation_raised, 2001, 10000) == 0);
  CHECK(repos.count_escalations(escalation_resolved, 2001, 3001) == 1);
  CHECK(repos.count_escalations(escalation_resolved, 0, 3000) == 0);
  total = 0;
  auto actions = repos.open_actions("", "", 5, &total);
  REQUIRE(actions.size() == 1);
  CHECK(actions.front().number == 2);
  CHECK(total == 1);
}

TEST_CASE("a schema 4 database is migrated forward on open: latest statuses, larger postings") {
  itpm::test::TempDir dir;
  auto path = dir.path() / "db";
  {
    auto store = Store::open(path);
    Repositories repos(*store);
    Batch batch;
    for (const char* key : {"dr", "ci", "old"}) {
      Program p;
      p.key = key;
      p.status = p.key == "old" ? ProgramStatus::closed : ProgramStatus::open;
      repos.save(batch, p, nullptr, Change{"U1", 1000, "add"});
    }
    auto status = [&](const char* program, const char* colour) {
      StatusUpdate u;
      u.number = repos.next_number<StatusUpdate>(batch);
      u.program = program;
      u.status = colour;
      repos.save(batch, u, nullptr, Change{"U1", 1000, "status"});
    };
    status("dr", "green");
    status("ci", "red");
    status("dr", "red");
    status("old", "amber");
    status("ci", "amber");
    Risk r;
    r.number = repos.next_number<Risk>(batch);
    r.program = "dr";
    r.likelihood = 3;
    r.impact = 4;
    repos.save(batch, r, nullptr, Change{"U1", 1000, "add"});
    Decision d;
    d.number = repos.next_number<Decision>(batch);
    d.program = "dr";
    d.title = "Use Patroni for failover";
    d.date = "2026-11-30";
    repos.save(batch, d, nullptr, Change{"U1", 1000, "add"});
    REQUIRE(store->commit(std::move(batch)));
    CHECK(health(repos, health_rank("red")) == std::vector<std::string>{"dr"});
    CHECK(health(repos, health_rank("amber")) == std::vector<std::string>{"ci"});
    // Turn it into schema 4's layout: none of the rows schema 5 added.
    Batch old;
    for (Family f : {Family::program_health, Family::open_programs, Family::decision_postings}) {
      store->scan(f, "", [&](std::string_view key, std::string_view) {
        old.remove(f, key);
        return true;
      });
    }
    // Schema 4's postings: chunks of 256, 13-byte entries with a one-byte offset, merged.
    std::string entry(13, '\0');
    entry[0] = '\1';
    entry[1] = '\1';  // tf 1
    for (const char* term : {"patroni", "failover"}) {
      old.merge(Family::decision_terms, KeyBuilder().str(term).u64(0).done(), "+" + entry);
    }
    // Schema 4 filed surveys as Q-<n>.
    old.put(Family::audit, KeyBuilder().str("Q-1").u64(999).done(),
            R"({"v":1,"item":"Q-1","by":"U1","at":1000,"action":"send","before":null,"after":{}})");
    // Schema 4 kept no risk counters.
    old.set_counter(risk_cell_counter(RiskStatus::open, 3, 4), 0);
    Store::set_schema_version(old, 4);
    REQUIRE(store->commit(std::move(old)));
    store->compact(Family::decision_terms);  // the old merge operator still reads them
    // 3 health rows, 2 open programs, the old postings, the missing new ones, the counters.
    CHECK(repos.check().size() == 8);
  }
  auto store = open_database(path);
  CHECK(store->stored_schema_version() == Store::schema_version);
  Repositories repos(*store);
  CHECK(repos.check().empty());
  CHECK(health(repos, health_rank("red")) == std::vector<std::string>{"dr"});
  CHECK(health(repos, health_rank("amber")) == std::vector<std::string>{"ci"});  // not "old"
  CHECK(health(repos, health_rank("green")).empty());
  CHECK(repos.count_open_programs() == 2);
  CHECK(repos.risk_cells(RiskStatus::open)[2][3] == 1);
  REQUIRE(repos.audit("S-1").size() == 1);
  CHECK(repos.audit("S-1").front().item == "S-1");
  CHECK(repos.audit("Q-1").empty());
  auto hits = repos.search_decisions(SearchQuery{"patroni failover", "", 20});
  REQUIRE(hits.size() == 1);
  CHECK(hits.front().number == 1);
  std::size_t old_rows = 0;
  store->scan(Family::decision_terms, "", [&](std::string_view, std::string_view) {
    ++old_rows;
    return true;
  });
  CHECK(old_rows == 0);
}

TEST_CASE("a schema 5 database is migrated forward on open: each person's programs and open work") {
  itpm::test::TempDir dir;
  auto path = dir.path() / "db";
  auto numbers = [](const Repositories& repos, const std::string& owner, std::uint8_t kind) {
    std::vector<std::uint64_t> out;
    auto total = repos.open_work_of(owner, kind, 10, [&](std::uint64_t n) { out.push_back(n); });
    CHECK(total == out.size());
    return out;
  };
  {
    auto store = Store::open(path);
    Repositories repos(*store);
    Batch batch;
    for (int score : {2, 20, 9}) {
      Risk r;
      r.number = repos.next_number<Risk>(batch);
      r.program = "dr";
      r.owner = "UBOB";
      r.likelihood = score == 20 ? 4 : 1;
      r.impact = score == 20 ? 5 : score;
      repos.save(batch, r, nullptr, Change{"U1", 1000, "add"});
    }
    Program dr;
    dr.key = "dr";
    dr.owner = "UBOB";
    dr.sponsor = "UCAROL";
    repos.save(batch, dr, nullptr, Change{"U1", 1000, "add"});
    Risk closed;
    closed.number = repos.next_number<Risk>(batch);
    closed.owner = "UBOB";
    closed.status = RiskStatus::closed;
    repos.save(batch, closed, nullptr, Change{"U1", 1000, "add"});
    for (const char* due : {"2026-12-20", "2026-12-01"}) {
      Action a;
      a.number = repos.next_number<Action>(batch);
      a.owner = "UBOB";
      a.due = due;
      repos.save(batch, a, nullptr, Change{"U1", 1000, "add"});
      Milestone m;
      m.number = repos.next_number<Milestone>(batch);
      m.owner = "UCAROL";
      m.due = due;
      repos.save(batch, m, nullptr, Change{"U1", 1000, "add"});
    }
    REQUIRE(store->commit(std::move(batch)));
    CHECK(numbers(repos, "UBOB", owned_risk) == std::vector<std::uint64_t>{2, 3, 1});
    // Turn it into schema 5's layout: no owner rows.
    Batch old;
    store->scan(Family::open_work_by_owner, "", [&](std::string_view key, std::string_view) {
      old.remove(Family::open_work_by_owner, key);
      return true;
    });
    Store::set_schema_version(old, 5);
    REQUIRE(store->commit(std::move(old)));
    CHECK(repos.check().size() == 9);  // a missing row for each program lead and open item
  }
  auto store = open_database(path);
  CHECK(store->stored_schema_version() == Store::schema_version);
  Repositories repos(*store);
  CHECK(repos.check().empty());
  CHECK(numbers(repos, "UBOB", owned_risk) == std::vector<std::uint64_t>{2, 3, 1});
  CHECK(numbers(repos, "UBOB", owned_action) == std::vector<std::uint64_t>{2, 1});
  CHECK(numbers(repos, "UCAROL", owned_milestone) == std::vector<std::uint64_t>{2, 1});
  CHECK(numbers(repos, "UCAROL", owned_risk).empty());
  std::vector<std::pair<std::string, bool>> runs;
  repos.programs_run_by("UCAROL", [&](std::string_view key, bool sponsor) {
    runs.emplace_back(std::string(key), sponsor);
  });
  CHECK(runs == std::vector<std::pair<std::string, bool>>{{"dr", true}});
}

TEST_CASE("a schema 6 database is migrated forward on open: decisions by person, dependencies") {
  itpm::test::TempDir dir;
  auto path = dir.path() / "db";
  auto decided_by = [](const Repositories& repos, const std::string& person) {
    std::vector<std::uint64_t> out;
    std::size_t total = 0;
    for (const auto& d : repos.decisions(DecisionFilter{"", "", person, 0, 0}, 10, &total))
      out.push_back(d.number);
    CHECK(total == out.size());
    return out;
  };
  auto needed = [](const Repositories& repos, const std::string& program) {
    std::vector<std::uint64_t> out;
    for (const auto& d : repos.open_dependencies(program, 10)) out.push_back(d.number);
    return out;
  };
  {
    auto store = Store::open(path);
    Repositories repos(*store);
    Batch batch;
    for (const char* date : {"2026-01-05", "2026-03-01"}) {
      Decision d;
      d.number = repos.next_number<Decision>(batch);
      d.program = "dr";
      d.date = date;
      d.decided_by = {"UBOB"};
      d.created_by = "UALICE";
      repos.save(batch, d, nullptr, Change{"U1", 1000, "add"});
    }
    for (const char* need_by : {"2027-02-01", "2027-01-01"}) {
      Dependency x;
      x.number = repos.next_number<Dependency>(batch);
      x.program = "dr";
      x.on_kind = "program";
      x.on = "net";
      x.need_by = need_by;
      repos.save(batch, x, nullptr, Change{"U1", 1000, "add"});
    }
    Risk r;
    r.number = repos.next_number<Risk>(batch);
    r.owner = "UBOB";
    r.likelihood = 3;
    r.impact = 3;
    r.status = RiskStatus::mitigating;
    repos.save(batch, r, nullptr, Change{"U1", 1000, "add"});
    REQUIRE(store->commit(std::move(batch)));
    // Turn it into schema 6's layout: no rows of the new families, risks' owner rows without
    // their status.
    Batch old;
    for (Family f : {Family::decisions_by_person, Family::open_dependencies}) {
      store->scan(f, "", [&](std::string_view key, std::string_view) {
        old.remove(f, key);
        return true;
      });
    }
    old.remove(Family::open_work_by_owner,
               owned_row("UBOB", owned_risk, 16, "mitigating", r.number).second);
    old.put(Family::open_work_by_owner, owned_row("UBOB", owned_risk, 16, "", r.number).second, "");
    Store::set_schema_version(old, 6);
    REQUIRE(store->commit(std::move(old)));
    CHECK(repos.check().size() == 12);  // 4 person rows, 6 dependency rows, 2 owner rows
  }
  auto store = open_database(path);
  CHECK(store->stored_schema_version() == Store::schema_version);
  Repositories repos(*store);
  CHECK(repos.check().empty());
  CHECK(decided_by(repos, "UBOB") == std::vector<std::uint64_t>{2, 1});
  CHECK(decided_by(repos, "UALICE") == std::vector<std::uint64_t>{2, 1});
  CHECK(decided_by(repos, "UCAROL").empty());
  CHECK(needed(repos, "dr") == std::vector<std::uint64_t>{2, 1});
  CHECK(needed(repos, "net") == std::vector<std::uint64_t>{2, 1});  // needed of net
  CHECK(repos.open_dependencies_of("net", 10).empty());
  std::vector<RiskStatus> statuses;
  repos.owned_risks("UBOB", [&](std::uint64_t, int score, RiskStatus s) {
    CHECK(score == 9);
    statuses.push_back(s);
    return true;
  });
  CHECK(statuses == std::vector<RiskStatus>{RiskStatus::mitigating});
}

TEST_CASE("a schema 7 database is migrated forward on open: escalations under their program") {
  itpm::test::TempDir dir;
  auto path = dir.path() / "db";
  {
    auto store = Store::open(path);
    Repositories repos(*store);
    Batch numbers;
    Risk risk;
    risk.number = repos.next_number<Risk>(numbers);
    REQUIRE(store->commit(std::move(numbers)));
    risk.program = "dr";
    risk.likelihood = 5;
    risk.impact = 4;
    Risk escalated = risk;  // onto the ladder at 2000, off at 3000, onto it again at 4000
    escalated.escalation_level = 1;
    Batch b;
    repos.save(b, risk, nullptr, Change{"U1", 1000, "add"});
    repos.save(b, escalated, &risk, Change{"U1", 2000, "escalate"});
    repos.save(b, risk, &escalated, Change{"U1", 3000, "ack"});
    repos.save(b, escalated, &risk, Change{"U1", 4000, "escalate"});
    // As schema 7 stored it: no escalation under the program.
    for (std::int64_t at : {2000, 4000})
      b.remove(Family::risk_events, event_key("dr", risk_escalated, at, risk.number));
    Store::set_schema_version(b, 7);
    REQUIRE(store->commit(std::move(b)));
    CHECK(repos.check().size() == 2);  // a record lacks its row, twice
    CHECK(repos.count_events(Family::risk_events, "dr", risk_escalated, 0) == 0);
  }
  auto store = open_database(path);
  CHECK(store->stored_schema_version() == Store::schema_version);
  Repositories repos(*store);
  CHECK(repos.check().empty());
  CHECK(repos.event_numbers(Family::risk_events, "dr", risk_escalated, 0) ==
        std::set<std::uint64_t>{1});
  CHECK(repos.count_events(Family::risk_events, "dr", risk_escalated, 2001) == 1);
  CHECK(repos.count_events(Family::risk_events, "dr", risk_escalated, 4001) == 0);
}
