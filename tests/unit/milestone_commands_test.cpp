// The milestone area on a real store: add, done (early, on time, late), slip (history of old
// and new dates with reasons), list (--program, --overdue), permissions, and milestones in
// the review agenda.
#include "tests/support/command_fixture.hpp"

#include <catch2/catch.hpp>

using namespace itpm::commands;
using itpm::test::contains;

namespace {

struct MilestoneFixture : itpm::test::CommandFixture {
  MilestoneFixture() {
    // alice owns dr-2027, carol sponsors it. Today is Fri 2026-11-27.
    run(R"(program add dr-2027 "Disaster Recovery 2027" --sponsor <@UCAROL|carol>)");
  }
};

}  // namespace

TEST_CASE("milestone add records a dated commitment and says what to do next") {
  MilestoneFixture f;
  auto out = f.run(R"(milestone add dr-2027 "Runbook signed off" --due thu --owner <@UBOB|bob>)");
  INFO(out.reply.text);
  CHECK(out.reply.visibility == Visibility::in_channel);
  CHECK(contains(out.reply.text, "🎯 *M-1* · dr-2027 · “Runbook signed off”"));
  CHECK(contains(out.reply.text, "due Thu 2026-12-03 (in 6 days) · owner <@UBOB>"));
  CHECK(contains(out.reply.text, "`/itpm milestone done M-1`"));
  auto m = f.repos.find<itpm::storage::Milestone>(1);
  REQUIRE(m);
  CHECK(m->due == "2026-12-03");
  CHECK(m->original_due == "2026-12-03");
  CHECK(f.repos.audit("M-1").size() == 1);

  CHECK(contains(f.run(R"(milestone add dr-2027 "x")").reply.text, "Missing --due"));
  CHECK(contains(f.run(R"(milestone add dr-2027 "x" --due someday)").reply.text,
                 "Nothing was saved"));
  CHECK(contains(f.run(R"(milestone add nope "x" --due fri)").reply.text, "No program \"nope\""));
  CHECK(f.repos.all<itpm::storage::Milestone>().size() == 1);
}

TEST_CASE("milestone slip keeps every move with its reason, only later dates") {
  MilestoneFixture f;
  f.run(R"(milestone add dr-2027 "Backup restore test" --due 2026-12-03)");
  auto slipped =
      f.run(R"(milestone slip M-1 --due 2026-12-10 --reason "Restore host not ready")", "UCAROL");
  INFO(slipped.reply.text);
  CHECK(contains(slipped.reply.text, "⏰ *M-1* slipped by <@UCAROL>"));
  CHECK(contains(slipped.reply.text,
                 "Thu 2026-12-03 → Thu 2026-12-10 (+7 days) · Reason: Restore host not ready"));
  CHECK(contains(f.run(R"(milestone slip M-1 --due 2026-12-09 --reason "x")").reply.text,
                 "a slip moves it later (got Wed 2026-12-09)"));
  auto again = f.run(R"(milestone slip M-1 --due 2026-12-17 --reason "Vendor")");
  CHECK(contains(again.reply.text, "Slip 2 since first planned for Thu 2026-12-03."));
  auto m = f.repos.find<itpm::storage::Milestone>(1);
  REQUIRE(m->slips.size() == 2);
  CHECK(m->slips[0].from == "2026-12-03");
  CHECK(m->slips[0].to == "2026-12-10");
  CHECK(m->slips[0].reason == "Restore host not ready");
  CHECK(m->slips[0].by == "UCAROL");
  CHECK(m->slips[1].from == "2026-12-10");
  CHECK(m->due == "2026-12-17");
  CHECK(m->original_due == "2026-12-03");
  CHECK(contains(f.run(R"(milestone slip M-1 --due 2027-01-10 --reason "x")", "UERIN").reply.text,
                 "Only the milestone owner <@UALICE>, the program owner <@UALICE>, the sponsor "
                 "<@UCAROL> or an itpm admin can move M-1."));
  CHECK(f.repos.find<itpm::storage::Milestone>(1)->slips.size() == 2);
}

