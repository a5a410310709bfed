#include "commands/areas/kpi_command.hpp"
#include "commands/calendar/dates.hpp"
#include "tests/support/command_fixture.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>

using namespace itpm::commands;
using itpm::storage::Repositories;
using itpm::storage::Store;

namespace {

using Fixture = itpm::test::CommandFixture;
using itpm::test::contains;
using itpm::test::noon;

}  // namespace

TEST_CASE("date words resolve in the caller's zone") {
  auto today = std::chrono::sys_days(std::chrono::year{2026} / 11 / 27);
  CHECK(resolve_date("2027-06-30", today) == "2027-06-30");
  CHECK(resolve_date("today", today) == "2026-11-27");
  CHECK(resolve_date("Tomorrow", today) == "2026-11-28");
  CHECK(resolve_date("+3d", today) == "2026-11-30");
  CHECK(resolve_date("+2w", today) == "2026-12-11");
  CHECK(resolve_date("fri", today) == "2026-12-04");  // the next Friday, not today
  CHECK(resolve_date("monday", today) == "2026-11-30");
  // A --since leans to the past: the most recent one, today included.
  CHECK(resolve_date("mon", today, DateLean::past) == "2026-11-23");
  CHECK(resolve_date("fri", today, DateLean::past) == "2026-11-27");
  CHECK(resolve_date("sat", today, DateLean::past) == "2026-11-21");
  CHECK(resolve_date("+2w", today, DateLean::past) == "2026-12-11");
  CHECK_FALSE(resolve_date("2027-02-30", today));
  CHECK_FALSE(resolve_date("soon", today));
  CHECK_FALSE(resolve_date("+xd", today));
  CHECK(show_date("2026-12-04") == "Fri 2026-12-04");
  auto late = std::chrono::sys_days(std::chrono::year{2026} / 11 / 27) + std::chrono::hours(23);
  CHECK(today_in(late, "Asia/Kolkata") == std::chrono::sys_days(std::chrono::year{2026} / 11 / 28));
  CHECK(today_in(late, "America/Los_Angeles") ==
        std::chrono::sys_days(std::chrono::year{2026} / 11 / 27));
  CHECK(today_in(late, "Not/AZone") == std::chrono::sys_days(std::chrono::year{2026} / 11 / 27));
}

TEST_CASE("program add creates a program in the channel, with defaults and an audit entry") {
  Fixture f;
  auto out = f.run(
      R"(program add dr-2027 "Disaster Recovery 2027" --sponsor <@UCAROL|carol> --due fri --budget 250000 --tags "dr, infra")");
  CHECK(out.reply.visibility == Visibility::in_channel);
  CHECK(out.reply.text.find("Program *dr-2027*") != std::string::npos);
  CHECK(out.reply.text.find("budget 250,000") != std::string::npos);
  CHECK(out.reply.text.find("due Fri 2026-12-04") != std::string::npos);
  auto p = f.repos.find<itpm::storage::Program>("dr-2027");
  REQUIRE(p);
  CHECK(p->owner == "UALICE");
  CHECK(p->sponsor == "UCAROL");
  CHECK(p->channel == "CDEMO");
  CHECK(p->tags == std::vector<std::string>{"dr", "infra"});
  CHECK(f.repos.audit("dr-2027").size() == 1);
}

TEST_CASE("program add refuses bad keys, duplicates and bad dates, and writes nothing") {
  Fixture f;
  f.run(R"(program add dr-2027 "DR")");
  struct Row {
    std::string text;
    std::string message;
  };
  auto row = GENERATE(values<Row>({
      {R"(program add dr-2027 "Again")", "already exists"},
      {R"(program add DR "Upper")", "lowercase letters"},
      {R"(program add x "Too short")", "2-32"},
      {R"(program add ci-speed "CI" --due someday)", "--due must be a date"},
      {R"(program add ci-speed "CI" --start 2027-01-10 --due 2027-01-01)", "before the start"},
  }));
  auto out = f.run(row.text);
  INFO(out.reply.text);
  CHECK(out.reply.text.find(row.message) != std::string::npos);
  CHECK(out.reply.text.find("Nothing was saved") != std::string::npos);
  CHECK(out.reply.visibility == Visibility::ephemeral);
  CHECK(f.repos.all<itpm::storage::Program>().size() == 1);
}

