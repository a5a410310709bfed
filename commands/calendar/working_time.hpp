#pragma once
// Working time (commands.md §6): weekly working hours read in a time zone, minus holidays.
// Pure functions of the zone's rules, the hours and the holidays; times are ms since the Unix
// epoch. An instant is working time when its local wall-clock time, in the zone, falls within
// the working hours of a working day that is not a holiday.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace itpm::commands {

// The working minutes of each local weekday (index: 0 Sunday to 6 Saturday), [start, end) in
// minutes after midnight; start == end: not a working day.
struct WorkingHours {
  struct Span {
    int start = 0;
    int end = 0;
    bool operator==(const Span&) const = default;
  };
  std::array<Span, 7> days{};

  [[nodiscard]] bool working_day(std::chrono::weekday wd) const {
    const Span& s = days[wd.c_encoding()];
    return s.end > s.start;
  }
  // "mon-fri 09:00-18:00": the canonical text, which parse_working_hours reads back.
  [[nodiscard]] std::string text() const;
  bool operator==(const WorkingHours&) const = default;
};

// commands.md's default: Monday to Friday, 09:00 to 18:00.
WorkingHours default_working_hours();

// Reads "mon-fri 09:00-18:00" or several parts, "mon-thu 08:00-17:00, fri 08:00-13:00": days
// (a day, a range like mon-fri, or a list like mon,wed) and a span within one day. nullopt
// with `error` set when it is not that, a day is named twice, or no day works.
std::optional<WorkingHours> parse_working_hours(std::string_view text, std::string& error);

// Working hours in a zone, minus holidays (local dates).
class WorkCalendar {
 public:
  WorkCalendar(WorkingHours hours, const date::time_zone& zone,
               std::set<std::chrono::sys_days> holidays = {});

  // Whether `day` (a local date) is a working day: its weekday works and it is no holiday.
  [[nodiscard]] bool working_day(std::chrono::sys_days day) const;
  // Whether the instant is working time.
  [[nodiscard]] bool is_working(std::int64_t ms) const;
  // The first working instant at or after `ms` (`ms` itself when it is working time).
  [[nodiscard]] std::int64_t next_working(std::int64_t ms) const;
  // The working-day clock: when `step` has elapsed from `ms`, counting only time on working
  // days (a 24h step started Friday 15:00 ends Monday 15:00). Hours within the day do not
  // matter here; quiet hours are next_working's business.
  [[nodiscard]] std::int64_t after_working_days(std::int64_t ms, std::chrono::minutes step) const;
  // The local date and wall-clock time of an instant.
  [[nodiscard]] std::chrono::sys_days local_day(std::int64_t ms) const;

  [[nodiscard]] const date::time_zone& zone() const { return *zone_; }
  [[nodiscard]] const WorkingHours& hours() const { return hours_; }

 private:
  WorkingHours hours_;
  const date::time_zone* zone_;
  std::set<std::chrono::sys_days> holidays_;
};

}  // namespace itpm::commands
