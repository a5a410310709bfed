#include "commands/calendar/recurrence.hpp"

#include "commands/render/slack_text.hpp"
#include "common/utf8.hpp"

#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <sstream>
#include <vector>

namespace itpm::commands {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

constexpr std::array<std::string_view, 7> short_days = {"sun", "mon", "tue", "wed",
                                                        "thu", "fri", "sat"};
constexpr std::array<std::string_view, 7> long_days = {"sunday",   "monday", "tuesday", "wednesday",
                                                       "thursday", "friday", "saturday"};

const std::string forms =
    "Write it like `mon 15:00`, `2w thu 10:00` (every other week), `monthly 1st tue 09:00`, "
    "`monthly last fri 16:00` or `daily 09:30` (weekdays).";

std::optional<std::chrono::weekday> weekday_of(std::string_view word) {
  for (unsigned i = 0; i < 7; ++i) {
    if (word == short_days[i] || word == long_days[i]) return std::chrono::weekday{i};
  }
  return std::nullopt;
}

std::optional<std::chrono::minutes> time_of(std::string_view word) {
  auto colon = word.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || word.size() - colon != 3)
    return std::nullopt;
  // Digits only: from_chars would take "-6:02" as six hours before midnight.
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (i != colon && (word[i] < '0' || word[i] > '9')) return std::nullopt;
  }
  int h = 0;
  int m = 0;
  auto hours = word.substr(0, colon);
  auto minutes = word.substr(colon + 1);
  if (std::from_chars(hours.data(), hours.data() + hours.size(), h).ptr !=
          hours.data() + hours.size() ||
      std::from_chars(minutes.data(), minutes.data() + minutes.size(), m).ptr !=
          minutes.data() + minutes.size() ||
      h > 23 || m > 59) {
    return std::nullopt;
  }
  return std::chrono::hours(h) + std::chrono::minutes(m);
}

std::string hhmm(std::chrono::minutes t) {
  return fmt::format("{:02}:{:02}", t.count() / 60, t.count() % 60);
}

std::string day_name(std::chrono::weekday wd) {
  std::string name(short_days[wd.c_encoding()]);
  name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  return name;
}

// Does the local date `day` carry an occurrence of `r`?
bool on_day(const Recurrence& r, sys_days day, sys_days anchor) {
  std::chrono::weekday wd(day);
  switch (r.kind) {
    case Recurrence::Kind::weekdays:
      return wd != std::chrono::Saturday && wd != std::chrono::Sunday;
    case Recurrence::Kind::weekly: {
      if (wd != r.weekday) return false;
      if (r.interval_weeks <= 1) return true;
      // Weeks run Monday to Sunday; count whole weeks between the Mondays.
      auto monday = [](sys_days d) {
        return d - days((std::chrono::weekday(d).iso_encoding() - 1));
      };
      auto weeks = (monday(day) - monday(anchor)).count() / 7;
      return weeks >= 0 && weeks % r.interval_weeks == 0;
    }
    case Recurrence::Kind::monthly: {
      if (wd != r.weekday) return false;
      std::chrono::year_month_day ymd(day);
      auto n = (static_cast<unsigned>(ymd.day()) - 1) / 7 + 1;
      if (r.nth > 0) return static_cast<int>(n) == r.nth;
      return std::chrono::year_month_day(day + days(7)).month() != ymd.month();
    }
  }
  return false;
}

}  // namespace

