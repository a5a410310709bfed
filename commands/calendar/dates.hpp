#pragma once
// Dates as people type them, read in the caller's time zone.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace itpm::commands {

// YYYY-MM-DD for a day.
std::string iso_date(std::chrono::sys_days day);

// The IANA zone `zone`, or nullptr when the system's tzdata does not know it.
const date::time_zone* find_zone(const std::string& zone);

// The instant (ms since the Unix epoch) local midnight begins on `day` in `zone` (UTC if the
// zone is unknown); after a gap at midnight, the end of the gap.
std::int64_t start_of_day_ms(std::chrono::sys_days day, const std::string& zone);

// The local date an instant falls on in `zone`.
std::chrono::sys_days local_day(std::int64_t ms, const date::time_zone& zone);

// show_time in a zone already found.
std::string show_time(std::int64_t ms, const date::time_zone& zone);

// The calendar day `now` falls on in IANA zone `zone` (UTC if the zone is unknown).
std::chrono::sys_days today_in(std::chrono::system_clock::time_point now, const std::string& zone);

// Which way a weekday name leans: a due date to the next one after today, a --since to the
// most recent one (today included).
enum class DateLean { future, past };

// YYYY-MM-DD for `text`: an ISO date, today, tomorrow, yesterday, +3d, +2w, or a weekday name
// (mon, monday, ...: as `lean` says). nullopt when it is none of these.
std::optional<std::string> resolve_date(std::string_view text, std::chrono::sys_days today,
                                        DateLean lean = DateLean::future);

// "Fri 2026-12-04" for a YYYY-MM-DD date (the text itself if it is not one).
std::string show_date(const std::string& iso);

// "Fri 2026-11-27 13:00 CET": an instant (ms since the Unix epoch) in IANA zone `zone` (UTC
// if the zone is unknown).
std::string show_time(std::int64_t ms, const std::string& zone);

// "24h", "90m", "3d".
std::string show_duration(std::chrono::minutes d);

}  // namespace itpm::commands
