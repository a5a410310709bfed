#include "storage/repositories.hpp"
#include "common/iso_date.hpp"
#include "storage/database.hpp"
#include "storage/key_codec.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace itpm::storage;
using itpm::common::days_from_date;

namespace {

struct Fixture {
  itpm::test::TempDir dir;
  std::unique_ptr<Store> store = Store::open(dir.path() / "db");
  Repositories repos{*store};

  Change change(std::string action) { return Change{"U1", ++clock, std::move(action)}; }
  std::int64_t clock = 1000;

  Risk add_risk(const std::string& program, int l, int i) {
    Batch batch;
    Risk r;
    r.number = repos.next_number<Risk>(batch);
    r.program = program;
    r.title = "risk " + std::to_string(r.number);
    r.likelihood = l;
    r.impact = i;
    repos.save(batch, r, nullptr, change("add"));
    REQUIRE(store->commit(std::move(batch)));
    return r;
  }

  Decision add_decision(const std::string& program, const std::string& title,
                        const std::string& date, std::vector<std::string> tags = {},
                        const std::string& context = "") {
    Batch batch;
    Decision d;
    d.number = repos.next_number<Decision>(batch);
    d.program = program;
    d.title = title;
    d.date = date;
    d.tags = std::move(tags);
    d.context = context;
    d.decided_by = {"U7"};
    repos.save(batch, d, nullptr, change("add"));
    REQUIRE(store->commit(std::move(batch)));
    return d;
  }

  std::size_t count(Family family) {
    std::size_t n = 0;
    store->scan(family, "", [&](std::string_view, std::string_view) { return ++n > 0; });
    return n;
  }

  std::vector<std::uint64_t> search(const std::string& words, const std::string& program = "") {
    std::vector<std::uint64_t> out;
    for (const auto& hit : repos.search_decisions(SearchQuery{words, program, 20}))
      out.push_back(hit.number);
    return out;
  }
};

}  // namespace

TEST_CASE("programs are stored, listed and audited with before and after") {
  Fixture f;
  Program p;
  p.key = "dr-2027";
  p.name = "Disaster Recovery 2027";
  p.owner = "U1";
  p.tags = {"dr", "infra"};
  Batch add;
  f.repos.save(add, p, nullptr, f.change("add"));
  REQUIRE(f.store->commit(std::move(add)));

  Program updated = p;
  updated.due = "2027-06-30";
  Batch update;
  f.repos.save(update, updated, &p, f.change("update"));
  REQUIRE(f.store->commit(std::move(update)));

  REQUIRE(f.repos.find<Program>("dr-2027"));
  CHECK(f.repos.find<Program>("dr-2027")->due == "2027-06-30");
  CHECK(f.repos.find<Program>("dr-2027")->tags == std::vector<std::string>{"dr", "infra"});
  CHECK(f.repos.all<Program>().size() == 1);
  auto history = f.repos.audit("dr-2027");
  REQUIRE(history.size() == 2);
  CHECK(history[0].action == "add");
  CHECK(history[0].before.is_null());
  CHECK(history[1].action == "update");
  CHECK(history[1].before["due"] == "");
  CHECK(history[1].after["due"] == "2027-06-30");
  CHECK(history[1].by == "U1");
}

TEST_CASE("a program's risks come highest score first, and index rows follow updates") {
  Fixture f;
  auto low = f.add_risk("dr", 1, 2);
  auto critical = f.add_risk("dr", 4, 5);
  auto medium = f.add_risk("dr", 3, 2);
  f.add_risk("ci", 5, 5);

  auto order = [&] {
    std::vector<std::uint64_t> n;
    for (const auto& r : f.repos.risks_of_program("dr")) n.push_back(r.number);
    return n;
  };
  CHECK(order() == std::vector<std::uint64_t>{critical.number, medium.number, low.number});

  Risk lowered = critical;
  lowered.likelihood = 1;
  Batch batch;
  f.repos.save(batch, lowered, &critical, f.change("update"));
  REQUIRE(f.store->commit(std::move(batch)));
  // 1 x 5 = 5 now: between medium (6) and low (2).
  CHECK(order() == std::vector<std::uint64_t>{medium.number, critical.number, low.number});
  CHECK(f.count(Family::risks_by_program) == f.count(Family::risks));
  CHECK(f.repos.audit(risk_id(critical.number)).size() == 2);
}

