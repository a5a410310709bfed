// Working time in what the scheduler sends (commands.md §6): ladder steps on the program's
// working days and hours, holidays, out of office, and review cadences on holidays. Real
// store; the clock is the test's.
#include "tests/support/scheduler_engine.hpp"

using namespace std::chrono_literals;
using itpm::commands::PostMessage;
using itpm::test::contains;
using itpm::test::Engine;
using itpm::test::Posted;
using itpm::test::Time;
using itpm::test::utc;

TEST_CASE("ladder steps count the program's working days and wait for its working hours") {
  // Friday 2026-11-27 12:00 UTC is 04:00 in Los Angeles: the 24h step counts Friday from then
  // and Monday up to 04:00, and level 2 then waits for 09:00 there (17:00 UTC).
  Engine e(true);
  e.run(
      R"(program add dr-2027 "Disaster Recovery 2027" --tz America/Los_Angeles --sponsor <@UCAROL|carol>)");
  auto added = e.run(
      R"(risk add "Primary DB failover untested" --program dr-2027 --likelihood 4 --impact 5 --owner <@UDAVE|dave>)");
  INFO(added.reply.text);
  // The reply names the time the post will really go out, in the caller's zone.
  CHECK(contains(added.reply.text,
                 "Mon 2026-11-30 17:00 UTC if not acknowledged (the 24h step counts working days, "
                 "in dr-2027's working hours)"));
  e.run_until(utc(2026, 11, 30, 16, 59));
  CHECK(e.posts_with("Escalation level 2").empty());
  e.run_until(utc(2026, 12, 1, 0));
  auto level2 = e.posts_with("Escalation level 2");
  REQUIRE(level2.size() == 1);
  CHECK(level2[0].at == utc(2026, 11, 30, 17));
  // Level 3 one working day after level 2: Tuesday 09:00 in Los Angeles.
  e.run_until(utc(2026, 12, 3, 0));
  auto level3 = e.posts_with("Escalation level 3");
  REQUIRE(level3.size() == 1);
  CHECK(level3[0].at == utc(2026, 12, 1, 17));
}

