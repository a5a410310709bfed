#include "commands/calendar/working_time.hpp"

#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

namespace itpm::commands {
namespace {

using std::chrono::days;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::sys_days;

constexpr std::array<std::string_view, 7> day_names = {"sun", "mon", "tue", "wed",
                                                       "thu", "fri", "sat"};
constexpr std::int64_t ms_per_minute = 60'000;
constexpr std::int64_t ms_per_day = 24 * 60 * ms_per_minute;
// How far the searches look: past this, a calendar (every working day a holiday) gives up.
constexpr int horizon_days = 2 * 366;

std::string trim(std::string_view s) {
  auto first = s.find_first_not_of(' ');
  if (first == std::string_view::npos) return "";
  auto last = s.find_last_not_of(' ');
  return std::string(s.substr(first, last - first + 1));
}

std::optional<int> day_index(std::string_view word) {
  static constexpr std::array<std::string_view, 7> full = {
      "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
  if (word.size() < 3) return std::nullopt;
  std::string lower(word);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::size_t i = 0; i < full.size(); ++i) {
    if (full[i].starts_with(lower)) return static_cast<int>(i);
  }
  return std::nullopt;
}

// "09:00" -> 540; "24:00" is the end of the day.
std::optional<int> minute_of_day(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  int h = 0;
  int m = 0;
  if (std::from_chars(s.data(), s.data() + 2, h).ptr != s.data() + 2) return std::nullopt;
  if (std::from_chars(s.data() + 3, s.data() + 5, m).ptr != s.data() + 5) return std::nullopt;
  if (h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

std::string clock(int minute) {
  return fmt::format("{:02}:{:02}", minute / 60, minute % 60);
}

// Days of the week in `text` ("mon-fri", "mon,wed,fri", "sat"), Monday-first ranges wrapping
// over the week's end ("fri-mon").
std::optional<std::vector<int>> days_of(std::string_view text) {
  std::vector<int> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    std::string_view part =
        text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    auto dash = part.find('-');
    if (dash == std::string_view::npos) {
      auto d = day_index(part);
      if (!d) return std::nullopt;
      out.push_back(*d);
    } else {
      auto a = day_index(part.substr(0, dash));
      auto b = day_index(part.substr(dash + 1));
      if (!a || !b) return std::nullopt;
      for (int d = *a;; d = (d + 1) % 7) {
        out.push_back(d);
        if (d == *b) break;
      }
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

// An instant in ms; the end of a zone's last rule ("no more changes") as far in the future.
std::int64_t to_ms(date::sys_seconds t) {
  constexpr std::int64_t year_3000_s = 32'503'680'000;
  auto s = t.time_since_epoch().count();
  return s > year_3000_s ? year_3000_s * 1000 : s * 1000;
}

date::sys_info info_at(const date::time_zone& zone, std::int64_t ms) {
  return zone.get_info(
      date::sys_seconds(std::chrono::floor<std::chrono::seconds>(milliseconds(ms))));
}

// The local day (days since the epoch) of a local time in ms.
std::int64_t day_of(std::int64_t local_ms) {
  return local_ms >= 0 ? local_ms / ms_per_day : (local_ms - ms_per_day + 1) / ms_per_day;
}

}  // namespace

WorkingHours default_working_hours() {
  WorkingHours h;
  for (int d = 1; d <= 5; ++d) h.days[static_cast<std::size_t>(d)] = {9 * 60, 18 * 60};
  return h;
}

std::string WorkingHours::text() const {
  // Monday first; runs of consecutive days with the same span become a range.
  std::vector<std::string> parts;
  int i = 0;
  while (i < 7) {
    std::size_t d = static_cast<std::size_t>((i + 1) % 7);
    const Span& s = days[d];
    if (s.end <= s.start) {
      ++i;
      continue;
    }
    int j = i;
    while (j + 1 < 7 && days[static_cast<std::size_t>((j + 2) % 7)] == s) ++j;
    std::string names(day_names[d]);
    if (j > i) names += "-" + std::string(day_names[static_cast<std::size_t>((j + 1) % 7)]);
    parts.push_back(fmt::format("{} {}-{}", names, clock(s.start), clock(s.end)));
    i = j + 1;
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

std::optional<WorkingHours> parse_working_hours(std::string_view text, std::string& error) {
  WorkingHours hours;
  std::array<bool, 7> named{};
  std::string all = trim(text);
  const std::string example =
      "like \"mon-fri 09:00-18:00\" or \"mon-thu 08:00-17:00, fri 08:00-13:00\"";
  if (all.empty()) {
    error = "working-hours takes days and hours, " + example + ".";
    return std::nullopt;
  }
  // Parts are "<days> <HH:MM>-<HH:MM>", separated by ", " after a time; a comma inside the
  // days (mon,wed) belongs to them.
  std::size_t start = 0;
  while (start < all.size()) {
    auto space = all.find(' ', start);
    if (space == std::string::npos) {
      error = fmt::format("\"{}\" needs hours after the days, {}.", all.substr(start), example);
      return std::nullopt;
    }
    std::string day_text = all.substr(start, space - start);
    auto span_start = all.find_first_not_of(' ', space);
    auto span_end = all.find(',', span_start);
    std::string span = trim(all.substr(
        span_start, span_end == std::string::npos ? std::string::npos : span_end - span_start));
    auto days = days_of(day_text);
    if (!days) {
      error = fmt::format("\"{}\" is not days like mon-fri or mon,wed,fri.", day_text);
      return std::nullopt;
    }
    auto dash = span.find('-');
    auto from = dash == std::string::npos ? std::nullopt : minute_of_day(span.substr(0, dash));
    auto to = dash == std::string::npos ? std::nullopt : minute_of_day(span.substr(dash + 1));
    if (!from || !to || *from >= *to) {
      error = fmt::format("\"{}\" is not hours within a day like 09:00-18:00.", span);
      return std::nullopt;
    }
    for (int d : *days) {
      auto i = static_cast<std::size_t>(d);
      if (named[i]) {
        error = fmt::format("{} is named twice in the working hours.", day_names[i]);
        return std::nullopt;
      }
      named[i] = true;
      hours.days[i] = {*from, *to};
    }
    if (span_end == std::string::npos) break;
    start = all.find_first_not_of(' ', span_end + 1);
    if (start == std::string::npos) {
      error = "working-hours ends with a comma; " + example + ".";
      return std::nullopt;
    }
  }
  return hours;
}

WorkCalendar::WorkCalendar(WorkingHours hours, const date::time_zone& zone,
                           std::set<std::chrono::sys_days> holidays)
    : hours_(hours), zone_(&zone), holidays_(std::move(holidays)) {}

bool WorkCalendar::working_day(sys_days day) const {
  return hours_.working_day(std::chrono::weekday(day)) && !holidays_.contains(day);
}

sys_days WorkCalendar::local_day(std::int64_t ms) const {
  auto local = zone_->to_local(std::chrono::sys_time<milliseconds>(milliseconds(ms)));
  return sys_days(std::chrono::floor<days>(local.time_since_epoch()));
}

bool WorkCalendar::is_working(std::int64_t ms) const {
  auto local = zone_->to_local(std::chrono::sys_time<milliseconds>(milliseconds(ms)));
  sys_days day(std::chrono::floor<days>(local.time_since_epoch()));
  if (!working_day(day)) return false;
  const auto& span = hours_.days[std::chrono::weekday(day).c_encoding()];
  std::int64_t into = (local.time_since_epoch() - day.time_since_epoch()).count();
  return into >= span.start * ms_per_minute && into < span.end * ms_per_minute;
}

// Within a stretch of constant UTC offset, local time runs with the instant: the first working
// instant is where the local clock first reaches a working span, if that is before the
// stretch ends; otherwise the search goes on from the next stretch.
std::int64_t WorkCalendar::next_working(std::int64_t ms) const {
  std::int64_t t = ms;
  for (int stretches = 0; stretches < 4 * horizon_days; ++stretches) {
    auto info = info_at(*zone_, t);
    std::int64_t offset = std::chrono::duration_cast<milliseconds>(info.offset).count();
    std::int64_t stretch_end = to_ms(info.end);
    std::int64_t local = t + offset;
    std::int64_t day = day_of(local);
    for (int i = 0; i <= horizon_days; ++i, ++day) {
      sys_days d{days(day)};
      if (!working_day(d)) continue;
      const auto& span = hours_.days[std::chrono::weekday(d).c_encoding()];
      std::int64_t open = day * ms_per_day + span.start * ms_per_minute;
      std::int64_t close = day * ms_per_day + span.end * ms_per_minute;
      if (local >= close) continue;
      std::int64_t found = std::max(local, open) - offset;
      if (found < stretch_end) return found;
      break;  // past this stretch: look again with the next offset
    }
    if (stretch_end <= t || stretch_end - ms > horizon_days * ms_per_day) return ms;
    t = stretch_end;
  }
  return ms;
}

std::int64_t WorkCalendar::after_working_days(std::int64_t ms, minutes step) const {
  std::int64_t left = step.count() * ms_per_minute;
  std::int64_t t = ms;
  for (int chunks = 0; chunks < 8 * horizon_days; ++chunks) {
    auto info = info_at(*zone_, t);
    std::int64_t offset = std::chrono::duration_cast<milliseconds>(info.offset).count();
    std::int64_t local = t + offset;
    std::int64_t day = day_of(local);
    std::int64_t chunk_end = std::min(to_ms(info.end), (day + 1) * ms_per_day - offset);
    if (working_day(sys_days{days(day)})) {
      if (left <= chunk_end - t) return t + left;
      left -= chunk_end - t;
    }
    t = chunk_end;
  }
  return t + left;
}

}  // namespace itpm::commands
