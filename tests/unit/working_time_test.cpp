#include "commands/calendar/working_time.hpp"

#include <date/tz.h>
#include <catch2/catch.hpp>

#include <random>

using namespace itpm::commands;
using std::chrono::days;
using std::chrono::minutes;
using std::chrono::sys_days;

namespace {

constexpr std::int64_t minute_ms = 60'000;

// ms of a local wall-clock time in `zone` (the earlier one when it happens twice).
std::int64_t at(const char* zone, int y, unsigned m, unsigned d, int h, int min) {
  date::local_seconds local{date::local_days{date::year{y} / m / d}.time_since_epoch() +
                            std::chrono::hours(h) + minutes(min)};
  auto sys = date::locate_zone(zone)->to_sys(local, date::choose::earliest);
  return sys.time_since_epoch().count() * 1000;
}

std::string shown(std::int64_t ms, const char* zone) {
  auto t = std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms));
  return date::format("%a %F %R", date::make_zoned(zone, std::chrono::floor<minutes>(t)));
}

WorkCalendar calendar(const char* zone, std::set<sys_days> holidays = {}) {
  return WorkCalendar(default_working_hours(), *date::locate_zone(zone), std::move(holidays));
}

// The oracles: minute by minute, from the definitions.
bool oracle_working(const WorkCalendar& cal, std::int64_t ms) {
  auto local = cal.zone().to_local(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms)));
  sys_days day(std::chrono::floor<days>(local.time_since_epoch()));
  if (!cal.working_day(day)) return false;
  auto span = cal.hours().days[std::chrono::weekday(day).c_encoding()];
  auto into = std::chrono::duration_cast<minutes>(local.time_since_epoch() - day.time_since_epoch())
                  .count();
  return into >= span.start && into < span.end;
}

std::int64_t oracle_next(const WorkCalendar& cal, std::int64_t ms) {
  for (std::int64_t t = ms;; t += minute_ms) {
    if (oracle_working(cal, t)) return t;
  }
}

std::int64_t oracle_after(const WorkCalendar& cal, std::int64_t ms, int step_minutes) {
  std::int64_t t = ms;
  for (int left = step_minutes; left > 0; t += minute_ms) {
    if (cal.working_day(cal.local_day(t))) --left;
  }
  return t;
}

}  // namespace

TEST_CASE("working hours read and print back") {
  std::string error;
  auto h = parse_working_hours("mon-fri 09:00-18:00", error);
  REQUIRE(h);
  CHECK(*h == default_working_hours());
  CHECK(h->text() == "mon-fri 09:00-18:00");
  auto split = parse_working_hours("Mon-Thu 08:00-17:00, friday 08:00-13:00", error);
  REQUIRE(split);
  CHECK(split->text() == "mon-thu 08:00-17:00, fri 08:00-13:00");
  auto listed = parse_working_hours("mon,wed,fri 10:00-24:00", error);
  REQUIRE(listed);
  CHECK(listed->text() == "mon 10:00-24:00, wed 10:00-24:00, fri 10:00-24:00");
  auto wrap = parse_working_hours("sun-thu 08:00-16:00", error);
  REQUIRE(wrap);
  CHECK(wrap->text() == "mon-thu 08:00-16:00, sun 08:00-16:00");
  CHECK_FALSE(wrap->working_day(std::chrono::Friday));
  CHECK(wrap->working_day(std::chrono::Sunday));
}