TEST_CASE("decisions list newest first with filters and a total") {
  Fixture f;
  auto d1 = f.add_decision("dr", "Failover within 60 s", "2026-09-14", {"failover"});
  auto d2 = f.add_decision("dr", "Use Patroni", "2026-11-30", {"failover", "postgres"});
  auto d3 = f.add_decision("ci", "Cache the toolchain", "2026-10-01", {"ci"});
  auto d4 = f.add_decision("dr", "Quarterly drills", "2026-11-30");

  auto numbers = [](const std::vector<Decision>& ds) {
    std::vector<std::uint64_t> n;
    for (const auto& d : ds) n.push_back(d.number);
    return n;
  };
  std::size_t total = 0;
  CHECK(numbers(f.repos.decisions({}, 10, &total)) ==
        std::vector<std::uint64_t>{d4.number, d2.number, d3.number, d1.number});
  CHECK(total == 4);
  CHECK(numbers(f.repos.decisions({}, 2, &total)).size() == 2);
  CHECK(total == 4);
  CHECK(numbers(f.repos.decisions(DecisionFilter{"dr", "", "", 0, 0}, 10)) ==
        std::vector<std::uint64_t>{d4.number, d2.number, d1.number});
  CHECK(numbers(f.repos.decisions(DecisionFilter{"", "failover", "", 0, 0}, 10)) ==
        std::vector<std::uint64_t>{d2.number, d1.number});
  CHECK(numbers(f.repos.decisions(
            DecisionFilter{"", "", "", days_from_date("2026-10-01"), days_from_date("2026-11-01")},
            10)) == std::vector<std::uint64_t>{d3.number});
  CHECK(numbers(f.repos.decisions(DecisionFilter{"", "", "U7", 0, 0}, 10)).size() == 4);
  CHECK(numbers(f.repos.decisions(DecisionFilter{"", "", "U8", 0, 0}, 10)).empty());
}

TEST_CASE("decision search ranks the right answer first on a known corpus") {
  Fixture f;
  auto patroni =
      f.add_decision("dr", "Use Patroni for automated failover", "2026-11-30", {"postgres"},
                     "Evaluated pg_auto_failover and Stolon; Patroni has the operator support");
  auto timing = f.add_decision("dr", "Failover must complete within 60 s", "2026-09-14");
  auto k8s = f.add_decision("ci", "Run CI runners on k8s", "2026-10-01", {"ci"},
                            "p99 queue time under 2 min");
  f.add_decision("ci", "Cache compiler outputs", "2026-10-02");
  f.add_decision("dr", "Back up to S3 nightly", "2026-10-03", {"s3"});

  CHECK(f.search("patroni").front() == patroni.number);
  auto both = f.search("failover patroni");
  REQUIRE(both.size() == 2);
  CHECK(both[0] == patroni.number);  // matches both words
  CHECK(both[1] == timing.number);
  CHECK(f.search("K8S") == std::vector<std::uint64_t>{k8s.number});
  CHECK(f.search("p99") == std::vector<std::uint64_t>{k8s.number});
  CHECK(f.search("s3").size() == 1);
  CHECK(f.search("postgres") == std::vector<std::uint64_t>{patroni.number});  // tags are indexed
  CHECK(f.search("failover", "ci").empty());
  CHECK(f.search("the and of").empty());
  CHECK(f.search("nothing-like-this").empty());
}

TEST_CASE("changing a decision's text re-indexes it") {
  Fixture f;
  auto d = f.add_decision("dr", "Use Stolon", "2026-11-30");
  Decision changed = d;
  changed.title = "Use Patroni";
  Batch batch;
  f.repos.save(batch, changed, &d, f.change("update"));
  REQUIRE(f.store->commit(std::move(batch)));
  CHECK(f.search("stolon").empty());
  CHECK(f.search("patroni") == std::vector<std::uint64_t>{d.number});
  CHECK(f.store->counter("decision_docs") == 1);
}

TEST_CASE("search terms: Unicode-aware lowercase words, stop words dropped") {
  CHECK(search_terms("The Primary DB failover, UNTESTED!") ==
        std::vector<std::string>{"primary", "db", "failover", "untested"});
  CHECK(search_terms("k8s p99 s3 a b") == std::vector<std::string>{"k8s", "p99", "s3"});
  CHECK(search_terms("Überprüfung der Ausfallsicherheit") ==
        std::vector<std::string>{"überprüfung", "der", "ausfallsicherheit"});
  CHECK(search_terms("ÉCOLE") == std::vector<std::string>{"école"});
  CHECK(search_terms("").empty());
}

