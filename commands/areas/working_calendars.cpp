#include "commands/areas/working_calendars.hpp"

#include "commands/calendar/dates.hpp"
#include "common/iso_date.hpp"

#include <date/tz.h>

namespace itpm::commands {

const date::time_zone& zone_or_default(const std::string& zone, const Policy& policy) {
  const date::time_zone* tz = zone.empty() ? nullptr : find_zone(zone);
  if (tz == nullptr) tz = find_zone(policy.default_zone);
  return tz != nullptr ? *tz : *date::locate_zone("UTC");
}

std::set<std::chrono::sys_days> holiday_days(const storage::Repositories& repos,
                                             std::string_view program) {
  std::set<std::chrono::sys_days> days;
  auto add = [&](const std::vector<storage::Holiday>& holidays) {
    for (const auto& h : holidays) {
      if (auto day = common::parse_date(h.day)) days.insert(*day);
    }
  };
  add(repos.holidays_of(""));
  if (!program.empty()) add(repos.holidays_of(program));
  return days;
}

DaysOff review_days_off(const Context& ctx, const storage::Review& review) {
  return DaysOff{holiday_days(ctx.repos, review.program), ctx.policy.working_hours};
}

std::optional<std::int64_t> dm_held_until(const storage::Repositories& repos, const Policy& policy,
                                          const std::string& zone, std::int64_t now_ms) {
  WorkCalendar calendar(policy.working_hours, zone_or_default(zone, policy),
                        holiday_days(repos, ""));
  if (calendar.is_working(now_ms)) return std::nullopt;
  return calendar.next_working(now_ms);
}

std::int64_t step_end(const WorkCalendar& calendar, std::int64_t from, const Context& ctx) {
  return calendar.next_working(calendar.after_working_days(
      from, std::chrono::duration_cast<std::chrono::minutes>(ctx.policy.ladder_step)));
}

std::int64_t share_of_working_days(const WorkCalendar& calendar, std::int64_t from, std::int64_t to,
                                   int numerator, int denominator) {
  // The working-day minutes between the two: the longest step that still ends by `to`
  // (after_working_days grows with the step).
  std::int64_t low = 0;
  std::int64_t high = std::max<std::int64_t>(0, (to - from) / 60'000);
  while (low < high) {
    std::int64_t mid = (low + high + 1) / 2;
    if (calendar.after_working_days(from, std::chrono::minutes(mid)) <= to) {
      low = mid;
    } else {
      high = mid - 1;
    }
  }
  return calendar.after_working_days(from, std::chrono::minutes(low * numerator / denominator));
}

WorkCalendar channel_calendar(const Context& ctx, std::string_view program) {
  std::string zone;
  std::string key;
  if (!program.empty()) {
    if (auto p = ctx.repos.find<storage::Program>(program)) {
      key = p->key;
      zone = p->zone;
    }
  }
  return WorkCalendar(ctx.policy.working_hours, zone_or_default(zone, ctx.policy),
                      holiday_days(ctx.repos, key));
}

}  // namespace itpm::commands