TEST_CASE("only the owner, the sponsor or an admin may update or close a program") {
  Fixture f;
  f.run(R"(program add dr-2027 "DR" --sponsor <@UCAROL>)");
  auto refused = f.run("program update dr-2027 --due 2027-01-01", "UBOB");
  CHECK(refused.reply.text.find(
            "Only the program owner <@UALICE>, the sponsor <@UCAROL> or an itpm admin") !=
        std::string::npos);
  CHECK(f.repos.find<itpm::storage::Program>("dr-2027")->due.empty());

  auto by_sponsor = f.run("program update dr-2027 --due 2027-01-01 --budget 10", "UCAROL");
  CHECK(by_sponsor.reply.text.find("due none → 2027-01-01") != std::string::npos);
  CHECK(f.run("program update dr-2027 --tags \"dr, infra\"", "UCAROL")
            .reply.text.find("tags none → dr, infra") != std::string::npos);
  CHECK(f.repos.find<itpm::storage::Program>("dr-2027")->budget == 10);
  CHECK(f.run("program update dr-2027", "UCAROL").reply.text.find("Nothing to change") !=
        std::string::npos);

  auto closed = f.run(R"(program close dr-2027 --note "Done early")", "UADMIN");
  CHECK(closed.reply.text.find("closed by <@UADMIN>") != std::string::npos);
  CHECK(f.repos.find<itpm::storage::Program>("dr-2027")->status ==
        itpm::storage::ProgramStatus::closed);
  CHECK(f.run("program close dr-2027").reply.text.find("already closed") != std::string::npos);
  CHECK(f.repos.audit("dr-2027").size() == 4);
}

TEST_CASE("program list and show: open by default, unknown keys get a suggestion") {
  Fixture f;
  f.run(R"(program add dr-2027 "Disaster &amp; Recovery")");
  f.run(R"(program add ci-speed "CI speed")");
  f.run("program close ci-speed");
  auto open = f.run("program list");
  CHECK(open.reply.visibility == Visibility::ephemeral);
  CHECK(open.reply.text.find("*1 program*") != std::string::npos);
  CHECK(open.reply.text.find("Disaster &amp; Recovery") != std::string::npos);  // escaped again
  CHECK(f.run("program list --all").reply.text.find("ci-speed") != std::string::npos);
  CHECK(f.run("program list --share").reply.visibility == Visibility::in_channel);
  CHECK(f.run("program show dr-2072").reply.text.find("Did you mean `dr-2027`?") !=
        std::string::npos);
  CHECK(f.run("program show dr-2027").reply.text.find("/itpm audit dr-2027") != std::string::npos);
}

TEST_CASE("audit shows who changed what, oldest first") {
  Fixture f;
  f.run(R"(program add dr-2027 "DR")");
  f.run("program update dr-2027 --due 2027-01-01 --budget 10");
  auto out = f.run("audit dr-2027", "UBOB");
  CHECK(out.reply.visibility == Visibility::ephemeral);
  CHECK(out.reply.text.find("*History of dr-2027* (2 changes)") != std::string::npos);
  CHECK(out.reply.text.find("Fri 2026-11-27 12:00 UTC · <@UALICE> · *add* — created") !=
        std::string::npos);
  CHECK(out.reply.text.find("budget 0 → 10 · due none → 2027-01-01") != std::string::npos);
  CHECK(f.run("audit R-99").reply.text.find("No history") != std::string::npos);
}

TEST_CASE("audit finds an item however its id is typed, and a program key that looks like one") {
  Fixture f;
  f.run(R"(program add dr-2027 "DR")");
  f.run(R"(milestone add dr-2027 "Cutover" --due 2027-01-15)");
  f.run(R"(action add "Patch" --severity S2)");
  f.run("survey send dr-2027");
  for (const char* typed : {"m-1", "M1", "m1"})
    CHECK(contains(f.run(fmt::format("audit {}", typed)).reply.text, "*History of M-1*"));
  CHECK(contains(f.run("audit a1").reply.text, "*History of A-1*"));
  // Surveys are S-n; their old Q-n spelling still finds them.
  CHECK(contains(f.run("audit s-1").reply.text, "*History of S-1*"));
  CHECK(contains(f.run("audit Q-1").reply.text, "*History of S-1*"));
  f.run(R"(program add a5 "A program whose key looks like an action id")");
  CHECK(contains(f.run("audit a5").reply.text, "*History of a5*"));
}

