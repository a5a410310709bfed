// kpi on a hand-made data set: a quarter of milestones, programs, corrective actions,
// surveys and escalations, entered through the commands at the dates they happened. The
// expected numbers are worked out by hand in the comments.
#include "commands/areas/kpi_command.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/areas/survey_commands.hpp"
#include "tests/support/command_fixture.hpp"

#include <catch2/catch.hpp>

using namespace itpm::commands;
using itpm::test::contains;
using std::chrono::sys_days;

namespace {

sys_days day(int y, unsigned m, unsigned d) {
  return sys_days(std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d});
}

struct KpiFixture : itpm::test::CommandFixture {
  // Noon UTC on a day of 2026.
  void at(unsigned month, unsigned d) { now = day(2026, month, d) + std::chrono::hours(12); }

  void run_ok(const std::string& text, const std::string& user = "UALICE") {
    auto out = run(text, user);
    INFO(text << "\n" << out.reply.text);
    REQUIRE_FALSE(contains(out.reply.text, "Nothing was saved"));
  }

  void votes(const std::string& survey, const std::vector<int>& scores) {
    int voter = 0;
    for (int score : scores) {
      Policy policy = effective_policy(Policy{}, repos.settings());
      auto out =
          vote(VotePress{"UVOTER" + std::to_string(++voter), survey + ":" + std::to_string(score)},
               Context{now, {"UADMIN"}, repos, zone, policy});
      REQUIRE_FALSE(out.writes.empty());
      REQUIRE(store->commit(std::move(out.writes)));
    }
  }

  KpiFixture() {
    at(9, 1);
    run_ok(R"(program add dr-2027 "Disaster Recovery 2027")");
    run_ok(R"(program add ci-speed "CI speed" --due 2026-11-20)");
    run_ok(R"(program add obs "Observability" --due 2026-12-31)");
    run_ok(R"(program add legacy "Legacy cleanup")");
    run_ok(R"(action add "Q3 action" --severity S2 --program dr-2027)");  // A-1, due 10-01
    run_ok(R"(milestone add dr-2027 "Q3 milestone" --due 2026-09-20)");   // M-1
    at(9, 10);
    run_ok(R"(risk add "Low risk" --program dr-2027 -l 2 -i 2)");  // R-1
    at(9, 12);
    run_ok(R"(risk escalate R-1 --reason "Vendor silent")");  // raised in Q3
    at(9, 15);
    run_ok("survey send dr-2027");  // S-1
    votes("S-1", {1, 1});
    at(9, 25);
    run_ok("milestone done M-1");  // late, in Q3
    at(9, 30);
    run_ok("action done A-1");  // met, in Q3
    at(10, 1);
    run_ok(R"(action add "Page on failover" --severity S1 --program dr-2027)");  // A-2, due 10-08
    run_ok(R"(action add "Alert tuning" --severity S2 --program dr-2027)");      // A-3, due 10-31
    run_ok(R"(milestone add dr-2027 "Runbook" --due 2026-10-15)");               // M-2
    run_ok(R"(milestone add dr-2027 "Drill" --due 2026-10-20)");                 // M-3
    run_ok(R"(milestone add dr-2027 "Restore test" --due 2026-11-10)");          // M-4
    at(10, 5);
    run_ok(R"(risk add "DB failover untested" --program dr-2027 -l 5 -i 4)");  // R-2, raised
    run_ok("action done A-2");                                                 // met
    at(10, 6);
    run_ok("risk ack R-2");  // resolved
    at(10, 10);
    run_ok(R"(risk close R-1 --note "Vendor answered")");  // resolved (raised in Q3)
    at(10, 14);
    run_ok("milestone done M-2");  // on time
    at(10, 16);
    run_ok(R"(milestone slip M-3 --due 2026-11-05 --reason "Team out")");
    at(10, 20);
    run_ok(R"(action add "Fix backup cron" --severity S1 --program dr-2027)");  // A-4, due 10-27
    at(11, 1);
    run_ok("survey send dr-2027");  // S-2 (closes S-1)
    votes("S-2", {5, 4, 4, 3});
    run_ok(R"(risk add "Capacity" --program dr-2027 -l 3 -i 3)");  // R-3
    at(11, 2);
    run_ok("risk update R-3 --likelihood 5 --impact 5");  // raised
    at(11, 3);
    run_ok("risk update R-3 --likelihood 1");  // resolved
    run_ok("action done A-3");                 // closed late (due 10-31)
    at(11, 4);
    run_ok("milestone done M-3");  // late: first planned 10-20, though the slip said 11-05
    at(11, 10);
    run_ok(R"(action add "Docs" --severity S4 --program dr-2027)");  // A-5, due 2027-02-08
    at(11, 12);
    run_ok("milestone done M-4");  // late
    at(11, 20);
    run_ok("action done A-5");      // met
    run_ok("survey send dr-2027");  // S-3
    votes("S-3", {2});
    run_ok(R"(action add "Later" --severity S3 --program dr-2027)");  // A-6, due 2027-01-19
    at(11, 25);
    run_ok(R"(risk add "Region outage" --program dr-2027 -l 5 -i 5)");  // R-4, still climbing
    at(11, 27);
    run_ok("program close ci-speed");  // due 11-20: late
    run_ok("program close obs");       // due 12-31: on time
    run_ok("program close legacy");    // no due date: not counted
    run_ok(R"(milestone add dr-2027 "Open one" --due 2026-12-10)");
  }
};

}  // namespace