TEST_CASE("a program's holiday and the workspace's both stop its ladder's clock") {
  Engine e(true);
  e.run(R"(program add dr-2027 "Disaster Recovery 2027")");
  e.run(R"(holiday add 2026-11-30 "Cyber Monday" --program dr-2027)");
  e.run(R"(holiday add 2026-12-01 "Founders' Day")", "UADMIN");
  e.run(
      R"(risk add "Primary DB failover untested" --program dr-2027 --likelihood 4 --impact 5 --owner <@UDAVE|dave>)");
  e.run_until(utc(2026, 12, 4, 0));
  auto level2 = e.posts_with("Escalation level 2");
  REQUIRE(level2.size() == 1);
  // Friday noon plus a working day: not Monday or Tuesday (holidays), Wednesday noon.
  CHECK(level2[0].at == utc(2026, 12, 2, 12));
}

TEST_CASE("an absent owner's delegate gets the ladder's DM and may acknowledge it") {
  Engine e;
  e.run(R"(program add dr-2027 "Disaster Recovery 2027")");
  e.run("ooo set --until 2026-12-04 --delegate <@UERIN|erin>", "UDAVE");
  auto added = e.run(
      R"(risk add "Primary DB failover untested" --program dr-2027 --likelihood 4 --impact 5 --owner <@UDAVE|dave>)",
      "UBOB");
  INFO(added.reply.text);
  CHECK(contains(added.reply.text,
                 "<@UERIN> (acting for <@UDAVE>, out until Fri 2026-12-04) told by DM"));
  REQUIRE(added.effects.size() == 1);
  const auto& dm = std::get<PostMessage>(added.effects[0]);
  CHECK(dm.to_user == "UERIN");
  CHECK(dm.text.starts_with("For <@UDAVE>, out until Fri 2026-12-04: 🔺 You own a critical risk"));
  CHECK(contains(e.run("risk ack R-1", "UERIN").reply.text, "acknowledged by <@UERIN>"));
  CHECK(contains(e.run("risk ack R-1", "UFRANK").reply.text, "Only"));
}

TEST_CASE("with nobody acting for an absent owner the ladder skips level 1 and nudges wait") {
  Engine e;
  e.run(R"(program add dr-2027 "Disaster Recovery 2027")");
  e.run("ooo set --until 2026-11-30", "UDAVE");
  auto added = e.run(
      R"(risk add "Primary DB failover untested" --program dr-2027 --likelihood 4 --impact 5 --owner <@UDAVE|dave>)",
      "UBOB");
  INFO(added.reply.text);
  CHECK(added.effects.empty());
  CHECK(contains(added.reply.text,
                 "<@UDAVE> is out until Mon 2026-11-30, with nobody acting "
                 "for them, so <#CDEMO> is alerted now."));
  e.run_until(e.now + 1h);
  auto level2 = e.posts_with("Escalation level 2");
  REQUIRE(level2.size() == 1);
  CHECK(level2[0].at == itpm::test::noon);
  CHECK(contains(level2[0].message.text, "cannot be acknowledged now.\n<@UDAVE> is out until"));
  // A corrective action's DM waits until dave is back (the first working hour after).
  e.run(R"(action add "Rotate keys" --severity S2 --owner <@UDAVE|dave>)", "UBOB");
  e.run_until(itpm::test::noon + 4 * 24h);
  std::vector<Posted> dms;
  for (const auto& p : e.posts) {
    if (p.message.to_user == "UDAVE") dms.push_back(p);
  }
  REQUIRE(dms.size() == 1);
  CHECK(contains(dms[0].message.text, "gave you corrective action A-1"));
  CHECK(dms[0].at == utc(2026, 12, 1, 0));  // round the clock here: Tuesday starts at midnight
}

TEST_CASE("a review on a holiday is skipped, and the next agenda says so") {
  Engine e;
  e.run(R"(program add dr-2027 "Disaster Recovery 2027")");
  e.run(R"(holiday add 2026-12-03 "Founders' Day")", "UADMIN");
  e.run(R"(review schedule dr-2027 --every "daily 09:30" --tz Europe/Amsterdam)");
  e.run_until(utc(2026, 12, 5, 0));
  std::vector<std::string> days;
  for (const auto& p : e.posts_with("*dr-2027* review in 1 hour"))
    days.push_back(itpm::test::local(p.at, "Europe/Amsterdam").substr(0, 10));
  CHECK(days == std::vector<std::string>{"2026-11-30", "2026-12-01", "2026-12-02", "2026-12-04"});
  auto friday = e.posts_with("*dr-2027* review in 1 hour").back();
  CHECK(contains(friday.message.text, "_No review on Thu 2026-12-03: a holiday._"));
}

TEST_CASE("a cadence with --on-holiday next meets the next working day instead") {
  Engine e;
  e.run(R"(program add dr-2027 "Disaster Recovery 2027")");
  e.run(R"(holiday add 2026-12-03 --program dr-2027)");
  auto scheduled = e.run(
      R"(review schedule dr-2027 --every "thu 10:00" --tz UTC --on-holiday next --remind 0m)");
  INFO(scheduled.reply.text);
  CHECK(contains(scheduled.reply.text, "Next review Fri 2026-12-04 10:00 UTC"));
  CHECK(contains(e.run("review list").reply.text, "on a holiday: the next working day"));
  e.run_until(utc(2026, 12, 11, 0));
  auto agendas = e.posts_with("*dr-2027* review starts now");
  REQUIRE(agendas.size() == 2);
  CHECK(agendas[0].at == utc(2026, 12, 4, 10));
  CHECK(contains(agendas[0].message.text,
                 "_No review on Thu 2026-12-03: a holiday, moved to this one._"));
  CHECK(agendas[1].at == utc(2026, 12, 10, 10));
}

TEST_CASE("a holiday declared after a cadence was planned moves its next review, and back") {
  Engine e;
  e.run(R"(program add dr-2027 "Disaster Recovery 2027")");
  e.run(R"(review schedule dr-2027 --every "tue 15:00" --tz UTC)");
  CHECK(e.repos.find<itpm::storage::Review>(1)->next_at ==
        itpm::commands::millis(utc(2026, 12, 1, 15)));
  auto added = e.run(R"(holiday add 2026-12-01 "Offsite")", "UADMIN");
  INFO(added.reply.text);
  CHECK(contains(added.reply.text, "*V-1* (dr-2027): next review Tue 2026-12-08 15:00 UTC"));
  CHECK(e.repos.find<itpm::storage::Review>(1)->next_at ==
        itpm::commands::millis(utc(2026, 12, 8, 15)));
  auto removed = e.run("holiday remove 2026-12-01", "UADMIN");
  CHECK(contains(removed.reply.text, "*V-1* (dr-2027): next review Tue 2026-12-01 15:00 UTC"));
  e.run_until(utc(2026, 12, 2, 0));
  CHECK(e.posts_with("*dr-2027* review in 1 hour").size() == 1);  // the stale jobs are dropped
  CHECK(e.repos.check().empty());
}

TEST_CASE("after downtime a ladder climbs one level, says when it was due, then waits a step") {
  Engine e;
  e.run(R"(program add dr-2027 "Disaster Recovery 2027")");
  e.run(
      R"(risk add "Primary DB failover untested" --program dr-2027 --likelihood 4 --impact 5 --owner <@UDAVE|dave>)");
  // Down for five days: levels 2 and 3 both came due meanwhile.
  Time back = itpm::test::noon + 5 * 24h;
  e.fire(back);
  REQUIRE(e.posts.size() == 1);
  CHECK(contains(e.posts[0].message.text, "Escalation level 2"));
  CHECK(contains(e.posts[0].message.text,
                 "_This was due Sat 2026-11-28 12:00 UTC; the bot was offline then._"));
  e.run_until(back + 23h);
  CHECK(e.posts_with("Escalation level 3").empty());
  e.run_until(back + 25h);
  auto level3 = e.posts_with("Escalation level 3");
  REQUIRE(level3.size() == 1);
  CHECK(level3[0].at == back + 24h);
  CHECK_FALSE(contains(level3[0].message.text, "the bot was offline"));
}

TEST_CASE("a step that came due while the bot was down waits for working hours and says so") {
  // Level 2 is due Friday 16:00 UTC; the bot is down from Friday morning to Saturday 10:00.
  Engine e(true);
  e.now = utc(2026, 11, 26, 16);
  e.add_critical_risk();
  e.fire(utc(2026, 11, 28, 10));
  CHECK(e.posts_with("Escalation level 2").empty());
  bool held = false;
  for (const auto& entry : e.repos.audit("R-1")) {
    if (entry.action != "held") continue;
    held = true;
    CHECK(contains(entry.note,
                   "held until Mon 2026-11-30 09:00 UTC: outside dr-2027's working time"));
  }
  CHECK(held);
  e.run_until(utc(2026, 12, 1, 0));
  auto level2 = e.posts_with("Escalation level 2");
  REQUIRE(level2.size() == 1);
  CHECK(level2[0].at == utc(2026, 11, 30, 9));
  CHECK(contains(level2[0].message.text,
                 "_This was due Fri 2026-11-27 16:00 UTC; the bot was offline then._"));
  CHECK(e.repos.check().empty());
}

TEST_CASE("a corrective action's reminder comes at three quarters of its SLO's working days") {
  // S1 (7 days) raised Friday 2026-11-27 12:00 UTC: the SLO ends with Friday 2026-12-04.
  // Its working-day time is Friday's last 12 hours and Monday to Friday, 132 hours; three
  // quarters, 99 hours, end on Thursday at 15:00 (calendar time would say Wednesday 18:00).
  Engine e(true);
  e.run(R"(program add dr-2027 "Disaster Recovery 2027")");
  e.run(
      R"(action add "Add failover alerting" --severity S1 --owner <@UERIN|erin> --program dr-2027)");
  e.run_until(utc(2026, 12, 4, 0));
  auto reminders = e.posts_with("75% of its 7-day SLO has passed");
  REQUIRE(reminders.size() == 1);
  CHECK(reminders[0].at == utc(2026, 12, 3, 15));
  CHECK(reminders[0].message.to_user == "UERIN");
}

TEST_CASE("risk show says when the next level comes, why then, and who is out") {
  Engine e(true);
  e.run(R"(program add dr-2027 "Disaster Recovery 2027" --tz Europe/Berlin)");
  e.run("ooo set --until 2026-12-04 --delegate <@UERIN|erin>", "UDAVE");
  e.run(
      R"(risk add "Primary DB failover untested" --program dr-2027 --likelihood 4 --impact 5 --owner <@UDAVE|dave>)");
  auto shown = e.run("risk show R-1").reply.text;
  INFO(shown);
  CHECK(contains(shown,
                 "Next: level 2 Mon 2026-11-30 12:00 UTC if nobody acknowledges it (a 24h step "
                 "counts dr-2027's working days, and posts wait for its working hours in "
                 "Europe/Berlin)."));
  CHECK(contains(shown, "🌴 <@UDAVE> is out until Fri 2026-12-04, <@UERIN> acts for them."));
  e.run_until(itpm::test::utc(2026, 12, 1, 0));
  CHECK(contains(e.run("risk show R-1").reply.text, "Next: level 3 Tue 2026-12-01 12:00 UTC"));
}

TEST_CASE("a holiday imported while the bot was stopped still moves the review off it") {
  Engine e;
  e.run(R"(program add dr-2027 "Disaster Recovery 2027")");
  e.run(R"(review schedule dr-2027 --every "tue 15:00" --tz UTC)");
  itpm::storage::Batch batch;  // as `itpm-bot holidays import` writes it: no re-planning
  e.repos.save(batch, itpm::storage::Holiday{"", "2026-12-01", "Imported", "", 0}, nullptr,
               itpm::storage::Change{"itpm", 0, "import"});
  REQUIRE(e.store->commit(std::move(batch)));
  e.run_until(utc(2026, 12, 9, 0));
  auto agendas = e.posts_with("*dr-2027* review in 1 hour");
  REQUIRE(agendas.size() == 1);
  CHECK(agendas[0].at == utc(2026, 12, 8, 14));
  CHECK(contains(agendas[0].message.text, "_No review on Tue 2026-12-01: a holiday._"));
}
