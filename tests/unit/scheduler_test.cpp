// The scheduler's rounds on virtual time: review cadences over a year and across DST,
// monthly rules, skipped dates, downtime within and beyond the grace window, and the
// escalation ladder's levels, stops and restarts. Real store; the clock is the test's.
#include "storage/quarantine.hpp"
#include "tests/support/scheduler_engine.hpp"

#include <set>

using namespace std::chrono_literals;
using itpm::commands::PostMessage;
using itpm::test::contains;
using itpm::test::Engine;
using itpm::test::local;
using itpm::test::Posted;
using itpm::test::Time;
using itpm::test::utc;

TEST_CASE("a year of a weekly cadence across two DST changes posts 52 agendas at 14:00 local") {
  Engine e;
  e.run(R"(program add dr-2027 "Disaster Recovery 2027")");
  auto out = e.run(R"(review schedule dr-2027 --every "tue 15:00" --tz Europe/Amsterdam)");
  INFO(out.reply.text);
  REQUIRE(contains(out.reply.text, "*V-1* review cadence for *dr-2027*: every Tue at 15:00"));
  CHECK(contains(out.reply.text, "Next review Tue 2026-12-01 15:00 Europe/Amsterdam"));
  e.run_until(e.now + std::chrono::days(364));
  auto agendas = e.posts_with("*dr-2027* review in 1 hour");
  REQUIRE(agendas.size() == 52);
  std::set<std::string> times;
  for (const auto& p : agendas) {
    times.insert(local(p.at, "Europe/Amsterdam").substr(11));
    CHECK(p.message.channel == "CDEMO");
    CHECK(date::format("%a", date::make_zoned("Europe/Amsterdam",
                                              std::chrono::floor<std::chrono::minutes>(p.at))) ==
          "Tue");
  }
  CHECK(times == std::set<std::string>({"14:00"}));
  // Both sides of the changes: 13:00 UTC in winter, 12:00 UTC in summer.
  CHECK(local(agendas.front().at, "UTC") == "2026-12-01 13:00");
  CHECK(local(agendas[20].at, "UTC") == "2027-04-20 12:00");
  CHECK(local(agendas.back().at, "UTC") == "2027-11-23 13:00");
  // The cadence remembers its last occurrence, and its next one is scheduled.
  auto review = e.repos.find<itpm::storage::Review>(1);
  REQUIRE(review);
  CHECK(local(Time(std::chrono::milliseconds(review->last_at)), "Europe/Amsterdam") ==
        "2027-11-23 15:00");
  CHECK(local(Time(std::chrono::milliseconds(review->next_at)), "Europe/Amsterdam") ==
        "2027-11-30 15:00");
}

TEST_CASE("monthly cadences fall on the first Tuesday and the last Friday") {
  Engine e;
  e.run(R"(program add dr-2027 "Disaster Recovery 2027")");
  e.run(R"(review schedule dr-2027 --every "monthly 1st tue 09:00" --tz America/Los_Angeles)");
  e.run(
      R"(review schedule dr-2027 --every "monthly last fri 16:00" --tz America/Los_Angeles --remind 0m)");
  e.run_until(utc(2027, 5, 1, 0));
  std::vector<std::string> first;
  std::vector<std::string> last;
  for (const auto& p : e.posts) {
    std::string when = local(p.at, "America/Los_Angeles");
    (contains(p.message.text, "review in 1 hour") ? first : last).push_back(when);
  }
  CHECK(first == std::vector<std::string>{"2026-12-01 08:00", "2027-01-05 08:00",
                                          "2027-02-02 08:00", "2027-03-02 08:00",
                                          "2027-04-06 08:00"});
  // Today (Fri 2026-11-27) is the last Friday of November: its 16:00 is still ahead.
  CHECK(last == std::vector<std::string>{"2026-11-27 16:00", "2026-12-25 16:00", "2027-01-29 16:00",
                                         "2027-02-26 16:00", "2027-03-26 16:00",
                                         "2027-04-30 16:00"});
  CHECK(contains(e.posts_with("2026-12-25").at(0).message.text, "review starts now"));
}