TEST_CASE("quarters: parsing and the quarter a day falls in") {
  auto q = quarter_of(day(2026, 11, 27));
  CHECK(q.year == 2026);
  CHECK(q.number == 4);
  CHECK(q.first == day(2026, 10, 1));
  CHECK(q.last == day(2026, 12, 31));
  CHECK(quarter_of(day(2027, 3, 31)).first == day(2027, 1, 1));
  CHECK(quarter_of(day(2026, 4, 1)).last == day(2026, 6, 30));
  for (const std::string text : {"2026Q3", "2026-q3", "Q3 2026", "q3"}) {
    INFO(text);
    auto parsed = parse_quarter(text, 2026);
    REQUIRE(parsed);
    CHECK(parsed->first == day(2026, 7, 1));
    CHECK(parsed->last == day(2026, 9, 30));
  }
  for (const std::string text : {"2026Q5", "Q0", "soon", "", "2026", "26Q4", "2026Q4x"}) {
    INFO(text);
    CHECK_FALSE(parse_quarter(text, 2026));
  }
}

TEST_CASE("kpi arithmetic on a hand-made quarter") {
  KpiFixture f;
  auto q4 = compute_kpis(f.repos, quarter_of(day(2026, 11, 27)), day(2026, 11, 27), "UTC");
  // Milestones done in Q4: M-2 on time, M-3 late (slipped), M-4 late. M-1 was done in Q3.
  CHECK(q4.milestones_done == 3);
  CHECK(q4.milestones_on_time == 1);
  // Programs closed in Q4 with a due date: ci-speed late, obs on time; legacy had none.
  CHECK(q4.programs_done == 2);
  CHECK(q4.programs_on_time == 1);
  // Actions: A-2 met, A-3 closed late, A-4 open past its due date, A-5 met. A-1 was closed in
  // Q3 on time although due in Q4; A-6 is not due yet.
  CHECK(q4.actions_counted == 4);
  CHECK(q4.actions_met == 2);
  CHECK(q4.open_s1_s2_past_due == 1);  // A-4
  // Votes on S-2 (5, 4, 4, 3) and S-3 (2): 18 / 5. S-1 was sent in Q3.
  CHECK(q4.votes == 5);
  CHECK(q4.satisfaction == Approx(3.6));
  // Raised: R-2 (added critical), R-3 (raised by update), R-4 (added critical). Resolved: R-2
  // acked, R-1 closed (raised in Q3), R-3 lowered. Still climbing: R-4.
  CHECK(q4.escalations_raised == 3);
  CHECK(q4.escalations_resolved == 3);
  CHECK(q4.escalations_open == 1);

  auto q3 = compute_kpis(f.repos, quarter_of(day(2026, 9, 1)), day(2026, 11, 27), "UTC");
  CHECK(q3.milestones_done == 1);
  CHECK(q3.milestones_on_time == 0);
  CHECK(q3.programs_done == 0);
  CHECK(q3.actions_counted == 1);
  CHECK(q3.actions_met == 1);
  CHECK(q3.votes == 2);
  CHECK(q3.satisfaction == Approx(1.0));
  CHECK(q3.escalations_raised == 1);
  CHECK(q3.escalations_resolved == 0);
}