TEST_CASE("program spend records actual spend: budget, spent and what is left or over") {
  Fixture f;
  f.run(
      R"(program add dr-2027 "Disaster Recovery 2027" --budget 100,000 --sponsor <@UCAROL|carol>)");
  auto spent = f.run(R"(program spend dr-2027 60,000 --date 2026-11-20 --note "DR site lease")");
  INFO(spent.reply.text);
  CHECK(spent.reply.visibility == Visibility::in_channel);
  CHECK(contains(spent.reply.text, "💸 *dr-2027*: 60,000 on Fri 2026-11-20 recorded by <@UALICE>"));
  CHECK(contains(spent.reply.text, "budget 100,000 · spent 60,000 · 40,000 left"));
  auto more = f.run("program spend dr-2027 45000", "UCAROL");  // the sponsor may, today
  CHECK(contains(more.reply.text, "45,000 on Fri 2026-11-27"));
  CHECK(contains(more.reply.text, "spent 105,000 · *over by 5,000*"));
  CHECK(contains(f.run("program show dr-2027").reply.text, "*over by 5,000*"));
  auto refund = f.run(R"(program spend dr-2027 10000 --refund --note "credit from the vendor")");
  CHECK(contains(refund.reply.text, "refund of 10,000"));
  CHECK(contains(refund.reply.text, "spent 95,000 · 5,000 left"));
  auto history = f.repos.audit("dr-2027");
  REQUIRE(history.size() == 4);
  CHECK(history[1].action == "spend");
  CHECK(history[1].note == "60,000 on 2026-11-20: DR site lease");
  CHECK(history[3].note == "refund of 10,000 on 2026-11-27: credit from the vendor");

  // Bad input: a clear line naming the field, nothing saved.
  for (const char* bad : {"program spend dr-2027 lots", "program spend dr-2027 12.5",
                          "program spend dr-2027 0", "program spend dr-2027 10 --date 2027-01-05",
                          "program spend dr-2027 200000 --refund", "program spend nope 10"}) {
    INFO(bad);
    auto out = f.run(bad);
    CHECK(out.writes.empty());
    CHECK(out.reply.visibility == Visibility::ephemeral);
  }
  auto lots = f.run("program spend dr-2027 lots");
  INFO(lots.reply.text);
  CHECK(contains(lots.reply.text, "<amount> must be a whole number (got \"lots\")"));
  CHECK(contains(f.run("program spend dr-2027 0").reply.text, "must be at least 1 (got 0)"));
  CHECK(
      contains(f.run("program spend dr-2027 10 --date 2027-01-05").reply.text, "is in the future"));
  CHECK(contains(f.run("program spend dr-2027 10", "UMALLORY").reply.text,
                 "Only the program owner <@UALICE>, the sponsor <@UCAROL> or an itpm admin"));
  CHECK(f.repos.find<itpm::storage::Program>("dr-2027")->spent == 95'000);
}

TEST_CASE("a program done over budget is not on time and within budget in the kpi") {
  Fixture f;
  f.run(R"(program add dr-2027 "Disaster Recovery 2027" --budget 100 --due 2026-12-31)");
  f.run(R"(program add ci-speed "CI speed" --budget 100 --due 2026-12-31)");
  f.run(R"(program add obs "Observability" --due 2026-11-01)");
  f.run("program spend dr-2027 150");
  f.run("program spend ci-speed 100");
  for (const char* key : {"dr-2027", "ci-speed", "obs"})
    f.run(fmt::format("program close {}", key));
  auto today = std::chrono::sys_days(std::chrono::year{2026} / 11 / 27);
  auto k = compute_kpis(f.repos, quarter_of(today), today, "UTC");
  CHECK(k.programs_done == 3);
  CHECK(k.programs_on_time == 1);  // ci-speed: on time, exactly its budget
  CHECK(k.programs_over_budget == 1);
  CHECK(k.programs_late == 1);
  CHECK(contains(f.run("kpi").reply.text, "33% (1/3; programs 1 late, 1 over budget)"));
}
