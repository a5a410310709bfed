// Cadence specs and their occurrences across real time-zone transitions (system tzdata).
#include "commands/calendar/recurrence.hpp"

#include <date/tz.h>
#include <catch2/catch.hpp>

using namespace itpm::commands;
using namespace std::chrono;

namespace {

Recurrence spec(std::string_view text) {
  auto parsed = parse_recurrence(text);
  if (auto* err = std::get_if<std::string>(&parsed)) FAIL(*err);
  return std::get<Recurrence>(parsed);
}

sys_seconds utc(int y, unsigned m, unsigned d, int h, int min) {
  return sys_seconds(sys_days(year{y} / month{m} / day{d}).time_since_epoch() + hours(h) +
                     minutes(min));
}

// "2026-11-30 15:00" in `zone`.
std::string local(sys_seconds t, const std::string& zone) {
  return date::format("%F %R %Z", date::make_zoned(zone, t));
}

std::string next_local(std::string_view text, const std::string& zone, sys_seconds after,
                       sys_days anchor = sys_days(year{2026} / 1 / 1)) {
  auto t = next_occurrence(spec(text), *date::locate_zone(zone), after, anchor);
  REQUIRE(t);
  return local(*t, zone);
}

}  // namespace

TEST_CASE("cadence specs parse, print back canonically and describe themselves") {
  CHECK(to_spec(spec("mon 15:00")) == "mon 15:00");
  CHECK(to_spec(spec("Monday 9:05")) == "mon 09:05");
  CHECK(to_spec(spec("2w THU 10:00")) == "2w thu 10:00");
  CHECK(to_spec(spec("monthly 1st tue 09:00")) == "monthly 1st tue 09:00");
  CHECK(to_spec(spec("monthly last fri 16:00")) == "monthly last fri 16:00");
  CHECK(to_spec(spec("daily 09:30")) == "daily 09:30");
  CHECK(describe(spec("2w thu 10:00")) == "every other Thu at 10:00");
  CHECK(describe(spec("monthly last fri 16:00")) == "on the last Fri of each month at 16:00");
  CHECK(describe(spec("daily 09:30")) == "every weekday at 09:30");
  for (const char* wrong : {"", "mon", "mon 25:00", "funday 10:00", "0w mon 10:00",
                            "monthly 5th tue 09:00", "monthly tue 09:00", "mon tue 10:00",
                            // Found by fuzzing: from_chars took a sign, six hours before midnight.
                            "fri -6:02", "fri 10:-5", "fri +9:00"}) {
    INFO(wrong);
    auto parsed = parse_recurrence(wrong);
    REQUIRE(std::holds_alternative<std::string>(parsed));
    CHECK(std::get<std::string>(parsed).find("`mon 15:00`") != std::string::npos);
  }
  // Found by fuzzing: the message echoed a user group it could ping; what was typed is escaped.
  auto group = parse_recurrence("monthly <!subteam^S1|@sre> 04:00");
  REQUIRE(std::holds_alternative<std::string>(group));
  CHECK(std::get<std::string>(group).find("<!") == std::string::npos);
  CHECK(std::get<std::string>(group).find("&lt;!subteam^S1|@sre&gt;") != std::string::npos);
}

TEST_CASE("a weekly cadence keeps its wall-clock time across a year with two DST changes") {
  auto r = spec("tue 15:00");
  const auto* zone = date::locate_zone("Europe/Amsterdam");
  auto t = utc(2026, 12, 2, 0, 0);
  int count = 0;
  for (auto end = utc(2027, 12, 2, 0, 0);;) {
    auto next = next_occurrence(r, *zone, t, sys_days(year{2026} / 12 / 1));
    REQUIRE(next);
    if (*next >= end) break;
    auto shown = local(*next, "Europe/Amsterdam");
    INFO(shown);
    CHECK(shown.substr(11, 5) == "15:00");
    CHECK(weekday(sys_days(floor<days>(zone->to_local(*next).time_since_epoch()))) == Tuesday);
    t = *next;
    ++count;
  }
  CHECK(count == 52);
  // Winter is UTC+1, summer UTC+2: the same wall time is a different UTC hour.
  CHECK(next_occurrence(r, *zone, utc(2027, 1, 1, 0, 0), sys_days{}) == utc(2027, 1, 5, 14, 0));
  CHECK(next_occurrence(r, *zone, utc(2027, 6, 1, 0, 0), sys_days{}) == utc(2027, 6, 1, 13, 0));
}