TEST_CASE("kpi shows each number with its target and health word") {
  KpiFixture f;
  auto shown = f.run("kpi");
  INFO(shown.reply.text);
  CHECK(shown.reply.visibility == Visibility::ephemeral);
  const std::string& text = shown.reply.text;
  CHECK(contains(text, "📈 *KPIs · 2026 Q4* · Thu 2026-10-01 → Fri 2026-11-27 (so far)"));
  CHECK(contains(
      text,
      "On-time completion 40% (2/5; programs 1 late, 0 over budget) (target 80%) 🔴 off track"));
  CHECK(contains(text, "CA SLO attainment 50% (2/4), 1 open S1/S2 past due (target 90%) 🔴"));
  CHECK(contains(text, "satisfaction 3.6 / 5 (n=5) (target 4.0) 🟠 at risk"));
  CHECK(contains(text, "Escalations 3 raised, 3 resolved 🟠 1 still climbing"));

  // Targets come from config; a past quarter is shown whole.
  f.run("config set target-on-time 40", "UADMIN");
  f.run("config set target-satisfaction 3.5", "UADMIN");
  auto again = f.run("kpi --quarter 2026Q4 --share");
  CHECK(again.reply.visibility == Visibility::in_channel);
  CHECK(contains(again.reply.text,
                 "40% (2/5; programs 1 late, 0 over budget) (target 40%) 🟢 on track"));
  CHECK(contains(again.reply.text, "3.6 / 5 (n=5) (target 3.5) 🟢 on track"));
  auto q3 = f.run("kpi --quarter q3");
  CHECK(contains(q3.reply.text, "*KPIs · 2026 Q3* · Wed 2026-07-01 → Wed 2026-09-30\n"));
  CHECK(contains(q3.reply.text, "CA SLO attainment 100% (1/1)"));

  CHECK(contains(f.run("kpi --quarter 2027Q1").reply.text,
                 "2027Q1 has not started yet; the current quarter is 2026Q4."));
  CHECK(contains(f.run("kpi --quarter soon").reply.text,
                 "--quarter takes a quarter like 2026Q4 or q3 (got \"soon\")."));
}

TEST_CASE("kpi --trend shows the last four quarters side by side") {
  KpiFixture f;
  auto shown = f.run("kpi --trend");
  INFO(shown.reply.text);
  const std::string& text = shown.reply.text;
  CHECK(contains(text, "📈 *KPI trend · 2026Q1 → 2026Q4*"));
  // Q3: one milestone done, late; one action closed in time; S-1 voted 1 and 1. Q4 as above.
  auto line = [&](const std::string& label) {
    auto at = text.find("\n" + label);
    REQUIRE(at != std::string::npos);
    return text.substr(at + 1, text.find('\n', at + 1) - at - 1);
  };
  CHECK(line("On-time completion") ==
        "On-time completion                  —          —         0%        40%");
  CHECK(line("CA SLO attainment") ==
        "CA SLO attainment                   —          —       100%        50%");
  CHECK(line("Satisfaction (n)") ==
        "Satisfaction (n)                    —          —    1.0 (2)    3.6 (5)");  // S-1: 1, 1
  CHECK(line("  programs late / over") ==
        "  programs late / over            0/0        0/0        0/0        1/0");
  CHECK(contains(text, "2026Q4*"));
  // Ending with a past quarter.
  CHECK(contains(f.run("kpi --trend --quarter 2026Q3").reply.text,
                 "📈 *KPI trend · 2025Q4 → 2026Q3*"));
}