TEST_CASE("dates convert to days since the epoch, bad dates are 0") {
  CHECK(days_from_date("1970-01-02") == 1);
  CHECK(days_from_date("2026-11-27") == 20784);
  CHECK(days_from_date("2026-02-30") == 0);
  CHECK(days_from_date("27.11.2026") == 0);
}

TEST_CASE("dedupe ids are seen until they expire, and expiry walks only what has expired") {
  Fixture f;
  Batch batch;
  f.repos.seen_events().remember(batch, "Ev1", 1000);
  f.repos.seen_events().remember(batch, "Ev2", 2000);
  f.repos.seen_events().remember(batch, "Ev3", 3000);
  REQUIRE(f.store->commit(std::move(batch)));
  CHECK(f.repos.seen_events().seen("Ev1", 999));
  CHECK_FALSE(f.repos.seen_events().seen("Ev1", 1000));
  CHECK_FALSE(f.repos.seen_events().seen("Ev9", 0));

  Batch extend;
  f.repos.seen_events().remember(extend, "Ev1", 5000);  // seen again: its expiry moves
  REQUIRE(f.store->commit(std::move(extend)));
  auto expire = [&](std::int64_t now, std::size_t max) {
    Batch removals;
    std::size_t n = f.repos.seen_events().expire(removals, now, max);
    REQUIRE(f.store->commit(std::move(removals)));
    return n;
  };
  CHECK(expire(2500, 100) == 1);  // only Ev2 (Ev1 moved to 5000)
  CHECK(f.repos.seen_events().seen("Ev1", 2500));
  CHECK(f.repos.seen_events().seen("Ev3", 2500));
  CHECK(expire(10000, 1) == 1);  // bounded per call
  CHECK(expire(10000, 10) == 1);
  CHECK(f.count(Family::dedupe) == 0);
}

TEST_CASE("the outbox is first in, first out, jobs come by due time") {
  Fixture f;
  Batch batch;
  auto a = f.repos.outbox().enqueue(batch, {{"channel", "C1"}, {"text", "first"}});
  f.repos.outbox().enqueue(batch, {{"channel", "C1"}, {"text", "second"}});
  f.repos.jobs().schedule(batch, 3000, {{"kind", "late"}});
  f.repos.jobs().schedule(batch, 1000, {{"kind", "early"}});
  f.repos.jobs().schedule(batch, 1000, {{"kind", "early too"}});
  REQUIRE(f.store->commit(std::move(batch)));

  auto queued = f.repos.outbox().entries(10);
  REQUIRE(queued.size() == 2);
  CHECK(queued[0].message["text"] == "first");
  Batch sent;
  f.repos.outbox().dequeue(sent, a);
  REQUIRE(f.store->commit(std::move(sent)));
  CHECK(f.repos.outbox().entries(10).front().message["text"] == "second");

  CHECK(f.repos.jobs().next_due() == std::optional<std::int64_t>(1000));
  auto due = f.repos.jobs().due(2000, 10);
  REQUIRE(due.size() == 2);
  CHECK(due[0].job["kind"] == "early");
  CHECK(due[1].job["kind"] == "early too");
  Batch fired;
  for (const auto& job : due) f.repos.jobs().unschedule(fired, job);
  REQUIRE(f.store->commit(std::move(fired)));
  CHECK(f.repos.jobs().next_due() == std::optional<std::int64_t>(3000));
  CHECK(f.repos.jobs().due(2000, 10).empty());
}

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

TEST_CASE("the event and due-date rows follow every change") {
  itpm::test::TempDir dir;
  auto store = Store::open(dir.path() / "db");
  Repositories repos(*store);
  auto save = [&](const auto& after, const auto* before) {
    Batch b;
    repos.save(b, after, before, Change{"U1", 1, "x"});
    REQUIRE(store->commit(std::move(b)));
  };
  Batch numbers;
  Action a;
  a.number = repos.next_number<Action>(numbers);
  a.title = "Patch";
  a.due = "2026-12-04";
  Risk r;
  r.number = repos.next_number<Risk>(numbers);
  r.program = "dr";
  r.created_at = 1000;
  REQUIRE(store->commit(std::move(numbers)));
  save(a, static_cast<const Action*>(nullptr));
  Action later = a;
  later.due = "2026-12-20";
  save(later, &a);
  CHECK(repos.open_actions("2026-12-05", "", 100).empty());
  REQUIRE(repos.open_actions("", "", 100).size() == 1);
  Action done = later;
  done.status = WorkStatus::done;
  save(done, &later);
  CHECK(repos.open_actions("", "", 100).empty());
  save(r, static_cast<const Risk*>(nullptr));
  Risk moved = r;
  moved.program = "ci";
  save(moved, &r);
  CHECK(repos.count_events(Family::risk_events, "dr", itpm::storage::risk_opened, 0) == 0);
  CHECK(repos.count_events(Family::risk_events, "ci", itpm::storage::risk_opened, 0) == 1);
  CHECK(repos.check().empty());
}

