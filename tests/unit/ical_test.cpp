// Holidays from iCalendar files: all-day events (one day or several), folded lines and
// escaped text; timed and repeating events left out with why; a file that is not a calendar.
#include "commands/calendar/ical.hpp"

#include <catch2/catch.hpp>

using itpm::commands::read_ical_holidays;

TEST_CASE("all-day events become holidays, in date order, each day once") {
  auto read = read_ical_holidays(
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
      "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261226\r\nSUMMARY:Boxing Day\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261225\r\nDTEND;VALUE=DATE:20261227\r\n"
      "SUMMARY:Christmas\\, and the day\r\n  after\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nDTSTART:20270101\r\nSUMMARY;LANGUAGE=en:New Year\\nDay\r\nEND:VEVENT\r\n"
      "END:VCALENDAR\r\n");
  REQUIRE(read.error.empty());
  REQUIRE(read.days.size() == 3);
  CHECK(read.days[0].day == "2026-12-25");
  CHECK(read.days[0].name == "Christmas, and the day after");  // folded and unescaped
  CHECK(read.days[1].day == "2026-12-26");
  CHECK(read.days[1].name == "Boxing Day");  // the first event naming the day
  CHECK(read.days[2].day == "2027-01-01");
  CHECK(read.days[2].name == "New Year Day");
  CHECK(read.skipped.empty());
}

TEST_CASE("timed, repeating, endless and broken events are left out, saying why") {
  auto read = read_ical_holidays(
      "BEGIN:VCALENDAR\n"
      "BEGIN:VEVENT\nDTSTART:20261224T090000Z\nSUMMARY:Party\nEND:VEVENT\n"
      "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260501\nRRULE:FREQ=YEARLY\nSUMMARY:May Day\nEND:VEVENT\n"
      "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260701\nDTEND;VALUE=DATE:20260901\nSUMMARY:Summer\n"
      "END:VEVENT\n"
      "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261340\nSUMMARY:Nonsense\nEND:VEVENT\n"
      "BEGIN:VEVENT\nSUMMARY:No start\nEND:VEVENT\n"
      "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261231\nDTEND;VALUE=DATE:20261231\nEND:VEVENT\n"
      "END:VCALENDAR\n");
  REQUIRE(read.error.empty());
  CHECK(read.days.empty());
  REQUIRE(read.skipped.size() == 6);
  CHECK(read.skipped[0] == "line 2 (\"Party\"): not an all-day event");
  CHECK(read.skipped[1] ==
        "line 6 (\"May Day\"): a repeating event (list each year's date instead)");
  CHECK(read.skipped[2] == "line 11 (\"Summer\"): longer than a month");
  CHECK(read.skipped[3] == "line 16 (\"Nonsense\"): not an all-day event");
  CHECK(read.skipped[4] == "line 20 (\"No start\"): an event without DTSTART");
  CHECK(read.skipped[5] == "line 23: its DTEND is not a date after its DTSTART");
}

TEST_CASE(
    "a file that is not a calendar is refused, and one import takes a bounded number of days") {
  CHECK(read_ical_holidays("Date,Name\n2026-12-25,Christmas\n").error ==
        "not an iCalendar file: it has no BEGIN:VCALENDAR line");
  auto read = read_ical_holidays(
      "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261201\nDTEND;VALUE=DATE:20261211\n"
      "SUMMARY:Ten days\nEND:VEVENT\nEND:VCALENDAR\n",
      4);
  CHECK(read.days.size() == 4);
  REQUIRE(read.skipped.size() == 1);
  CHECK(read.skipped[0] == "line 2 (\"Ten days\"): past the 4 days one import takes");
}
