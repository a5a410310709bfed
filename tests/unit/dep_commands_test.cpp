// The dep area on a real store: dependencies on a program, a person, a channel or a named
// team; who is told; resolving with permissions; lists; the agenda; and the DM to a
// dependent program's owner when a milestone slips past a need-by date.
#include "tests/support/command_fixture.hpp"

#include <catch2/catch.hpp>

using namespace itpm::commands;
using itpm::test::contains;

namespace {

struct DepFixture : itpm::test::CommandFixture {
  DepFixture() {
    // alice owns dr-2027 (carol sponsors); erin owns ci-speed. Today is Fri 2026-11-27.
    run(R"(program add dr-2027 "Disaster Recovery 2027" --sponsor <@UCAROL|carol>)");
    run(R"(program add ci-speed "CI speed")", "UERIN");
  }
};

}  // namespace

TEST_CASE("dep add knows programs, people, channels and named teams") {
  DepFixture f;
  auto on_program =
      f.run(R"(dep add dr-2027 "Faster restore builds" --on ci-speed --need-by 2026-12-10)");
  INFO(on_program.reply.text);
  CHECK(contains(on_program.reply.text,
                 "🔗 *X-1* · dr-2027 needs “Faster restore builds” from program *ci-speed*"));
  CHECK(contains(on_program.reply.text, "need-by Thu 2026-12-10 (in 13 days)"));
  CHECK(contains(on_program.reply.text, "Told <@UERIN>."));
  REQUIRE(on_program.effects.size() == 1);
  const auto& dm = std::get<PostMessage>(on_program.effects.front());
  CHECK(dm.to_user == "UERIN");
  CHECK(contains(dm.text,
                 "dr-2027 needs “Faster restore builds” from program *ci-speed* by Thu "
                 "2026-12-10"));

  auto on_person = f.run(R"(dep add dr-2027 "Firewall change" --on <@UBOB|bob> --need-by fri)");
  CHECK(contains(on_person.reply.text, "from <@UBOB>"));
  CHECK(std::get<PostMessage>(on_person.effects.front()).to_user == "UBOB");
  auto on_channel =
      f.run(R"(dep add dr-2027 "VPC peering" --on <#CNET|network-team> --need-by 2026-12-01)");
  CHECK(contains(on_channel.reply.text, "from <#CNET>"));
  CHECK(on_channel.effects.empty());
  auto on_team =
      f.run(R"(dep add dr-2027 "DNS cutover" --on "Platform team" --need-by 2026-12-02)");
  CHECK(contains(on_team.reply.text, "from “Platform team”"));

  CHECK(f.repos.find<itpm::storage::Dependency>(1)->on_kind == "program");
  CHECK(f.repos.find<itpm::storage::Dependency>(2)->on_kind == "user");
  CHECK(f.repos.find<itpm::storage::Dependency>(3)->on_kind == "channel");
  CHECK(f.repos.find<itpm::storage::Dependency>(4)->on_kind == "team");
  CHECK(contains(f.run(R"(dep add dr-2027 "x" --on dr-2027 --need-by fri)").reply.text,
                 "dr-2027 cannot depend on itself."));
  CHECK(contains(f.run(R"(dep add dr-2027 "x" --on ci-speed)").reply.text, "Missing --need-by"));
  CHECK(f.repos.all<itpm::storage::Dependency>().size() == 4);
}

TEST_CASE("dep resolve: who added it, who provides it, the program's leads or an admin") {
  DepFixture f;
  f.run(R"(dep add dr-2027 "Faster restore builds" --on ci-speed --need-by 2026-11-25)", "UBOB");
  CHECK(contains(f.run("dep resolve X-1", "UDAVE").reply.text,
                 "Only <@UBOB> (who added it), <@UERIN> (who provides it), the program owner "
                 "<@UALICE>, the sponsor <@UCAROL> or an itpm admin can resolve X-1."));
  auto done = f.run("dep resolve X-1", "UERIN");
  INFO(done.reply.text);
  CHECK(contains(done.reply.text,
                 "✅ *X-1* resolved by <@UERIN> · dr-2027 got “Faster restore "
                 "builds” from program *ci-speed*"));
  CHECK(contains(done.reply.text, "2 days after its need-by date (Wed 2026-11-25)."));
  CHECK(contains(f.run("dep resolve X-1").reply.text, "X-1 is resolved already."));
  CHECK(contains(f.run("dep resolve X-7").reply.text, "No dependency X-7"));
  CHECK(f.repos.find<itpm::storage::Dependency>(1)->resolved_by == "UERIN");
  CHECK(f.repos.audit("X-1").size() == 2);
}

TEST_CASE("dep list shows open dependencies of either side, soonest need-by first") {
  DepFixture f;
  f.run(R"(dep add dr-2027 "Faster restore builds" --on ci-speed --need-by 2026-12-10)");
  f.run(R"(dep add dr-2027 "VPC peering" --on <#CNET|network-team> --need-by 2026-11-20)");
  f.run(R"(dep add ci-speed "Runner images" --on "Platform team" --need-by 2026-12-01)", "UERIN");
  f.run("dep resolve X-3", "UERIN");
  auto all = f.run("dep list");
  INFO(all.reply.text);
  CHECK(contains(all.reply.text, "*2 open dependencies*, soonest need-by first"));
  CHECK(all.reply.text.find("*X-2*") < all.reply.text.find("*X-1*"));
  CHECK(contains(all.reply.text, "“VPC peering” _overdue 7 days_ (need-by Fri 2026-11-20)"));
  CHECK(
      contains(f.run("dep list --program ci-speed").reply.text, "*1 open dependency of ci-speed*"));
  CHECK(contains(f.run("dep list --program nope").reply.text, "No program \"nope\""));
}

TEST_CASE("a slip past a need-by date tells the dependent program's owner, agendas list deps") {
  DepFixture f;
  f.run(R"(dep add dr-2027 "Faster restore builds" --on ci-speed --need-by 2026-12-10)");
  f.run(R"(milestone add ci-speed "Cache warmed" --due 2026-12-08)", "UERIN");
  // Still before the need-by date: nobody is told.
  CHECK(f.run(R"(milestone slip M-1 --due 2026-12-10 --reason "x")", "UERIN").effects.empty());
  auto past = f.run(R"(milestone slip M-1 --due 2026-12-15 --reason "Flaky runners")", "UERIN");
  REQUIRE(past.effects.size() == 1);
  const auto& dm = std::get<PostMessage>(past.effects.front());
  CHECK(dm.to_user == "UALICE");
  CHECK(contains(dm.text,
                 "ci-speed milestone M-1 “Cache warmed” slipped to Tue 2026-12-15, past "
                 "the need-by date Thu 2026-12-10 of X-1: dr-2027 needs “Faster restore "
                 "builds” from ci-speed."));
  // Already past: a further slip tells nobody again.
  CHECK(f.run(R"(milestone slip M-1 --due 2026-12-20 --reason "y")", "UERIN").effects.empty());

  auto agenda = f.run("review now dr-2027");
  const auto& text = std::get<PostMessage>(agenda.effects.front()).text;
  CHECK(contains(text,
                 "*Dependencies:*\n• *X-1* on program *ci-speed* “Faster restore builds” "
                 "need-by Thu 2026-12-10 (in 13 days)"));
}
