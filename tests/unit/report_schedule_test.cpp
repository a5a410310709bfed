// Reports on a cadence (commands.md §7): posted once per occurrence with what changed since the
// previous one, held for the channel's working hours, one catch-up after downtime. Real store;
// the clock is the test's.
#include "commands/areas/config_commands.hpp"
#include "commands/forms/home.hpp"
#include "tests/support/scheduler_engine.hpp"

using namespace std::chrono_literals;
using itpm::test::contains;
using itpm::test::Engine;
using itpm::test::utc;

namespace {

// Fri 2026-11-27 12:00 UTC: dr-2027 (alice's) and ci-speed, a weekly report of both on Mondays.
void weekly_report(Engine& e) {
  e.run(R"(program add dr-2027 "Disaster Recovery 2027")");
  e.run(R"(program add ci-speed "CI speed")");
  auto scheduled = e.run(
      R"(report schedule --every "mon 09:00" --channel <#CLEAD|leadership> --tz UTC)", "UADMIN");
  INFO(scheduled.reply.text);
  REQUIRE(contains(scheduled.reply.text, "📊 *P-1* report of every program scheduled by <@UADMIN>"));
  REQUIRE(contains(scheduled.reply.text, "First report Mon 2026-11-30 09:00"));
}

}  // namespace

TEST_CASE("a scheduled report posts once each time and says what changed since the last one") {
  Engine e;
  weekly_report(e);
  e.run(R"(status dr-2027 amber "drill slipped")");
  e.run_until(utc(2026, 11, 30, 12));
  auto first = e.posts_with("*Scheduled report P-1*");
  REQUIRE(first.size() == 1);
  CHECK(first[0].at == utc(2026, 11, 30, 9));
  CHECK(first[0].message.channel == "CLEAD");
  CHECK(contains(first[0].message.text, "since Fri 2026-11-27 12:00 UTC"));
  CHECK(contains(first[0].message.text, "*dr-2027* 🟠 amber"));
  CHECK_FALSE(first[0].message.chart);  // no open risk: no picture
  // During the week: dr-2027 goes red, a risk is opened, a milestone slips by a week.
  e.run(R"(status dr-2027 red "vendor gone")");
  e.run(R"(risk add "Vendor gone" --program dr-2027 -l 2 -i 3)");
  e.run(R"(risk escalate R-1 --reason "vendor silent")");
  e.run(R"(milestone add ci-speed "Cache rollout" --due 2026-12-04)");
  e.run(R"(milestone slip M-1 --due 2026-12-11 --reason "capacity")");
  e.run_until(utc(2026, 12, 7, 12));
  auto reports = e.posts_with("*Scheduled report P-1*");
  REQUIRE(reports.size() == 2);
  const std::string& second = reports[1].message.text;
  INFO(second);
  CHECK(reports[1].at == utc(2026, 12, 7, 9));
  CHECK(contains(second, "since Mon 2026-11-30 09:00 UTC"));
  CHECK(contains(second, "*dr-2027* 🔴 red (was 🟠 amber) · risks +1 −0 🔺1 escalated"));
  CHECK(contains(second,
                 "*ci-speed* ⚪ no status · risks +0 −0 · decisions +0 · milestones "
                 "⏰1 slipped (M-1 +7d)"));
  CHECK(contains(second, "*In the period:* 1 risk escalation"));
  // The risk picture follows the text.
  REQUIRE(reports[1].message.chart);
  CHECK(reports[1].message.text_too);
  CHECK(reports[1].message.chart->title == "Risk heat map · all programs");
  CHECK(std::get<itpm::commands::HeatmapChart>(reports[1].message.chart->data).counts[1][2] == 1);
  // Fired again at the same time (a restart mid-post): nothing more is posted.
  e.fire(utc(2026, 12, 7, 12));
  CHECK(e.posts_with("*Scheduled report P-1*").size() == 2);
  CHECK(e.repos.check().empty());
}

TEST_CASE("after downtime a scheduled report is posted once, saying when it was due") {
  Engine e;
  weekly_report(e);
  e.fire(utc(2026, 12, 16, 10));  // down for three Mondays
  auto reports = e.posts_with("*Scheduled report P-1*");
  REQUIRE(reports.size() == 1);
  CHECK(contains(reports[0].message.text,
                 "_This was due Mon 2026-11-30 09:00 UTC; the bot was offline then._"));
  auto schedule = e.repos.find<itpm::storage::ReportSchedule>(1);
  REQUIRE(schedule);
  CHECK(schedule->next_at == itpm::commands::millis(utc(2026, 12, 21, 9)));
  e.run_until(utc(2026, 12, 21, 12));
  CHECK(e.posts_with("*Scheduled report P-1*").size() == 2);
}

