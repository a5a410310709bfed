#pragma once
// The calendars scheduled posts keep (commands.md §6): a program's channels work the
// workspace's working hours in the program's zone (`program … --tz`, else the workspace's
// default), minus the workspace's holidays and the program's own.

#include "commands/calendar/review_cadence.hpp"
#include "commands/calendar/working_time.hpp"
#include "commands/command.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace itpm::commands {

// The zone a person's or a program's times are read in: `zone` when it names an IANA zone, else
// the policy's default zone, else UTC.
const date::time_zone& zone_or_default(const std::string& zone, const Policy& policy);

// The days off of a program's channels: the workspace's holidays and, for a program, its own.
std::set<std::chrono::sys_days> holiday_days(const storage::Repositories& repos,
                                             std::string_view program);

// The days off of review cadence `review`: its program's holidays, and the working week.
DaysOff review_days_off(const Context& ctx, const storage::Review& review);

// When a DM to a person whose Slack zone is `zone` ("" or unknown: the policy's default) may
// go out, if not now (`now_ms`): the next working instant of the workspace's hours in their
// zone, its holidays skipped. nullopt: now is working time.
std::optional<std::int64_t> dm_held_until(const storage::Repositories& repos, const Policy& policy,
                                          const std::string& zone, std::int64_t now_ms);

// When a ladder step (`config set ladder-step`) that starts at `from` ends: it counts the
// working days of `calendar` only (a 24h step started Friday 15:00 ends Monday 15:00), and an
// end outside its working hours moves to the next working instant (a channel post waits for
// them). The escalation ladder and corrective actions' breach escalation both step so.
std::int64_t step_end(const WorkCalendar& calendar, std::int64_t from, const Context& ctx);

// When `numerator`/`denominator` of the working-day time between `from` and `to` has passed
// (counted as the ladder counts it: time on working days only). A corrective action's reminder
// comes at three quarters of its SLO so.
std::int64_t share_of_working_days(const WorkCalendar& calendar, std::int64_t from, std::int64_t to,
                                   int numerator, int denominator);

// The calendar of `program`'s channels ("" or an unknown key: the workspace's).
WorkCalendar channel_calendar(const Context& ctx, std::string_view program);

}  // namespace itpm::commands
