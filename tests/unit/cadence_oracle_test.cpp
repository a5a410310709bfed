// Review cadences against an oracle read straight from zoneinfo (commands.md §2 and §6): for
// random cadences, zones, instants, skipped dates and holidays, the next review is what a
// day-by-day walk over local dates says, each wall-clock time placed in its zone by the tz
// rules (a time in a spring-forward gap at the end of the gap, a repeated one the first).
#include "commands/calendar/review_cadence.hpp"

#include "commands/calendar/dates.hpp"

#include <date/tz.h>
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <random>

using namespace std::chrono;
using itpm::commands::DaysOff;
using itpm::commands::next_review_time;
using itpm::storage::Review;

namespace {

struct Cadence {
  std::string spec;
  enum class Kind { weekly, every_other, first, last, weekdays } kind = Kind::weekly;
  weekday wd{1};
  minutes time_of_day{0};
};

// Whether `cadence` meets on local date `d` (anchor: the week of 2026-01-01).
bool meets_on(const Cadence& cadence, sys_days d) {
  weekday wd(d);
  year_month_day ymd(d);
  switch (cadence.kind) {
    case Cadence::Kind::weekly:
      return wd == cadence.wd;
    case Cadence::Kind::every_other: {
      auto monday = [](sys_days day) { return day - (weekday(day) - Monday); };
      auto weeks = (monday(d) - monday(sys_days(year{2026} / 1 / 1))).count() / 7;
      return wd == cadence.wd && weeks % 2 == 0;
    }
    case Cadence::Kind::first:
      return wd == cadence.wd && static_cast<unsigned>(ymd.day()) <= 7;
    case Cadence::Kind::last:
      return wd == cadence.wd && year_month_day(d + days(7)).month() != ymd.month();
    case Cadence::Kind::weekdays:
      return wd != Saturday && wd != Sunday;
  }
  return false;
}

sys_seconds place(const date::time_zone& zone, sys_days d, minutes time_of_day) {
  return zone.to_sys(date::local_seconds{d.time_since_epoch() + time_of_day},
                     date::choose::earliest);
}

// The oracle: the first meeting strictly after `after`, walking local dates; skipped dates
// and (unless it moves) holidays left out; with `moves`, one on a holiday goes to the next
// day that is neither a holiday nor a weekend, at the same wall-clock time.
std::int64_t oracle_next(const Cadence& cadence, const date::time_zone& zone, sys_seconds after,
                         const std::set<sys_days>& skipped, const std::set<sys_days>& holidays,
                         bool moves) {
  auto start = floor<days>(zone.to_local(after).time_since_epoch());
  for (sys_days d(start - days(1)); d < sys_days(start + days(800)); d += days(1)) {
    if (!meets_on(cadence, d) || skipped.contains(d) || (!moves && holidays.contains(d))) continue;
    sys_seconds at = place(zone, d, cadence.time_of_day);
    if (at <= after) continue;
    if (moves && holidays.contains(d)) {
      sys_days to = d;
      do {
        to += days(1);
      } while (holidays.contains(to) || weekday(to) == Saturday || weekday(to) == Sunday);
      at = place(zone, to, cadence.time_of_day);
    }
    return duration_cast<milliseconds>(at.time_since_epoch()).count();
  }
  return -1;
}

}  // namespace

TEST_CASE("review cadences agree with a zoneinfo oracle across DST, skips and holidays") {
  const std::vector<std::string> zones = {
      "Europe/Berlin",    "America/Los_Angeles", "Australia/Lord_Howe", "Pacific/Chatham",
      "America/St_Johns", "Asia/Kolkata",        "America/Santiago",    "Asia/Beirut"};
  const std::vector<std::string> day_names = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  std::mt19937 rng(20261206);
  auto pick = [&rng](int from, int to) { return std::uniform_int_distribution(from, to)(rng); };
  const sys_days first_day = sys_days(year{2026} / 1 / 5);
  int checked = 0;
  for (int i = 0; i < 1500; ++i) {
    const std::string& zone_name = zones[static_cast<std::size_t>(pick(0, 7))];
    const date::time_zone* zone = date::locate_zone(zone_name);
    Cadence cadence;
    cadence.kind = static_cast<Cadence::Kind>(pick(0, 4));
    cadence.wd = weekday(static_cast<unsigned>(pick(0, 6)));
    // Half the times in the small hours, where the DST changes are.
    cadence.time_of_day = minutes(pick(0, 1) == 0 ? pick(0, 4 * 60 - 1) : pick(0, 24 * 60 - 1));
    std::string time = fmt::format("{:02}:{:02}", cadence.time_of_day.count() / 60,
                                   cadence.time_of_day.count() % 60);
    const std::string& day = day_names[cadence.wd.c_encoding()];
    switch (cadence.kind) {
      case Cadence::Kind::weekly:
        cadence.spec = day + " " + time;
        break;
      case Cadence::Kind::every_other:
        cadence.spec = "2w " + day + " " + time;
        break;
      case Cadence::Kind::first:
        cadence.spec = "monthly 1st " + day + " " + time;
        break;
      case Cadence::Kind::last:
        cadence.spec = "monthly last " + day + " " + time;
        break;
      case Cadence::Kind::weekdays:
        cadence.spec = "daily " + time;
        break;
    }
    // An instant within two years; one in three within a day of a DST change.
    auto after = sys_seconds(first_day.time_since_epoch()) + minutes(pick(0, 2 * 365 * 24 * 60));
    if (pick(0, 2) == 0) {
      auto info = zone->get_info(after);
      if (info.end < sys_seconds(sys_days(year{2030} / 1 / 1).time_since_epoch()))
        after = info.end - minutes(pick(-24 * 60, 24 * 60));
    }
    std::set<sys_days> holidays;
    std::set<sys_days> skipped;
    sys_days near = floor<days>(after);
    for (int h = 0; h < pick(0, 12); ++h) holidays.insert(near + days(pick(-2, 60)));
    for (int s = 0; s < pick(0, 3); ++s) skipped.insert(near + days(pick(-2, 60)));
    bool moves = pick(0, 1) == 1;

    Review review;
    review.every = cadence.spec;
    review.zone = zone_name;
    review.anchor = "2026-01-01";
    review.on_holiday = moves ? "next" : "";
    for (auto d : skipped) review.skipped.push_back(itpm::commands::iso_date(d));
    DaysOff off{holidays, itpm::commands::default_working_hours()};
    std::int64_t after_ms = duration_cast<milliseconds>(after.time_since_epoch()).count();
    auto ours = next_review_time(review, after_ms, off);
    std::int64_t expected = oracle_next(cadence, *zone, after, skipped, holidays, moves);
    INFO(cadence.spec << " in " << zone_name << " after "
                      << date::format("%F %T %Z", date::make_zoned(zone, after))
                      << (moves ? ", --on-holiday next" : "") << ", " << holidays.size()
                      << " holidays, " << skipped.size() << " skipped");
    REQUIRE(ours);
    CHECK(*ours == expected);
    ++checked;
  }
  CHECK(checked == 1500);
}