TEST_CASE(
    "a time in the spring-forward gap falls at the end of the gap, a repeated one is the first") {
  // Europe/Amsterdam: 2027-03-28 02:00 -> 03:00; 2026-10-25 03:00 -> 02:00.
  CHECK(next_local("sun 02:30", "Europe/Amsterdam", utc(2027, 3, 27, 0, 0)) ==
        "2027-03-28 03:00 CEST");
  CHECK(next_occurrence(spec("sun 02:30"), *date::locate_zone("Europe/Amsterdam"),
                        utc(2026, 10, 24, 0, 0), sys_days{}) == utc(2026, 10, 25, 0, 30));
  // America/Los_Angeles: 2027-03-14 02:00 -> 03:00.
  CHECK(next_local("sun 02:30", "America/Los_Angeles", utc(2027, 3, 13, 0, 0)) ==
        "2027-03-14 03:00 PDT");
  // Australia/Lord_Howe moves by 30 minutes: 2026-10-04 02:00 -> 02:30.
  CHECK(next_local("sun 02:15", "Australia/Lord_Howe", utc(2026, 10, 2, 0, 0)) ==
        "2026-10-04 02:30 +11");
  CHECK(next_local("sun 09:00", "Australia/Lord_Howe", utc(2026, 10, 2, 0, 0)) ==
        "2026-10-04 09:00 +11");
  // Asia/Kolkata has no DST: always UTC+05:30.
  CHECK(next_occurrence(spec("mon 09:00"), *date::locate_zone("Asia/Kolkata"),
                        utc(2027, 3, 27, 0, 0), sys_days{}) == utc(2027, 3, 29, 3, 30));
}

TEST_CASE("every other week, monthly nth and last weekdays, weekdays only, and skipped dates") {
  auto after = utc(2026, 11, 27, 12, 0);  // Fri
  // Anchored on the week of Thu 2026-12-03: then every second Thursday.
  auto anchor = sys_days(year{2026} / 12 / 3);
  CHECK(next_local("2w thu 10:00", "UTC", after, anchor) == "2026-12-03 10:00 UTC");
  CHECK(next_local("2w thu 10:00", "UTC", utc(2026, 12, 3, 10, 0), anchor) ==
        "2026-12-17 10:00 UTC");
  CHECK(next_local("monthly 1st tue 09:00", "UTC", after) == "2026-12-01 09:00 UTC");
  CHECK(next_local("monthly 1st tue 09:00", "UTC", utc(2026, 12, 1, 9, 0)) ==
        "2027-01-05 09:00 UTC");
  CHECK(next_local("monthly last fri 16:00", "UTC", after) == "2026-11-27 16:00 UTC");
  CHECK(next_local("monthly last fri 16:00", "UTC", utc(2026, 11, 27, 16, 0)) ==
        "2026-12-25 16:00 UTC");
  CHECK(next_local("daily 09:30", "UTC", after) == "2026-11-30 09:30 UTC");  // not Sat/Sun
  std::set<sys_days> holidays = {sys_days(year{2026} / 12 / 1)};
  auto skipped =
      next_occurrence(spec("tue 15:00"), *date::locate_zone("UTC"), after, sys_days{}, holidays);
  CHECK(skipped == utc(2026, 12, 8, 15, 0));
}
