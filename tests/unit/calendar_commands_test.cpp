// The holiday and ooo areas on a real store: who may declare holidays (admins for the
// workspace, whoever runs a program for its channels), lists by year and scope, absences with
// and without a delegate, and the mistakes each refuses with nothing saved.
#include "storage/record_traits.hpp"
#include "tests/support/command_fixture.hpp"

#include <catch2/catch.hpp>

using namespace itpm::commands;
using itpm::storage::Absence;
using itpm::storage::Holiday;
using itpm::test::contains;

namespace {

struct CalendarFixture : itpm::test::CommandFixture {
  CalendarFixture() { run(R"(program add dr-2027 "Disaster Recovery 2027")"); }  // alice's
};

}  // namespace

TEST_CASE("holidays are the workspace's for admins and a program's for whoever runs it") {
  CalendarFixture f;
  auto refused = f.run(R"(holiday add 2026-12-25 "Christmas Day")", "UBOB");
  CHECK(contains(refused.reply.text, "Only itpm admins can change the workspace's holidays"));
  CHECK(f.repos.holidays_of("").empty());

  auto added = f.run(R"(holiday add 2026-12-25 "Christmas Day")", "UADMIN");
  INFO(added.reply.text);
  CHECK(added.reply.visibility == Visibility::in_channel);
  CHECK(contains(
      added.reply.text,
      "🏖️ Fri 2026-12-25 (Christmas Day) is a holiday for everyone, added by <@UADMIN>."));
  CHECK(contains(f.run("holiday add 2026-12-25", "UADMIN").reply.text,
                 "Fri 2026-12-25 is already a holiday for everyone (Christmas Day)."));

  CHECK(contains(f.run("holiday add 2026-12-28 --program dr-2027", "UBOB").reply.text,
                 "Only the program owner <@UALICE> or an itpm admin can change dr-2027's"));
  CHECK(contains(f.run(R"(holiday add 2026-12-28 "Freeze" --program dr-2027)").reply.text,
                 "is a holiday for *dr-2027*'s channels"));
  CHECK(f.repos.find<Holiday>("dr-2027", "2026-12-28")->name == "Freeze");
  CHECK(f.repos.audit("holidays").size() == 1);
  CHECK(f.repos.audit("dr-2027").back().action == "add");
}

TEST_CASE("holiday list shows the workspace's and a program's, from today or of a year") {
  CalendarFixture f;
  f.run(R"(holiday add 2026-11-02 "Past")", "UADMIN");
  f.run(R"(holiday add 2026-12-25 "Christmas Day")", "UADMIN");
  f.run(R"(holiday add 2027-01-01 "New Year")", "UADMIN");
  f.run(R"(holiday add 2026-12-28 "Freeze" --program dr-2027)");
  auto upcoming = f.run("holiday list").reply.text;
  INFO(upcoming);
  CHECK(contains(upcoming, "*Holidays from today on*: 2"));
  CHECK(contains(upcoming, "• Fri 2026-12-25 Christmas Day · everyone"));
  CHECK_FALSE(contains(upcoming, "Past"));
  CHECK_FALSE(contains(upcoming, "Freeze"));
  auto program = f.run("holiday list --program dr-2027").reply.text;
  CHECK(contains(program, "*Holidays for dr-2027 from today on*: 3"));
  CHECK(program.find("Christmas") < program.find("Freeze"));
  CHECK(program.find("Freeze") < program.find("New Year"));
  CHECK(contains(f.run("holiday list --year 2026").reply.text, "Past"));
  CHECK(contains(f.run("holiday list --year 2031").reply.text, "No holidays in 2031."));
  CHECK(contains(f.run("holiday list --year 1999").reply.text, "--year"));
}

TEST_CASE("holiday remove makes the day a working day again") {
  CalendarFixture f;
  f.run(R"(holiday add 2026-12-25 "Christmas Day")", "UADMIN");
  CHECK(contains(
      f.run("holiday remove 2026-12-24", "UADMIN").reply.text,
      "Thu 2026-12-24 is not a holiday for everyone. See them with `/itpm holiday list`."));
  CHECK(contains(f.run("holiday remove 2026-12-25", "UBOB").reply.text, "Only itpm admins"));
  auto removed = f.run("holiday remove 2026-12-25", "UADMIN");
  CHECK(contains(removed.reply.text, "Fri 2026-12-25 is a working day again for everyone"));
  CHECK_FALSE(f.repos.find<Holiday>("", "2026-12-25"));
  CHECK(f.repos.audit("holidays").back().action == "remove");
  CHECK(f.repos.check().empty());
}

TEST_CASE("ooo set, list and clear an absence, with or without a delegate") {
  CalendarFixture f;
  auto set = f.run("ooo set --until 2026-12-11 --delegate <@UBOB|bob>");
  INFO(set.reply.text);
  CHECK(set.reply.visibility == Visibility::ephemeral);
  CHECK(contains(set.reply.text, "🌴 You are out from Fri 2026-11-27 until Fri 2026-12-11."));
  CHECK(contains(set.reply.text, "goes to <@UBOB> meanwhile"));
  auto stored = f.repos.find<Absence>("UALICE");
  REQUIRE(stored);
  CHECK(stored->delegate == "UBOB");

  auto alone = f.run("ooo set --from 2026-12-01 --until 2026-12-02", "UCAROL");
  CHECK(contains(alone.reply.text, "Nobody acts for you"));
  auto list = f.run("ooo list", "UBOB").reply.text;
  CHECK(contains(list, "*Out of office today*: 1"));
  CHECK(contains(list, "• <@UALICE> until Fri 2026-12-11 · delegate <@UBOB>"));
  CHECK_FALSE(contains(list, "UCAROL"));  // not out yet

  CHECK(contains(f.run("ooo clear").reply.text, "Welcome back"));
  CHECK_FALSE(f.repos.find<Absence>("UALICE"));
  CHECK(contains(f.run("ooo clear").reply.text, "You are not out of office"));
  CHECK(contains(f.run("ooo").reply.text, "Nobody is out of office today."));
  CHECK(f.repos.audit("ooo").size() == 3);
}

TEST_CASE("ooo set refuses what cannot be an absence") {
  CalendarFixture f;
  struct Row {
    std::string text;
    std::string message;
  };
  auto row = GENERATE(values<Row>({
      {"ooo set --from 2026-12-10 --until 2026-12-01", "--until Tue 2026-12-01 is before --from"},
      {"ooo set --from 2026-11-01 --until 2026-11-02", "--until Mon 2026-11-02 has passed"},
      {"ooo set --until 2028-12-01", "at most a year"},
      {"ooo set --until 2026-12-01 --delegate <@UALICE|alice>", "Your delegate is someone else"},
      {"ooo set --until someday", "--until must be a date"},
      {"ooo set", "--until"},
  }));
  auto out = f.run(row.text);
  INFO(out.reply.text);
  CHECK(contains(out.reply.text, row.message));
  CHECK(contains(out.reply.text, "Nothing was saved"));
  CHECK_FALSE(f.repos.find<Absence>("UALICE"));
}