TEST_CASE("working hours that do not read say what to type") {
  for (const char* text :
       {"", "weekdays 09:00-18:00", "mon-fri", "mon-fri 18:00-09:00", "mon-fri 9-18",
        "mon-fri 09:00-25:00", "mon-fri 09:00-18:00, fri 10:00-11:00", "mon-fri 09:00-18:00,",
        "mo 09:00-10:00"}) {
    std::string error;
    INFO(text);
    CHECK_FALSE(parse_working_hours(text, error));
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("a person in Los Angeles is not working on a Friday evening in Berlin") {
  auto la = calendar("America/Los_Angeles");
  std::int64_t friday_evening_berlin = at("Europe/Berlin", 2026, 12, 4, 19, 0);  // 10:00 in LA
  CHECK(la.is_working(friday_evening_berlin));
  std::int64_t friday_night_berlin = at("Europe/Berlin", 2026, 12, 5, 3, 30);  // Fri 18:30 LA
  CHECK_FALSE(la.is_working(friday_night_berlin));
  CHECK(shown(la.next_working(friday_night_berlin), "America/Los_Angeles") ==
        "Mon 2026-12-07 09:00");
}

TEST_CASE("the working-day clock skips weekends and holidays") {
  auto berlin = calendar("Europe/Berlin");
  std::int64_t friday = at("Europe/Berlin", 2026, 12, 4, 15, 0);
  CHECK(shown(berlin.after_working_days(friday, minutes(24 * 60)), "Europe/Berlin") ==
        "Mon 2026-12-07 15:00");
  auto christmas = calendar("Europe/Berlin", {sys_days{std::chrono::year{2026} / 12 / 25},
                                              sys_days{std::chrono::year{2026} / 12 / 28}});
  std::int64_t thursday = at("Europe/Berlin", 2026, 12, 24, 10, 0);
  CHECK(shown(christmas.after_working_days(thursday, minutes(24 * 60)), "Europe/Berlin") ==
        "Tue 2026-12-29 10:00");
  CHECK(shown(christmas.next_working(at("Europe/Berlin", 2026, 12, 24, 18, 0)), "Europe/Berlin") ==
        "Tue 2026-12-29 09:00");
}

TEST_CASE("working time keeps the wall clock across DST changes") {
  auto berlin = calendar("Europe/Berlin");
  // Sunday 2027-03-28 the clocks go forward: Monday 09:00 is CEST.
  CHECK(shown(berlin.next_working(at("Europe/Berlin", 2027, 3, 27, 12, 0)), "Europe/Berlin") ==
        "Mon 2027-03-29 09:00");
  // A 24h step from Friday 12:00 across the short Sunday still ends Monday 12:00.
  CHECK(shown(berlin.after_working_days(at("Europe/Berlin", 2027, 3, 26, 12, 0), minutes(24 * 60)),
              "Europe/Berlin") == "Mon 2027-03-29 12:00");
}

TEST_CASE("working time agrees with a minute-by-minute oracle") {
  std::mt19937_64 rng(20261206);
  const std::vector<const char*> zones = {"Europe/Berlin",
                                          "America/Los_Angeles",
                                          "Australia/Lord_Howe",
                                          "Asia/Kolkata",
                                          "America/St_Johns",
                                          "Pacific/Chatham",
                                          "UTC"};
  // Start instants around the DST changes of 2026-2027, and anywhere in those years.
  const std::int64_t from = at("UTC", 2026, 1, 1, 0, 0);
  const std::int64_t span_minutes = 2LL * 365 * 24 * 60;
  for (int i = 0; i < 400; ++i) {
    const char* zone = zones[rng() % zones.size()];
    WorkingHours hours;
    for (auto& d : hours.days) {
      if (rng() % 3 == 0) continue;  // a day off
      int a = static_cast<int>(rng() % (24 * 4)) * 15;
      int b = static_cast<int>(rng() % (24 * 4)) * 15 + 15;
      if (a >= b) std::swap(a, b);
      if (a == b) continue;
      d = {a, b};
    }
    if (hours.text().empty()) hours = default_working_hours();
    std::int64_t start = from + static_cast<std::int64_t>(rng() % span_minutes) * minute_ms;
    if (i % 2 == 0) {
      // Half of them within two days of the zone's next clock change, where it has one.
      auto info =
          date::locate_zone(zone)->get_info(date::sys_seconds(std::chrono::seconds(start / 1000)));
      auto change = info.end.time_since_epoch().count();
      if (change < 40'000'000'000)
        start = change * 1000 +
                (static_cast<std::int64_t>(rng() % (4 * 24 * 60)) - 2 * 24 * 60) * minute_ms;
    }
    std::set<sys_days> holidays;
    for (int h = 0; h < 3; ++h) {
      holidays.insert(sys_days{std::chrono::floor<days>(std::chrono::milliseconds(start))} +
                      days(rng() % 10));
    }
    WorkCalendar cal(hours, *date::locate_zone(zone), holidays);
    INFO(zone << " " << hours.text() << " from " << shown(start, zone));
    CHECK(cal.is_working(start) == oracle_working(cal, start));
    CHECK(cal.next_working(start) == oracle_next(cal, start));
    int step = static_cast<int>(rng() % (3 * 24 * 60)) + 1;
    INFO("step " << step << " minutes");
    CHECK(cal.after_working_days(start, minutes(step)) == oracle_after(cal, start, step));
  }
}
