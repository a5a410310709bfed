// The staff area on a real store: assigning, changing and removing allocations with
// permissions, lists by program or person, and anyone above 100% flagged in lists and in the
// review agenda.
#include "tests/support/command_fixture.hpp"

#include <catch2/catch.hpp>

using namespace itpm::commands;
using itpm::test::contains;

namespace {

struct StaffFixture : itpm::test::CommandFixture {
  StaffFixture() {
    // alice owns dr-2027; erin owns ci-speed.
    run(R"(program add dr-2027 "Disaster Recovery 2027")");
    run(R"(program add ci-speed "CI speed")", "UERIN");
  }
};

}  // namespace

TEST_CASE("staff assign sets, changes and removes an allocation, flagging over 100%") {
  StaffFixture f;
  auto first = f.run("staff assign <@UBOB|bob> dr-2027 50");
  INFO(first.reply.text);
  CHECK(first.reply.visibility == Visibility::in_channel);
  CHECK(contains(first.reply.text, "👥 <@UBOB> on *dr-2027*: 50%"));
  auto second = f.run("staff assign <@UBOB|bob> ci-speed 70", "UERIN");
  CHECK(contains(second.reply.text,
                 "<@UBOB> · ci-speed 70% · dr-2027 50% · total *120%* "
                 "_over-allocated_"));
  CHECK(contains(second.reply.text, "⚠️ <@UBOB> is over-allocated: 120% in all."));
  CHECK(contains(f.run("staff assign <@UBOB|bob> dr-2027 30").reply.text, "30% (was 50%)"));
  CHECK(contains(f.run("staff assign <@UBOB|bob> dr-2027 30").reply.text, "already at 30%"));
  CHECK(contains(f.run("staff assign <@UBOB|bob> dr-2027 0").reply.text,
                 "<@UBOB> no longer works on *dr-2027* (was 30%)."));
  CHECK(contains(f.run("staff assign <@UBOB|bob> dr-2027 0").reply.text, "has no allocation"));
  CHECK(contains(f.run("staff assign <@UBOB|bob> dr-2027 150").reply.text, "Nothing was saved"));
  // Someone else's allocation to erin's program: only bob, erin or an admin.
  CHECK(contains(f.run("staff assign <@UBOB|bob> ci-speed 10", "UDAVE").reply.text,
                 "Only <@UBOB>, the program owner <@UERIN> or an itpm admin can change who works "
                 "on ci-speed."));
  CHECK(contains(f.run("staff assign <@UDAVE|dave> ci-speed 10", "UDAVE").reply.text,
                 "<@UDAVE> on *ci-speed*: 10%"));
  auto all = f.repos.all<itpm::storage::Allocation>();
  REQUIRE(all.size() == 2);
  CHECK(all[0].user == "UBOB");
  CHECK(all[0].percent == 70);
  CHECK(f.repos.audit("dr-2027").back().action == "unassign");
}

TEST_CASE("staff list by person or program, the agenda names the over-allocated") {
  StaffFixture f;
  f.run("staff assign <@UBOB|bob> dr-2027 60");
  f.run("staff assign <@UBOB|bob> ci-speed 60", "UERIN");
  f.run("staff assign <@UDAVE|dave> ci-speed 40", "UERIN");
  auto all = f.run("staff list");
  INFO(all.reply.text);
  CHECK(contains(all.reply.text, "*Staffing*: 2 people, ⚠️ 1 over 100%"));
  CHECK(contains(all.reply.text, "⚠️ <@UBOB> · ci-speed 60% · dr-2027 60% · total *120%*"));
  CHECK(contains(all.reply.text, "• <@UDAVE> · ci-speed 40% · total *40%*"));
  CHECK(contains(f.run("staff list --program dr-2027").reply.text,
                 "*Staffing on dr-2027*: 1 person, ⚠️ 1 over 100%"));
  CHECK(contains(f.run("staff list --user <@UDAVE|dave>").reply.text, "*Staffing for <@UDAVE>*"));
  CHECK(contains(f.run("staff list --user <@UERIN|erin>").reply.text,
                 "No allocations for <@UERIN>."));
  CHECK(contains(f.run("staff list --program dr-2027 --user <@UBOB|bob>").reply.text, "not both"));
  auto agenda = f.run("review now dr-2027");
  CHECK(contains(std::get<PostMessage>(agenda.effects.front()).text,
                 "*Staffing:*\n⚠️ <@UBOB> is at 120% (ci-speed 60%, dr-2027 60%)"));
}
