// Fuzzes review cadences (`--every "2w thu 10:00"`) and their next occurrence. The first 8
// bytes pick a time zone (DST gaps and folds of 30 min, 1 h, at midnight, negative DST), the
// moment to search from, the anchor week and skipped dates; the rest is the spec. Properties:
// a spec that parses reads back the same from to_spec; the next occurrence is after the moment,
// on a day the cadence has and not a skipped one, at the cadence's wall-clock time (or, where
// that time does not exist that day, at the end of the gap).
#include "commands/calendar/recurrence.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <date/tz.h>

#include <array>
#include <cstddef>
#include <cstdint>

namespace {

using namespace std::chrono;
using itpm::commands::Recurrence;

constexpr std::array zones = {"UTC",
                              "America/New_York",
                              "Europe/London",
                              "Europe/Dublin",
                              "Australia/Lord_Howe",
                              "Asia/Kathmandu",
                              "America/Santiago",
                              "Pacific/Chatham"};

bool on_cadence_day(const Recurrence& r, sys_days day) {
  weekday wd{day};
  switch (r.kind) {
    case Recurrence::Kind::weekdays:
      return wd != Saturday && wd != Sunday;
    case Recurrence::Kind::weekly:
      return wd == r.weekday;
    case Recurrence::Kind::monthly: {
      if (wd != r.weekday) return false;
      year_month_day ymd{day};
      unsigned d = static_cast<unsigned>(ymd.day());
      if (r.nth == -1) return sys_days(ymd.year() / ymd.month() / last) - day < days(7);
      return (d - 1) / 7 + 1 == static_cast<unsigned>(r.nth);
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using itpm::fuzz::fail;
  if (size < 8) return 0;
  const date::time_zone* zone = date::locate_zone(zones[data[0] % zones.size()]);
  // From 2020 on, over about 16 years; the anchor up to ~3 years either side of it.
  std::uint32_t offset = data[1] | data[2] << 8 | data[3] << 16 | (data[4] & 0x1fU) << 24;
  sys_seconds after = sys_days(year{2020} / 1 / 1) + seconds(offset);
  auto after_day = floor<days>(after);
  sys_days anchor = after_day + days(static_cast<int>(data[5] | data[6] << 8) % 2200 - 1100);
  std::set<sys_days> skipped;
  for (int bit = 0; bit < 8; ++bit) {
    if (data[7] & (1U << bit)) skipped.insert(after_day + days(bit * 3));
  }
  std::string_view spec(reinterpret_cast<const char*>(data + 8), size - 8);

  auto parsed = itpm::commands::parse_recurrence(spec);
  if (auto* error = std::get_if<std::string>(&parsed)) {
    if (error->empty()) fail("a refused spec says why", spec);
    return 0;
  }
  const auto& r = std::get<Recurrence>(parsed);
  std::string canonical = itpm::commands::to_spec(r);
  auto again = itpm::commands::parse_recurrence(canonical);
  if (!std::holds_alternative<Recurrence>(again) || std::get<Recurrence>(again) != r)
    fail("to_spec reads back as the same cadence", canonical);
  if (itpm::commands::describe(r).empty()) fail("a cadence has a description", canonical);

  auto next = itpm::commands::next_occurrence(r, *zone, after, anchor, skipped);
  if (!next) fail("a cadence occurs within ten years", canonical);
  if (*next <= after) fail("the next occurrence is after the moment asked", canonical);
  auto local = zone->to_local(*next);
  auto day = sys_days(floor<days>((local - r.time_of_day).time_since_epoch()));
  if (!on_cadence_day(r, day)) fail("the next occurrence falls on a day of the cadence", canonical);
  if (skipped.contains(day)) fail("a skipped date is skipped", canonical);
  date::local_seconds wanted{(day + r.time_of_day).time_since_epoch()};
  if (local != wanted &&
      (zone->get_info(wanted).result != date::local_info::nonexistent || local < wanted))
    fail("the next occurrence is at the cadence's wall-clock time", canonical);
  return 0;
}
