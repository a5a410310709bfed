#pragma once
// Review cadences as people write them (`mon 15:00`, `2w thu 10:00`, `monthly 1st tue 09:00`,
// `monthly last fri 16:00`, `daily 09:30` = weekdays) and their next occurrence in an IANA
// time zone. Wall-clock times survive DST changes: a time that does not exist that day (spring
// forward) falls on the first valid instant after the gap; one that exists twice (fall back)
// is the first of the two.

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>

namespace date {
class time_zone;
}

namespace itpm::commands {

struct Recurrence {
  enum class Kind { weekly, monthly, weekdays };
  Kind kind = Kind::weekly;
  int interval_weeks = 1;               // weekly: every n-th week (from the anchor)
  std::chrono::weekday weekday{1};      // weekly and monthly
  int nth = 1;                          // monthly: 1-4, or -1 for the last
  std::chrono::minutes time_of_day{0};  // local wall-clock time

  bool operator==(const Recurrence&) const = default;
};

// Parses a cadence spec (case-insensitive); on a mistake, the message says what is wrong
// and shows the accepted forms.
std::variant<Recurrence, std::string> parse_recurrence(std::string_view spec);

// The spec in canonical form again ("2w thu 10:00"), suitable for storing.
std::string to_spec(const Recurrence& r);

// "every other Thu at 10:00", "on the last Fri of each month at 16:00".
std::string describe(const Recurrence& r);

// The first occurrence strictly after `after` in `zone`, skipping local dates in `skipped`.
// Every-n-weeks cadences count weeks from the week (Monday to Sunday) of `anchor`, a local
// date. nullopt only if none falls within ten years (every date skipped).
std::optional<std::chrono::sys_seconds> next_occurrence(
    const Recurrence& r, const date::time_zone& zone, std::chrono::sys_seconds after,
    std::chrono::sys_days anchor, const std::set<std::chrono::sys_days>& skipped = {});

}  // namespace itpm::commands