TEST_CASE("skipped occurrences are not reminded of, and the next one is") {
  Engine e;
  e.run(R"(program add dr-2027 "Disaster Recovery 2027")");
  e.run(R"(review schedule dr-2027 --every "tue 15:00")");
  auto skipped = e.run("review skip V-1");
  INFO(skipped.reply.text);
  CHECK(contains(skipped.reply.text, "no review on Tue 2026-12-01"));
  CHECK(contains(skipped.reply.text, "Next review Tue 2026-12-08 15:00 UTC"));
  CHECK(contains(e.run("review skip V-1 --date 2026-12-22").reply.text,
                 "no review on Tue 2026-12-22"));
  e.run_until(utc(2027, 1, 6, 0));
  std::vector<std::string> days;
  for (const auto& p : e.posts_with("review in 1 hour")) days.push_back(local(p.at, "UTC"));
  CHECK(days == std::vector<std::string>{"2026-12-08 14:00", "2026-12-15 14:00", "2026-12-29 14:00",
                                         "2027-01-05 14:00"});
}

TEST_CASE("after downtime a reminder within the grace window is posted late and says so") {
  Engine e;
  e.run(R"(program add dr-2027 "Disaster Recovery 2027")");
  e.run(R"(review schedule dr-2027 --every "tue 15:00")");
  // Down from before the 14:00 reminder until 15:30 (90 minutes late, grace 2 h).
  e.fire(utc(2026, 12, 1, 15, 30));
  auto late = e.posts_with("review started 30 minutes ago");
  REQUIRE(late.size() == 1);
  CHECK(contains(late[0].message.text,
                 "_Posted late: this reminder was due Tue 2026-12-01 14:00 UTC; the bot was "
                 "offline._"));
  // The occurrence passed meanwhile: the next one is next week, on time.
  e.run_until(utc(2026, 12, 8, 14, 30));
  auto next = e.posts_with("review in 1 hour");
  REQUIRE(next.size() == 1);
  CHECK(local(next[0].at, "UTC") == "2026-12-08 14:00");
}

TEST_CASE("after long downtime a stale reminder is skipped and logged, never posted") {
  Engine e;
  e.run(R"(program add dr-2027 "Disaster Recovery 2027")");
  e.run(R"(review schedule dr-2027 --every "tue 15:00" --remind 1h,10m)");
  // Back three weeks later: three occurrences and six reminders were missed.
  e.fire(utc(2026, 12, 19, 9));
  CHECK(e.posts.empty());
  std::size_t skipped = 0;
  for (const auto& line : e.log) skipped += contains(line, "skipped") ? 1 : 0;
  CHECK(skipped == 2);  // the missed occurrence's two reminders; no burst of older ones
  e.run_until(utc(2026, 12, 22, 16));
  auto posts = e.posts_with("*dr-2027* review in");
  REQUIRE(posts.size() == 2);
  CHECK(local(posts[0].at, "UTC") == "2026-12-22 14:00");
  CHECK(local(posts[1].at, "UTC") == "2026-12-22 14:50");
}