std::variant<Recurrence, std::string> parse_recurrence(std::string_view spec) {
  std::string lower(spec);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::vector<std::string> words;
  std::istringstream in(lower);
  for (std::string w; in >> w;) words.push_back(w);
  // What the person typed comes back escaped: the message is mrkdwn.
  auto head = common::utf8::prefix(spec, 60);
  std::string shown = escape(head) + (head.size() < spec.size() ? "…" : "");
  auto bad = [&](const std::string& why) {
    return fmt::format("“{}” is not a cadence: {} {}", shown, why, forms);
  };
  if (words.empty()) return bad("it is empty.");
  auto time = time_of(words.back());
  if (!time) return bad("it must end with a 24-hour time like 15:00.");
  Recurrence r;
  r.time_of_day = *time;
  words.pop_back();
  if (words.size() == 1 && (words[0] == "daily" || words[0] == "weekdays")) {
    r.kind = Recurrence::Kind::weekdays;
    return r;
  }
  if (!words.empty() && words[0] == "monthly") {
    if (words.size() != 3) return bad("a monthly cadence names which weekday, like 1st tue.");
    static const std::array<std::string_view, 4> ordinals = {"1st", "2nd", "3rd", "4th"};
    r.kind = Recurrence::Kind::monthly;
    if (words[1] == "last") {
      r.nth = -1;
    } else {
      auto it = std::find(ordinals.begin(), ordinals.end(), words[1]);
      if (it == ordinals.end()) return bad("the week of the month is 1st, 2nd, 3rd, 4th or last.");
      r.nth = static_cast<int>(it - ordinals.begin()) + 1;
    }
    auto wd = weekday_of(words[2]);
    if (!wd) return bad("“" + escape(words[2]) + "” is not a weekday.");
    r.weekday = *wd;
    return r;
  }
  if (words.size() == 2) {
    const std::string& every = words[0];
    int n = 0;
    auto [end, ec] = std::from_chars(every.data(), every.data() + every.size() - 1, n);
    if (every.size() < 2 || every.back() != 'w' || ec != std::errc{} ||
        end != every.data() + every.size() - 1 || n < 1 || n > 8) {
      return bad("“" + escape(every) + "” should say how many weeks apart, from 1w to 8w.");
    }
    r.interval_weeks = n;
    words.erase(words.begin());
  }
  if (words.size() != 1) return bad("it needs a weekday and a time.");
  auto wd = weekday_of(words[0]);
  if (!wd) return bad("“" + escape(words[0]) + "” is not a weekday.");
  r.weekday = *wd;
  return r;
}

std::string to_spec(const Recurrence& r) {
  switch (r.kind) {
    case Recurrence::Kind::weekdays:
      return "daily " + hhmm(r.time_of_day);
    case Recurrence::Kind::monthly: {
      static const std::array<std::string_view, 4> ordinals = {"1st", "2nd", "3rd", "4th"};
      std::string which =
          r.nth < 0 ? "last" : std::string(ordinals[static_cast<std::size_t>(r.nth - 1)]);
      return fmt::format("monthly {} {} {}", which, short_days[r.weekday.c_encoding()],
                         hhmm(r.time_of_day));
    }
    case Recurrence::Kind::weekly:
      break;
  }
  return fmt::format("{}{} {}", r.interval_weeks > 1 ? fmt::format("{}w ", r.interval_weeks) : "",
                     short_days[r.weekday.c_encoding()], hhmm(r.time_of_day));
}

std::string describe(const Recurrence& r) {
  switch (r.kind) {
    case Recurrence::Kind::weekdays:
      return "every weekday at " + hhmm(r.time_of_day);
    case Recurrence::Kind::monthly: {
      static const std::array<std::string_view, 4> ordinals = {"first", "second", "third",
                                                               "fourth"};
      std::string which =
          r.nth < 0 ? "last" : std::string(ordinals[static_cast<std::size_t>(r.nth - 1)]);
      return fmt::format("on the {} {} of each month at {}", which, day_name(r.weekday),
                         hhmm(r.time_of_day));
    }
    case Recurrence::Kind::weekly:
      break;
  }
  if (r.interval_weeks == 1)
    return fmt::format("every {} at {}", day_name(r.weekday), hhmm(r.time_of_day));
  if (r.interval_weeks == 2)
    return fmt::format("every other {} at {}", day_name(r.weekday), hhmm(r.time_of_day));
  return fmt::format("every {} weeks on {} at {}", r.interval_weeks, day_name(r.weekday),
                     hhmm(r.time_of_day));
}

std::optional<std::chrono::sys_seconds> next_occurrence(const Recurrence& r,
                                                        const date::time_zone& zone,
                                                        std::chrono::sys_seconds after,
                                                        sys_days anchor,
                                                        const std::set<sys_days>& skipped) {
  // Start from the local date `after` falls on (a day earlier covers a time pushed past
  // midnight by a gap) and walk forward day by day.
  auto local_now = zone.to_local(after);
  auto day = sys_days(std::chrono::floor<days>(local_now.time_since_epoch())) - days(1);
  for (int i = 0; i < 3660; ++i, day += days(1)) {
    if (!on_day(r, day, anchor) || skipped.contains(day)) continue;
    date::local_seconds wall{(day + r.time_of_day).time_since_epoch()};
    // Nonexistent: both choices give the end of the gap; ambiguous: earliest is the first.
    auto instant = zone.to_sys(wall, date::choose::earliest);
    if (instant > after) return instant;
  }
  return std::nullopt;
}

}  // namespace itpm::commands
