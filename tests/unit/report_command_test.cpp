// `report` on a real store: each program's status and what it was, risks opened and closed,
// decisions, milestones done and slipped within the period, and corrective actions due soon.
#include "tests/support/command_fixture.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>

using namespace itpm::commands;
using itpm::test::contains;

TEST_CASE("report sums up each program's week and the actions due") {
  itpm::test::CommandFixture f;
  // A week ago: two programs, a green status, an old risk and decision.
  f.now -= std::chrono::hours(24 * 10);
  f.run(R"(program add dr-2027 "Disaster Recovery 2027")");
  f.run(R"(program add ci-speed "CI speed")");
  f.run(R"(status dr-2027 green "On track")");
  f.run(R"(risk add "Old risk" --program dr-2027 -l 2 -i 2)");
  f.run(R"(decision add "Old decision" --program dr-2027)");
  f.run(R"(milestone add dr-2027 "Runbook signed off" --due 2026-12-03)");
  f.run(R"(milestone add dr-2027 "Restore test" --due 2026-11-25)");
  // This week.
  f.now += std::chrono::hours(24 * 8);
  f.run(R"(status dr-2027 amber "Failover drill slipped a week")");
  f.run(R"(risk add "New risk" --program dr-2027 -l 3 -i 3)");
  f.run(R"(risk add "Another" --program dr-2027 -l 1 -i 2)");
  f.run("risk close R-1");
  f.run(R"(decision add "Use Patroni" --program dr-2027)");
  f.run(R"(milestone slip M-1 --due 2026-12-10 --reason "Reviewer out")");
  f.run("milestone done M-2");
  f.run(
      R"(action add "Add failover alerting" --severity S1 --program dr-2027 --owner <@UERIN|erin>)");
  f.run(R"(action add "Docs" --severity S4)");
  f.now += std::chrono::hours(24 * 2);

  auto out = f.run("report --share");
  INFO(out.reply.text);
  CHECK(out.reply.visibility == Visibility::in_channel);
  CHECK(contains(out.reply.text, "📊 *Status report* · Fri 2026-11-20 → Fri 2026-11-27"));
  CHECK(contains(out.reply.text,
                 "*dr-2027* 🟠 amber (was 🟢 green) · risks +2 −1 · decisions +1 · "
                 "milestones ✅1 ⏰1 slipped"));
  CHECK(contains(out.reply.text, "*ci-speed* ⚪ no status · risks +0 −0 · decisions +0"));
  CHECK(contains(out.reply.text,
                 "*Corrective actions:*\n• *A-1* S1 “Add failover alerting” due "
                 "in 5 days (<@UERIN>)"));
  CHECK_FALSE(contains(out.reply.text, "A-2"));

  auto older = f.run("report dr-2027 --since 2026-11-10");
  CHECK(contains(older.reply.text, "· Tue 2026-11-10 → Fri 2026-11-27"));
  CHECK(contains(older.reply.text, "*dr-2027* 🟠 amber · risks +3 −1 · decisions +2"));
  CHECK_FALSE(contains(older.reply.text, "ci-speed"));
  CHECK(older.reply.visibility == Visibility::ephemeral);
  CHECK(contains(f.run("report --since 2027-01-01").reply.text, "cannot be in the future"));
  // Fri 2026-11-27: mon is the Monday just past.
  CHECK(contains(f.run("report --since mon").reply.text, "· Mon 2026-11-23 → Fri 2026-11-27"));
  CHECK(contains(f.run("report nope").reply.text, "No program \"nope\""));
}

TEST_CASE("report lists red, amber, then programs that moved, then the rest, never closed ones") {
  itpm::test::CommandFixture f;
  f.now -= std::chrono::hours(24 * 10);
  for (const char* key : {"a-calm", "b-red", "c-moved", "d-closed", "e-amber"})
    f.run(fmt::format(R"(program add {} "{}")", key, key));
  f.run(R"(status b-red green "Fine")");
  f.run(R"(status c-moved red "Bad")");
  f.run(R"(status d-closed red "Bad")");
  f.run(R"(status e-amber red "Bad")");
  f.now += std::chrono::hours(24 * 8);
  f.run(R"(status b-red red "Worse")");
  f.run(R"(status c-moved green "Better")");
  f.run(R"(status e-amber amber "Getting better")");
  f.run(R"(risk add "New" --program c-moved -l 2 -i 2)");
  f.run("program close d-closed");
  auto text = f.run("report").reply.text;
  INFO(text);
  auto at = [&](const char* key) { return text.find(fmt::format("*{}*", key)); };
  CHECK(at("b-red") < at("e-amber"));
  CHECK(at("e-amber") < at("c-moved"));
  CHECK(at("c-moved") < at("a-calm"));
  CHECK(at("a-calm") != std::string::npos);
  CHECK(at("d-closed") == std::string::npos);
  CHECK(f.repos.check().empty());
}

TEST_CASE("report shows 40 programs, red first in key order, and counts the open ones") {
  itpm::test::CommandFixture f;
  for (int i = 1; i <= 45; ++i) {
    auto key = fmt::format("p{:02}", i);
    f.run(fmt::format(R"(program add {} "{}")", key, key));
    // Every third is red, the others amber: 15 red, 30 amber.
    f.run(fmt::format(R"(status {} {} "why")", key, i % 3 == 0 ? "red" : "amber"));
  }
  f.run("program add zz-green \"green\"");
  f.run(R"(status zz-green green "ok")");
  auto text = f.run("report").reply.text;
  INFO(text);
  CHECK(text.find("*p03*") < text.find("*p45*"));
  CHECK(text.find("*p45*") < text.find("*p01*"));  // the last red before the first amber
  CHECK(contains(text, "*p37*"));                  // the 25th amber is the 40th line
  CHECK_FALSE(contains(text, "*p38*"));
  CHECK_FALSE(contains(text, "zz-green"));
  CHECK(contains(text, "… and 6 more."));
}