TEST_CASE("the agenda shows status, risks by score, decisions since the last review, staleness") {
  Engine e;
  e.run(R"(program add dr-2027 "Disaster Recovery 2027" --sponsor <@UCAROL|carol>)");
  e.run(R"(review schedule dr-2027 --every "tue 15:00")");
  e.run(R"(status dr-2027 amber "Failover drill slipped a week")");
  e.run(
      R"(risk add "Runbook outdated" --program dr-2027 --likelihood 3 --impact 4 --owner <@UBOB|bob>)");
  e.run(
      R"(risk add "Primary DB failover untested" --program dr-2027 --likelihood 4 --impact 5 --owner <@UDAVE|dave> --due 2026-12-04)");
  e.run(R"(decision add "Use Patroni for automated failover" --program dr-2027)");
  e.run_until(utc(2026, 12, 1, 14, 30));
  auto first = e.posts_with("*dr-2027* review in 1 hour");
  REQUIRE(first.size() == 1);
  const std::string& text = first[0].message.text;
  INFO(text);
  CHECK(contains(
      text,
      "*Status:* 🟠 amber — “Failover drill slipped a week” (<@UALICE>, 4 days ago)"));
  // Highest score first, with owner, ladder level and mitigation date.
  auto r2 = text.find("*R-2* critical 20");
  auto r1 = text.find("*R-1* high 12");
  REQUIRE(r2 != std::string::npos);
  REQUIRE(r1 != std::string::npos);
  CHECK(r2 < r1);
  CHECK(contains(text, "(<@UDAVE>, escalated L3, mitigation due Fri 2026-12-04)"));
  CHECK(contains(text, "*Decisions since Fri 2026-11-27:*\n• *D-1* Use Patroni"));
  CHECK_FALSE(contains(text, "*Stale:*"));
  REQUIRE(first[0].message.blocks.size() >= 4);

  // A week without a status update: the next agenda says so, and counts decisions anew.
  e.run_until(utc(2026, 12, 8, 14, 30));
  auto second = e.posts_with("*dr-2027* review in 1 hour");
  REQUIRE(second.size() == 2);
  CHECK(contains(second[1].message.text,
                 "*Stale:* no status update since the last review (Tue 2026-12-01 15:00 UTC)"));
  CHECK(contains(second[1].message.text, "*Decisions since the last review:* none"));
}

TEST_CASE("the ladder climbs to the program channel, then to the escalation channel") {
  Engine e;
  e.run(R"(program add dr-2027 "Disaster Recovery 2027" --sponsor <@UCAROL|carol>)");
  auto added = e.run(
      R"(risk add "Primary DB failover untested" --program dr-2027 --likelihood 4 --impact 5 --owner <@UDAVE|dave>)",
      "UBOB");
  REQUIRE(added.effects.size() == 1);  // level 1: the DM, with the command
  e.run_until(e.now + 47h);
  auto level2 = e.posts_with("Escalation level 2");
  REQUIRE(level2.size() == 1);
  CHECK(level2[0].message.channel == "CDEMO");
  CHECK(level2[0].at == itpm::test::noon + 24h);
  CHECK(contains(level2[0].message.text,
                 "*R-1* “Primary DB failover untested” (dr-2027, critical, score 20) has not "
                 "been acknowledged for 1 day"));
  CHECK(contains(level2[0].message.text, "Owner <@UDAVE> and sponsor <@UCAROL>"));
  CHECK(e.posts_with("Escalation level 3").empty());
  e.run_until(e.now + 30 * 24h);
  auto level3 = e.posts_with("Escalation level 3");
  REQUIRE(level3.size() == 1);  // and nothing after the top of the ladder
  CHECK(level3[0].message.channel == "CLEAD");
  CHECK(level3[0].at == itpm::test::noon + 48h);
  CHECK(contains(level3[0].message.text, "not been acknowledged for 2 days"));
  CHECK(contains(level3[0].message.text, "Why: raised with score 20"));
  // Each step is in the risk's history, by the bot.
  auto history = e.repos.audit("R-1");
  REQUIRE(history.size() == 3);
  CHECK(history[1].by == "itpm");
  CHECK(history[1].after.value("escalation_level", 0) == 2);
  CHECK(history[2].after.value("escalation_level", 0) == 3);
  CHECK(contains(e.run("audit R-1").reply.text, "· itpm · *escalate*"));
}

TEST_CASE("an ack stops the ladder, a new escalation starts a new one") {
  Engine e;
  e.add_critical_risk();
  e.run_until(e.now + 1h);
  e.run("risk ack R-1", "UDAVE");
  e.run_until(e.now + 1h);
  auto again = e.run(R"(risk escalate R-1 --reason "Vendor silent")", "UBOB");
  CHECK(contains(again.reply.text, "Escalation ladder started"));
  // The first ladder's level-2 job (noon + 24 h) finds a ladder started later: dropped.
  e.run_until(itpm::test::noon + 25h);
  CHECK(e.posts_with("Escalation level 2").empty());
  e.run_until(itpm::test::noon + 27h);
  auto level2 = e.posts_with("Escalation level 2");
  REQUIRE(level2.size() == 1);
  CHECK(level2[0].at == itpm::test::noon + 26h);
  e.run("risk ack R-1", "UDAVE");
  e.run_until(e.now + 30 * 24h);
  CHECK(e.posts_with("Escalation level 3").empty());
}