namespace {

// What a quarter's kpi reads for Q4 2026, from the index rows alone.
struct DayCounts {
  int milestones_done = 0;
  int milestones_on_time = 0;
  int actions_closed = 0;
  int actions_met = 0;
  int actions_due_open = 0;
  int actions_due_late = 0;
  int severe_past_due = 0;
};
DayCounts q4_counts(const Repositories& repos) {
  DayCounts c;
  repos.work_by_day(day_milestone_done, "2026-10-01", "2026-12-31", [&](const auto& row) {
    ++c.milestones_done;
    c.milestones_on_time += row.flag;
  });
  repos.work_by_day(day_action_closed, "2026-10-01", "2026-12-31", [&](const auto& row) {
    ++c.actions_closed;
    c.actions_met += row.flag;
  });
  repos.work_by_day(day_action_due, "2026-10-01", "2026-12-31", [&](const auto& row) {
    if (row.flag == action_open) ++c.actions_due_open;
    if (row.flag == action_done_late) ++c.actions_due_late;
  });
  repos.work_by_day(day_severe_action_due, "", "2026-11-30",
                    [&](const auto&) { ++c.severe_past_due; });
  return c;
}

std::vector<std::uint64_t> by_score(const Repositories& repos, bool closed) {
  std::vector<std::uint64_t> out;
  repos.risks_by_score(closed, [&](const auto& r) {
    out.push_back(r.number);
    return true;
  });
  return out;
}

}  // namespace

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

namespace {

std::vector<std::string> health(const Repositories& repos, std::uint8_t rank) {
  std::vector<std::string> out;
  repos.programs_by_health(rank, [&](std::string_view program) {
    out.emplace_back(program);
    return true;
  });
  return out;
}

}  // namespace

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

