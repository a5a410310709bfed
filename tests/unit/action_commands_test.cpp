// Corrective actions on a real store: SLO due dates per severity (and from config), the
// owner's DM, done within or past the SLO, lists and permissions. Reminders and breaches on
// virtual time are in scheduler_test.cpp.
#include "tests/support/command_fixture.hpp"

#include <catch2/catch.hpp>

using namespace itpm::commands;
using itpm::test::contains;

TEST_CASE("action add takes its due date from the severity's SLO") {
  itpm::test::CommandFixture f;
  f.run(R"(program add dr-2027 "Disaster Recovery 2027")");
  auto out = f.run(
      R"(action add "Add failover alerting" --severity S2 --incident INC-42 --owner <@UERIN|erin> --program dr-2027)");
  INFO(out.reply.text);
  CHECK(out.reply.visibility == Visibility::in_channel);
  CHECK(contains(out.reply.text, "🛠 *A-1* · S2 · “Add failover alerting” · from INC-42"));
  CHECK(contains(out.reply.text,
                 "owner <@UERIN> · due Sun 2026-12-27 (in 30 days) (30-day SLO) · dr-2027"));
  REQUIRE(out.effects.size() == 1);
  CHECK(std::get<PostMessage>(out.effects.front()).to_user == "UERIN");
  CHECK(contains(f.run(R"(action add "Patch" --severity s1)").reply.text,
                 "due Fri 2026-12-04 (in 7 days) (7-day SLO)"));
  f.run("config set slo-s4 120", "UADMIN");
  CHECK(contains(f.run(R"(action add "Docs" --severity S4)").reply.text, "(120-day SLO)"));
  CHECK(contains(f.run(R"(action add "x" --severity S5)").reply.text, "Nothing was saved"));
  CHECK(contains(f.run(R"(action add "x" --severity S1 --program nope)").reply.text,
                 "No program \"nope\""));
  CHECK(f.repos.all<itpm::storage::Action>().size() == 3);
  CHECK(f.repos.find<itpm::storage::Action>(1)->slo_days == 30);
}

TEST_CASE("action done says whether the SLO held, owner, adder, leads or admins may") {
  itpm::test::CommandFixture f;
  f.run(R"(action add "Patch" --severity S1 --owner <@UERIN|erin>)", "UBOB");
  CHECK(contains(f.run("action done A-1", "UDAVE").reply.text,
                 "Only the action owner <@UERIN>, <@UBOB> (who added it) or an itpm admin can "
                 "complete A-1."));
  f.now += std::chrono::hours(24 * 3);
  auto done = f.run("action done A-1", "UERIN");
  CHECK(contains(done.reply.text, "✅ *A-1* done by <@UERIN> · S1 “Patch”"));
  CHECK(contains(done.reply.text, "Within its 7-day SLO (4 days to spare)."));
  CHECK(
      contains(f.run("action done A-1", "UERIN").reply.text, "A-1 is done since Mon 2026-11-30."));
  f.run(R"(action add "Late one" --severity S1)");
  f.now += std::chrono::hours(24 * 10);
  CHECK(contains(f.run("action done A-2").reply.text, "3 days past its 7-day SLO."));
  CHECK(contains(f.run("action done A-9").reply.text, "No action A-9"));
}

TEST_CASE("action list: open ones soonest due first, --overdue, --owner") {
  itpm::test::CommandFixture f;
  f.run(R"(action add "Docs" --severity S4)");
  f.run(R"(action add "Patch" --severity S1 --owner <@UERIN|erin>)");
  f.run(R"(action add "Alerting" --severity S2)");
  f.run("action done A-3");
  auto all = f.run("action list");
  INFO(all.reply.text);
  CHECK(contains(all.reply.text, "*2 open corrective actions*, soonest due first"));
  CHECK(all.reply.text.find("*A-2*") < all.reply.text.find("*A-1*"));
  CHECK(contains(f.run("action list --owner <@UERIN|erin>").reply.text,
                 "*1 open corrective action for <@UERIN>*"));
  // Done ones, most recently done first; --all: open, then done.
  auto done = f.run("action list --done").reply.text;
  CHECK(contains(done, "*1 done corrective action*, most recently done first"));
  CHECK(contains(done, "*A-3*"));
  CHECK_FALSE(contains(done, "*A-1*"));
  auto every = f.run("action list --all --limit 2").reply.text;
  INFO(every);
  CHECK(contains(every, "*3 corrective actions*, open ones soonest due first"));
  CHECK(every.find("*A-2*") < every.find("*A-1*"));
  CHECK_FALSE(contains(every, "*A-3*"));  // past the limit
  CHECK(contains(every, "… and 1 more."));
  CHECK(contains(f.run("action list --done --owner <@UERIN|erin>").reply.text,
                 "No done corrective actions for <@UERIN>."));
  CHECK(contains(f.run("action list --done --all").reply.text, "Give --done or --all, not both."));
  CHECK(
      contains(f.run("action list --overdue").reply.text, "No corrective actions past their SLO."));
  f.now += std::chrono::hours(24 * 9);
  CHECK(contains(f.run("action list --overdue").reply.text,
                 "_past its SLO by 2 days_ (due Fri 2026-12-04)"));
}