TEST_CASE("a mitigation that passes its due date while open starts the ladder") {
  Engine e;
  e.run(R"(program add dr-2027 "Disaster Recovery 2027")");
  e.run(
      R"(risk add "Runbook outdated" --program dr-2027 --likelihood 2 --impact 3 --owner <@UBOB|bob> --due 2026-11-30)");
  e.run(
      R"(risk add "Backups unencrypted" --program dr-2027 --likelihood 2 --impact 3 --owner <@UBOB|bob> --due 2026-11-30)");
  e.run("risk close R-2");
  e.run_until(utc(2026, 12, 1, 12));
  auto dms = e.posts_with("You own a medium risk: R-1");
  REQUIRE(dms.size() == 1);
  CHECK(dms[0].message.to_user == "UBOB");
  CHECK(dms[0].at == utc(2026, 12, 1, 0));  // the end of the due day
  CHECK(
      contains(dms[0].message.text, "Its mitigation was due Mon 2026-11-30 and it is still open"));
  CHECK(e.posts_with("R-2").empty());  // closed in time: nothing
  auto risk = e.repos.find<itpm::storage::Risk>(1);
  REQUIRE(risk);
  CHECK(risk->escalation_level == 1);
  CHECK(risk->escalation_reason == "mitigation overdue since Mon 2026-11-30");
  // A later due date replaces the check: the old job finds a different date and drops.
  e.run(R"(risk add "Old" --program dr-2027 --likelihood 1 --impact 1 --due 2026-12-03)");
  e.run("risk update R-3 --due 2026-12-10");
  e.run_until(utc(2026, 12, 9, 0));
  CHECK(e.posts_with("R-3").empty());
  e.run_until(utc(2026, 12, 11, 1));
  CHECK(e.posts_with("You own a low risk: R-3").size() == 1);
}

TEST_CASE("a cancelled cadence or a closed program posts nothing more") {
  Engine e;
  e.run(R"(program add dr-2027 "Disaster Recovery 2027")");
  e.run(R"(program add ci-speed "CI speed")");
  e.run(R"(review schedule dr-2027 --every "tue 15:00")");
  e.run(R"(review schedule ci-speed --every "wed 10:00")");
  e.run("review cancel V-1");
  e.run("program close ci-speed");
  e.run_until(utc(2027, 1, 1, 0));
  CHECK(e.posts.empty());
  CHECK(e.repos.find<itpm::storage::Review>(2)->status == itpm::storage::ReviewStatus::cancelled);
  CHECK_FALSE(e.repos.jobs().next_due().has_value());  // no job left behind
}

TEST_CASE("a reminder that runs a moment after its due time reads as on time") {
  Engine e;
  e.run(R"(program add dr-2027 "Disaster Recovery 2027")");
  e.run(R"(review schedule dr-2027 --every "tue 15:00")");
  e.fire(utc(2026, 12, 1, 14) + 400ms);
  auto posts = e.posts_with("*dr-2027* review in 1 hour (Tue 2026-12-01 15:00 UTC)");
  REQUIRE(posts.size() == 1);
  CHECK_FALSE(contains(posts[0].message.text, "Posted late"));
}