TEST_CASE("the score, due and day rows follow every change") {
  Fixture f;
  Risk a = f.add_risk("dr", 2, 2);
  Risk b = f.add_risk("ci", 3, 3);
  CHECK(by_score(f.repos, false) == std::vector<std::uint64_t>{b.number, a.number});
  Risk raised = a;
  raised.likelihood = 5;
  Batch batch;
  f.repos.save(batch, raised, &a, f.change("update"));
  REQUIRE(f.store->commit(std::move(batch)));
  CHECK(by_score(f.repos, false) == std::vector<std::uint64_t>{a.number, b.number});
  Risk closed = b;
  closed.status = RiskStatus::closed;
  batch = Batch();
  f.repos.save(batch, closed, &b, f.change("close"));
  REQUIRE(f.store->commit(std::move(batch)));
  CHECK(by_score(f.repos, false) == std::vector<std::uint64_t>{a.number});
  CHECK(by_score(f.repos, true) == std::vector<std::uint64_t>{b.number});
  // The counters by status, likelihood and impact moved with them.
  auto open = f.repos.risk_cells(RiskStatus::open);
  CHECK(open[4][1] == 1);  // a: 5 x 2
  CHECK(open[1][1] == 0);  // a was 2 x 2
  CHECK(open[2][2] == 0);  // b closed
  CHECK(f.repos.risk_cells(RiskStatus::closed)[2][2] == 1);
  CHECK(f.repos.check().empty());
  CHECK(f.repos.count_on_ladder() == 0);
  Risk on_ladder = raised;
  on_ladder.escalation_level = 2;
  batch = Batch();
  f.repos.save(batch, on_ladder, &raised, f.change("escalate"));
  Program p;
  p.key = "dr";
  p.due = "2026-11-30";
  p.status = ProgramStatus::closed;
  p.closed_at = 5000;
  f.repos.save(batch, p, nullptr, f.change("add"));
  REQUIRE(f.store->commit(std::move(batch)));
  CHECK(f.repos.count_on_ladder() == 1);
  std::vector<std::string> closed_programs;
  f.repos.programs_closed(5000, 5001, [&](std::int64_t at, std::string_view due) {
    closed_programs.push_back(std::to_string(at) + " " + std::string(due));
  });
  CHECK(closed_programs == std::vector<std::string>{"5000 2026-11-30"});
  f.repos.programs_closed(0, 5000, [&](std::int64_t, std::string_view) { FAIL("closed at 5000"); });

  batch = Batch();
  Milestone m;
  m.number = f.repos.next_number<Milestone>(batch);
  m.program = "dr";
  m.due = m.original_due = "2026-11-20";
  Action x;
  x.number = f.repos.next_number<Action>(batch);
  x.program = "ops";
  x.due = "2026-11-10";
  x.severity = "S1";
  f.repos.save(batch, m, nullptr, f.change("add"));
  f.repos.save(batch, x, nullptr, f.change("add"));
  REQUIRE(f.store->commit(std::move(batch)));
  CHECK(f.repos.open_milestones("2026-11-20", "", 5).empty());
  CHECK(f.repos.open_milestones("2026-11-21", "ci", 5).empty());
  CHECK(f.repos.open_milestones("2026-11-21", "dr", 5).size() == 1);
  CHECK(q4_counts(f.repos).severe_past_due == 1);
  CHECK(q4_counts(f.repos).actions_due_open == 1);
  std::size_t total = 0;
  CHECK(f.repos.open_actions("", "dr", 5).empty());
  CHECK(f.repos.open_actions("", "ops", 0, &total).empty());  // counted, not read
  CHECK(total == 1);
  CHECK(f.repos
            .open_actions("", "", 5, &total, [](const Action& act) { return act.severity == "S2"; })
            .empty());
  CHECK(total == 0);
  CHECK(f.repos.open_actions("2026-11-11", "ops", 5).size() == 1);

  // Both done late: the milestone after a slip (late against the first plan), the action
  // two days after its due date.
  Milestone slipped = m;
  slipped.due = "2026-11-25";
  slipped.status = WorkStatus::done;
  slipped.done_on = "2026-11-24";
  Action closed_late = x;
  closed_late.status = WorkStatus::done;
  closed_late.done_on = "2026-11-12";
  batch = Batch();
  f.repos.save(batch, slipped, &m, f.change("done"));
  f.repos.save(batch, closed_late, &x, f.change("done"));
  REQUIRE(f.store->commit(std::move(batch)));
  CHECK(f.repos.open_milestones("", "", 5).empty());
  auto c = q4_counts(f.repos);
  CHECK(c.milestones_done == 1);
  CHECK(c.milestones_on_time == 0);
  CHECK(c.actions_closed == 1);
  CHECK(c.actions_met == 0);
  CHECK(c.actions_due_open == 0);
  CHECK(c.actions_due_late == 1);
  CHECK(c.severe_past_due == 0);
  CHECK(f.repos.check().empty());
}

TEST_CASE("records read again after a change, and after a change back, are never stale") {
  // Decoded records are remembered by their stored bytes; this walks a record through states
  // whose bytes recur, in two stores, with reads in between.
  Fixture f;
  Fixture other;
  Risk r = f.add_risk("dr-2027", 2, 3);
  other.add_risk("dr-2027", 2, 3);  // the same bytes in another store
  for (int round = 0; round < 3; ++round) {
    for (int likelihood : {5, 2}) {
      Risk before = *f.repos.find<Risk>(r.number);
      Risk after = before;
      after.likelihood = likelihood;
      Batch batch;
      f.repos.save(batch, after, &before, f.change("update"));
      REQUIRE(f.store->commit(std::move(batch)));
      CHECK(f.repos.find<Risk>(r.number)->likelihood == likelihood);
      CHECK(f.repos.risks_of_program("dr-2027").front().likelihood == likelihood);
      CHECK(other.repos.find<Risk>(r.number)->likelihood == 2);
    }
  }
  Batch batch;
  Risk before = *f.repos.find<Risk>(r.number);
  Risk renamed = before;
  renamed.title = "renamed";
  f.repos.save(batch, renamed, &before, f.change("update"));
  REQUIRE(f.store->commit(std::move(batch)));
  CHECK(f.repos.all<Risk>().front().title == "renamed");
  CHECK(other.repos.all<Risk>().front().title == "risk 1");
}
