#pragma once
// Holidays from an iCalendar file (RFC 5545), as public holiday calendars publish them: each
// all-day VEVENT (DTSTART;VALUE=DATE, DTEND exclusive) gives its days off, named by its
// SUMMARY. Timed and repeating events are left out and counted, with why.

#include <string>
#include <string_view>
#include <vector>

namespace itpm::commands {

struct IcalDay {
  std::string day;   // YYYY-MM-DD
  std::string name;  // the event's SUMMARY, unescaped, at most 80 characters
};

struct IcalHolidays {
  std::vector<IcalDay> days;         // in date order, each day once (the first event's name)
  std::vector<std::string> skipped;  // "line 12: a timed event (…)": events left out, and why
  std::string error;                 // not an iCalendar file at all; then nothing else is set
};

// Reads `text`. At most `max_days` days are taken; the rest are skipped and said so.
IcalHolidays read_ical_holidays(std::string_view text, std::size_t max_days = 5000);

}  // namespace itpm::commands
