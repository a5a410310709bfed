#include "storage/repositories.hpp"
#include "common/iso_date.hpp"
#include "storage/database.hpp"
#include "storage/key_codec.hpp"
#include "tests/support/index_queries.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace itpm::storage;
using itpm::common::days_from_date;
using itpm::test::by_score;
using itpm::test::q4_counts;

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
    auto risks = f.repos.risks_of_program("dr");
    for (const auto& r : *risks) n.push_back(r.number);
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
  f.repos.programs_closed(5000, 5001, [&](std::int64_t at, std::string_view due, std::string_view) {
    closed_programs.push_back(std::to_string(at) + " " + std::string(due));
  });
  CHECK(closed_programs == std::vector<std::string>{"5000 2026-11-30"});
  f.repos.programs_closed(
      0, 5000, [&](std::int64_t, std::string_view, std::string_view) { FAIL("closed at 5000"); });

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
      CHECK(f.repos.risks_of_program("dr-2027")->front().likelihood == likelihood);
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

TEST_CASE("a program's risks kept between writes serve reads under a view, as the view sees them") {
  Fixture f;
  f.add_risk("dr", 2, 2);
  CHECK(f.repos.risks_of_program("dr")->size() == 1);  // kept at this version
  {
    Store::ReadView view(*f.store);
    f.add_risk("dr", 3, 3);  // committed after the view was made
    f.add_risk("ci", 1, 1);
    CHECK(f.store->version(Family::risks) != f.store->current_version(Family::risks));
    ReadSet reads;                                       // counts what is read from the store
    CHECK(f.repos.risks_of_program("dr")->size() == 1);  // the kept answer is the view's
    CHECK(reads.size() == 0);                            // and nothing was read for it
    CHECK(f.repos.risks_of_program("ci")->empty());      // read in the view, not kept
  }
  CHECK(f.repos.risks_of_program("dr")->size() == 2);
  CHECK(f.repos.risks_of_program("ci")->size() == 1);
}

TEST_CASE("the settings kept between writes are read again after `config set`, and noted") {
  Fixture f;
  CHECK(f.repos.settings() == nlohmann::json::object());
  auto save = [&](int hours) {
    Batch batch;
    nlohmann::json after = {{"quiet_hours", hours}};
    f.repos.save_settings(batch, after, f.repos.settings(), f.change("config"));
    REQUIRE(f.store->commit(std::move(batch)));
  };
  save(1);
  CHECK(f.repos.settings()["quiet_hours"] == 1);
  {
    Store::ReadBudget nothing(0);  // kept: the next commands read no row for them
    CHECK(f.repos.settings()["quiet_hours"] == 1);
  }
  {
    Store::ReadView view(*f.store);
    save(2);                                        // after the view was made
    CHECK(f.repos.settings()["quiet_hours"] == 1);  // what the view sees
  }
  ReadSet reads;  // a kept answer is still a read a conditional write depends on
  CHECK(f.repos.settings()["quiet_hours"] == 2);
  CHECK(reads.size() == 1);
}