TEST_CASE("milestone done says whether it was early, on time or late") {
  MilestoneFixture f;
  f.run(R"(milestone add dr-2027 "Early" --due 2026-12-03)");
  f.run(R"(milestone add dr-2027 "Late" --due 2026-11-20)");
  f.run(R"(milestone add dr-2027 "Future" --due 2026-12-20)");
  CHECK(contains(f.run("milestone done M-1").reply.text,
                 "Fri 2026-11-27 by <@UALICE>, 6 days early (due Thu 2026-12-03)"));
  CHECK(contains(f.run("milestone done M-2 --date 2026-11-25").reply.text, "5 days late"));
  CHECK(contains(f.run("milestone done M-2").reply.text, "M-2 is done since Wed 2026-11-25."));
  CHECK(contains(f.run("milestone done M-3 --date 2026-12-01").reply.text, "is in the future"));
  CHECK(contains(f.run("milestone done M-9").reply.text, "No milestone M-9"));
  CHECK(f.repos.find<itpm::storage::Milestone>(1)->done_on_time());
  CHECK_FALSE(f.repos.find<itpm::storage::Milestone>(2)->done_on_time());
  CHECK(f.repos.find<itpm::storage::Milestone>(3)->status == itpm::storage::WorkStatus::open);
}

TEST_CASE("milestone list shows open ones soonest first, --overdue only the late") {
  MilestoneFixture f;
  f.run(R"(program add ci-speed "CI speed")", "UERIN");
  f.run(R"(milestone add dr-2027 "Runbook signed off" --due 2026-12-03)");
  f.run(R"(milestone add dr-2027 "Backup restore test" --due 2026-11-24)");
  f.run(R"(milestone add ci-speed "Cache warmed" --due 2026-11-27)", "UERIN");
  f.run(R"(milestone add dr-2027 "Done already" --due 2026-11-30)");
  f.run("milestone done M-4");
  auto all = f.run("milestone list");
  INFO(all.reply.text);
  CHECK(contains(all.reply.text, "*3 open milestones*, soonest first"));
  auto first = all.reply.text.find("*M-2*");
  auto second = all.reply.text.find("*M-3*");
  auto third = all.reply.text.find("*M-1*");
  REQUIRE(third != std::string::npos);
  CHECK(first < second);
  CHECK(second < third);
  CHECK(contains(all.reply.text, "“Backup restore test” · _overdue 3 days_ (due Tue 2026-11-24)"));
  CHECK(contains(all.reply.text, "“Cache warmed” · due today"));
  CHECK_FALSE(contains(all.reply.text, "M-4"));
  auto overdue = f.run("milestone list --overdue --program dr-2027");
  CHECK(contains(overdue.reply.text, "*1 overdue milestone in dr-2027*"));
  CHECK_FALSE(contains(overdue.reply.text, "M-1"));
  CHECK(contains(f.run("milestone list --program ci-speed --overdue").reply.text,
                 "No overdue milestones in ci-speed."));
  // Done ones too: --done alone, --all after the open ones.
  auto done = f.run("milestone list --done").reply.text;
  CHECK(contains(done, "*1 done milestone*, most recently done first"));
  CHECK(contains(done, "✅ *M-4* dr-2027 · “Done already” · done"));
  CHECK(contains(f.run("milestone list --done --program ci-speed").reply.text,
                 "No done milestones in ci-speed."));
  auto every = f.run("milestone list --all --program dr-2027").reply.text;
  CHECK(contains(every, "*3 milestones in dr-2027*, open ones soonest first"));
  CHECK(every.find("*M-1*") < every.find("*M-4*"));
  CHECK(contains(f.run("milestone list --overdue --done").reply.text,
                 "--overdue lists open milestones"));
}

TEST_CASE("the review agenda lists milestones due within 14 days and overdue ones") {
  MilestoneFixture f;
  f.run(R"(milestone add dr-2027 "Runbook signed off" --due 2026-12-03)");
  f.run(R"(milestone add dr-2027 "Backup restore test" --due 2026-11-24 --owner <@UBOB|bob>)");
  f.run(R"(milestone add dr-2027 "Next year" --due 2027-02-01)");
  auto out = f.run("review now dr-2027");
  REQUIRE(out.effects.size() == 1);
  const auto& text = std::get<PostMessage>(out.effects.front()).text;
  INFO(text);
  CHECK(contains(text,
                 "*Milestones:*\n• *M-2* “Backup restore test” _overdue 3 days_ (due Tue "
                 "2026-11-24) (<@UBOB>)\n• *M-1* “Runbook signed off” due Thu 2026-12-03 "
                 "(in 6 days) (<@UALICE>)"));
  CHECK_FALSE(contains(text, "Next year"));
}