TEST_CASE("a corrective action reminds at 75% of its SLO, then breaches, then escalates") {
  Engine e;
  e.run(R"(program add dr-2027 "Disaster Recovery 2027")");
  e.run(
      R"(action add "Add failover alerting" --severity S2 --owner <@UERIN|erin> --program dr-2027)");
  e.run(R"(action add "Done in time" --severity S1 --program dr-2027)");
  e.run_until(e.now + 2 * 24h);
  e.run("action done A-2");
  e.run_until(utc(2027, 1, 10, 0));
  auto reminders = e.posts_with("75% of its 30-day SLO has passed");
  REQUIRE(reminders.size() == 1);
  CHECK(reminders[0].message.to_user == "UERIN");
  // Three quarters of the time to the end of the due day (30 days and 12 hours), all of it
  // working time here.
  CHECK(reminders[0].at == itpm::test::noon + std::chrono::minutes((30 * 24 + 12) * 60 * 3 / 4));
  auto breach = e.posts_with("*A-1* (S2) “Add failover alerting” breached its 30-day SLO");
  REQUIRE(breach.size() == 1);
  CHECK(breach[0].message.channel == "CDEMO");
  CHECK(breach[0].at == utc(2026, 12, 28, 0));  // the end of the due day
  auto escalated = e.posts_with("Escalation: corrective action *A-1*");
  REQUIRE(escalated.size() == 1);
  CHECK(escalated[0].message.channel == "CLEAD");
  CHECK(escalated[0].at == utc(2026, 12, 29, 0));
  CHECK(e.posts_with("A-2").empty());  // done in time: no reminder, no breach
  CHECK(e.repos.find<itpm::storage::Action>(1)->breach_level == 2);
  CHECK_FALSE(e.repos.jobs().next_due().has_value());
}

TEST_CASE("a ladder step computed before an ack commits is refused and run again: no step") {
  Engine e;
  e.add_critical_risk();
  // The level-2 step falls due; the scheduler computes its round while the owner's ack is
  // still on its way to the disk.
  Time due = itpm::test::noon + 24h;
  e.now = due;
  itpm::commands::Context ctx{due, {"UADMIN"}, e.repos, e.zone, e.policy};
  auto round = itpm::bot::next_round(e.repos, ctx, 256);
  REQUIRE(round.fired == 1);
  REQUIRE(round.posts.size() == 1);
  e.run("risk ack R-1", "UDAVE");
  auto committed = e.store->commit(std::move(round.writes));
  CHECK(committed.conflict);
  CHECK(committed.item == "R-1");
  // Run again on what is stored now: the risk is acknowledged, so nothing is posted.
  auto again = itpm::bot::next_round(e.repos, ctx, 256);
  CHECK(again.posts.empty());
  REQUIRE(e.store->commit(std::move(again.writes)));
  auto risk = e.repos.find<itpm::storage::Risk>(1);
  CHECK(risk->escalation_level == 0);
  CHECK(risk->acked_at != 0);
  CHECK(e.repos.check().empty());
}

TEST_CASE("bad job rows are moved to the quarantine, the jobs after them still run") {
  Engine e;
  e.add_critical_risk();
  // Rows an import or an older build could leave, all due before the ladder's level 2.
  Time due = itpm::test::noon + 1h;
  std::int64_t due_ms = itpm::commands::millis(due);
  itpm::storage::Batch bad;
  for (const char* row : {R"(not json)", R"([1,2])", R"({"kind":5})", R"({"kind":"teleport"})",
                          R"({"kind":"risk_ladder","risk":"R-1","level":2,"ladder":0})"}) {
    bad.put(itpm::storage::Family::schedule,
            itpm::storage::KeyBuilder()
                .u64(static_cast<std::uint64_t>(due_ms))
                .u64(e.store->next_sequence("job", bad))
                .done(),
            row);
  }
  // A ladder step of a risk that is gone: nothing to do, dropped without a post.
  e.repos.jobs().schedule(bad, due_ms,
                          {{"kind", "risk_ladder"}, {"risk", 99}, {"level", 2}, {"ladder", 0}});
  REQUIRE(e.store->commit(std::move(bad)));

  e.run_until(itpm::test::noon + 25h);
  CHECK(e.posts_with("Escalation level 2").size() == 1);  // the good job after them ran
  auto rows = itpm::storage::quarantined_rows(*e.store);
  REQUIRE(rows.size() == 5);
  CHECK(rows[0].kind == "job");
  CHECK(rows[0].row == "not json");
  CHECK(contains(rows[0].error, "malformed"));
  CHECK(rows[2].row == R"({"kind":5})");
  CHECK(contains(rows[3].error, "\"teleport\""));
  CHECK(rows[3].at_ms == due_ms);
  // None is left in the schedule to be run again.
  for (const auto& job : itpm::storage::all_jobs(*e.store)) {
    CHECK(job.job.is_object());
    CHECK(job.job.value("kind", "") != "teleport");
  }
  CHECK(e.repos.check().empty());
}