TEST_CASE("kpi --image draws each number against its target and --trend --image the quarters") {
  KpiFixture f;
  auto shown = f.run("kpi --image");
  REQUIRE(shown.effects.size() == 1);
  const auto& post = std::get<itpm::commands::PostMessage>(shown.effects[0]);
  REQUIRE(post.chart);
  CHECK(post.chart->title == "KPIs · 2026 Q4");
  const auto& bars = std::get<itpm::commands::BarsChart>(post.chart->data).bars;
  REQUIRE(bars.size() == 4);
  CHECK(bars[0].label == "On-time completion");
  CHECK(bars[0].value == Approx(40));
  CHECK(bars[0].target == 80);
  CHECK(bars[0].shown == "40%");
  CHECK(bars[1].value == Approx(50));
  CHECK(bars[2].value == Approx(3.6));
  CHECK(bars[2].high == 5);
  CHECK_FALSE(bars[3].value);  // no availability recorded
  CHECK(contains(post.chart->alt_text, "On-time completion 40%, below target."));

  auto trend = f.run("kpi --trend --image");
  REQUIRE(trend.effects.size() == 1);
  const auto& trend_post = std::get<itpm::commands::PostMessage>(trend.effects[0]);
  REQUIRE(trend_post.chart);
  CHECK(trend_post.chart->file_stem == "kpi-trend");
  const auto& lines = std::get<itpm::commands::TrendChart>(trend_post.chart->data);
  CHECK(lines.periods == std::vector<std::string>{"2026Q1", "2026Q2", "2026Q3", "2026Q4"});
  REQUIRE(lines.series.size() == 3);
  CHECK_FALSE(lines.series[0].values[1]);           // Q2: nothing done
  CHECK(*lines.series[0].values[3] == Approx(40));  // Q4: 2 of 5
  CHECK(*lines.series[2].values[2] == Approx(20));  // Q3 satisfaction 1.0 of 5
  CHECK(lines.series[2].target == Approx(80));      // 4.0 of 5
  CHECK(f.run("kpi").effects.empty());
}

TEST_CASE("kpi on an empty store says there is no data rather than 0%") {
  itpm::test::CommandFixture f;
  auto shown = f.run("kpi");
  INFO(shown.reply.text);
  CHECK(contains(shown.reply.text, "no milestone or program done yet (target 80%) ⚪ no data"));
  CHECK(contains(shown.reply.text, "no action closed or due yet, 0 open S1/S2 past due"));
  CHECK(contains(shown.reply.text, "no votes yet (target 4.0) ⚪ no data"));
  CHECK(contains(shown.reply.text, "Escalations 0 raised, 0 resolved 🟢 none open"));
}