TEST_CASE("a scheduled report keeps its channel's working hours") {
  Engine e(true);  // mon-fri 09:00-18:00 UTC
  e.run(R"(program add dr-2027 "Disaster Recovery 2027")");
  e.run(R"(report schedule --every "sat 10:00" --channel <#CDR|dr> --program dr-2027 --tz UTC)");
  e.run_until(utc(2026, 11, 30, 12));
  auto reports = e.posts_with("*Scheduled report P-1*");
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].at == utc(2026, 11, 30, 9));
  CHECK(contains(reports[0].message.text, "· *dr-2027* ·"));
  // The next one is the next Saturday's, held again.
  CHECK(e.repos.find<itpm::storage::ReportSchedule>(1)->next_at ==
        itpm::commands::millis(utc(2026, 12, 5, 10)));
}

TEST_CASE("report schedules lists them, unschedule stops them, and who may do which") {
  Engine e;
  weekly_report(e);
  // alice owns dr-2027: she may schedule its report, not every program's.
  CHECK(contains(e.run(R"(report schedule --every "fri 16:00" --channel <#CDR|dr>)").reply.text,
                 "Only itpm admins can schedule the report of every program"));
  auto own = e.run(R"(report schedule --every "fri 16:00" --channel <#CDR|dr> --program dr-2027)");
  CHECK(contains(own.reply.text, "*P-2* report of *dr-2027*"));
  CHECK(
      contains(e.run(R"(report schedule --every "fri 16:00" --channel <#CDR|dr> --program dr-2027)")
                   .reply.text,
               "That report is already scheduled: P-2."));
  CHECK(contains(
      e.run(R"(report schedule --every "fri 16:00" --channel <#CDR|dr> --program ci-speed)", "UBOB")
          .reply.text,
      "Only the program owner <@UALICE>"));
  auto listed = e.run("report schedules").reply.text;
  INFO(listed);
  CHECK(contains(listed, "*Scheduled reports*: 2"));
  CHECK(contains(listed,
                 "• *P-1* every program · every Mon at 09:00 (UTC) · <#CLEAD> · next Mon "
                 "2026-11-30 09:00"));
  // The Home tab of dr-2027's owner shows its next report.
  auto ctx = itpm::commands::make_context(e.repos, itpm::commands::Settings{{}, {"UADMIN"}}, e.now,
                                          e.zone);
  CHECK(contains(itpm::commands::home_view("UALICE", ctx).dump(),
                 "next report P-2 Fri 2026-11-27 16:00 UTC"));
  CHECK(contains(e.run("report unschedule P-1", "UBOB").reply.text,
                 "Only whoever scheduled it (<@UADMIN>) or an itpm admin can unschedule P-1."));
  CHECK(contains(e.run("report unschedule P-2").reply.text, "🛑 *P-2* unscheduled by <@UALICE>"));
  CHECK(contains(e.run("report unschedule P-2").reply.text, "P-2 was already unscheduled."));
  e.run_until(utc(2026, 12, 1, 0));
  CHECK(e.posts_with("*Scheduled report P-2*").empty());
  CHECK(e.posts_with("*Scheduled report P-1*").size() == 1);
  // Bad input: each a clear line, nothing saved.
  for (
      const char* bad :
      {R"(report schedule --every "someday" --channel <#CDR|dr> --program dr-2027)",
       R"(report schedule --every "mon 09:00" --program dr-2027)",
       R"(report schedule --every "mon 09:00" --channel <#CDR|dr> --program nope)",
       R"(report schedule --every "mon 09:00" --channel <#CDR|dr> --program dr-2027 --tz Mars/Base)",
       "report unschedule P-9", "report unschedule X-1"}) {
    INFO(bad);
    auto out = e.run(bad);
    CHECK(out.reply.visibility == itpm::commands::Visibility::ephemeral);
  }
  CHECK(e.repos.all<itpm::storage::ReportSchedule>().size() == 2);
}