TEST_CASE("availability: recorded by admins per month, replaced, and shown against the target") {
  itpm::test::CommandFixture f;  // Fri 2026-11-27: Q4 is Oct, Nov and Dec
  auto recorded = f.run("kpi availability record 99.97 --month 2026-10", "UADMIN");
  INFO(recorded.reply.text);
  CHECK(recorded.reply.visibility == Visibility::in_channel);
  CHECK(contains(recorded.reply.text,
                 "📶 Availability of the platform in Oct 2026: *99.97%* recorded by <@UADMIN>"));
  CHECK(contains(recorded.reply.text, "🟢 meets the target 99.9%"));
  // A later record for the month replaces it; both are in the audit log.
  auto replaced = f.run("kpi availability record 99.85% --month 2026-10", "UADMIN");
  CHECK(contains(replaced.reply.text,
                 "🔴 below the target 99.9% · replaces 99.97% (recorded by "
                 "<@UADMIN>)"));
  auto audit = f.repos.audit("availability");
  REQUIRE(audit.size() == 2);
  CHECK(audit[1].before["milli_percent"] == 99'970);
  CHECK(audit[1].after["milli_percent"] == 99'850);
  // Services: without a platform number, a month shows its lowest service.
  f.run("kpi availability record 99.99 --month 2026-11 --service api", "UADMIN");
  f.run("kpi availability record 99.92 --month 2026-11 --service git", "UADMIN");
  f.run("config set availability-target 99.95", "UADMIN");
  auto kpi = f.run("kpi").reply.text;
  INFO(kpi);
  CHECK(contains(kpi,
                 "Availability Oct 99.85% · Nov 99.92% (git) · Dec — (target 99.95%) 🔴 below "
                 "target in 2 months"));
  f.run("kpi availability record 100 --month 2026-11", "UADMIN");
  f.run("kpi availability record 99.96 --month 2026-10", "UADMIN");
  CHECK(
      contains(f.run("kpi").reply.text, "Oct 99.96% · Nov 100% · Dec — (target 99.95%) 🟢"));
  CHECK(contains(f.run("kpi --quarter 2026Q3").reply.text,
                 "Availability Jul — · Aug — · Sep — (target 99.95%) ⚪ no data"));
}

TEST_CASE("availability refuses a bad percent or month and people who are not admins") {
  itpm::test::CommandFixture f;
  struct Bad {
    const char* text;
    const char* says;
  };
  for (const Bad& bad : std::vector<Bad>{
           {"kpi availability record 101 --month 2026-10", "from 0 to 100"},
           {"kpi availability record NaN --month 2026-10", "(got \"NaN\")"},
           {"kpi availability record 99.9999 --month 2026-10", "at most three decimals"},
           {"kpi availability record lots --month 2026-10", "<percent> takes a percentage"},
           {"kpi availability record 99.9 --month 2026-12-01",
            "--month takes a month like 2026-11"},
           {"kpi availability record 99.9 --month 2026-13", "--month takes a month"},
           {"kpi availability record 99.9 --month 2027-01", "--month 2027-01 is in the future"},
           {"kpi availability record 99.9", "--month"},
           {"kpi availability 99.9 --month 2026-10", "record"},
       }) {
    INFO(bad.text);
    auto out = f.run(bad.text, "UADMIN");
    CHECK(out.writes.empty());
    CHECK(contains(out.reply.text, bad.says));
  }
  auto refused = f.run("kpi availability record 99.9 --month 2026-10", "UBOB");
  CHECK(refused.writes.empty());
  CHECK(contains(refused.reply.text, "Only itpm admins can record availability"));
  CHECK(contains(f.run("config set availability-target 100.5", "UADMIN").reply.text,
                 "availability-target takes a percentage from 0 to 100"));
  CHECK(f.repos.audit("availability").empty());
}

TEST_CASE("percentages read as people type them") {
  CHECK(parse_percent("99.95") == Approx(99.95));
  CHECK(parse_percent("99.95%") == Approx(99.95));
  CHECK(parse_percent("100") == Approx(100));
  CHECK(parse_percent("0") == Approx(0));
  for (const char* bad : {"", "%", "100.001", "-1", "1e2", "99.", ".5", "99.9999", "abc", "nan",
                          "inf", "1000", "99,95", " 99"}) {
    INFO(bad);
    CHECK_FALSE(parse_percent(bad));
  }
  CHECK(show_percent(99.95) == "99.95%");
  CHECK(show_percent(100) == "100%");
  CHECK(show_percent(99.9) == "99.9%");
}
