#include "commands/calendar/ical.hpp"

#include "commands/calendar/dates.hpp"
#include "common/iso_date.hpp"
#include "common/utf8.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <optional>

namespace itpm::commands {
namespace {

struct Line {
  std::size_t number = 0;  // of its first physical line
  std::string name;        // upper case
  std::string params;      // upper case, after the first ';'
  std::string value;
};

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

// Content lines with folding undone (a line starting with a space or tab continues the one
// before), split into name, parameters and value.
std::vector<Line> content_lines(std::string_view text) {
  std::vector<Line> out;
  std::vector<std::pair<std::size_t, std::string>> logical;
  std::size_t number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    std::string_view raw =
        text.substr(start, end == std::string_view::npos ? text.npos : end - start);
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    ++number;
    if (!raw.empty() && (raw[0] == ' ' || raw[0] == '\t') && !logical.empty()) {
      logical.back().second += raw.substr(1);
    } else {
      logical.emplace_back(number, std::string(raw));
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  for (auto& [n, l] : logical) {
    // The value starts after the first ':' outside a quoted parameter value.
    bool quoted = false;
    std::size_t colon = std::string::npos;
    for (std::size_t i = 0; i < l.size(); ++i) {
      if (l[i] == '"') quoted = !quoted;
      if (l[i] == ':' && !quoted) {
        colon = i;
        break;
      }
    }
    if (colon == std::string::npos) continue;
    std::string head = l.substr(0, colon);
    auto semi = head.find(';');
    out.push_back(Line{n, upper(head.substr(0, semi)),
                       semi == std::string::npos ? "" : upper(head.substr(semi + 1)),
                       l.substr(colon + 1)});
  }
  return out;
}

// RFC 5545 TEXT: \\ \; \, \n and \N.
std::string unescape(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) {
      char c = v[++i];
      out += c == 'n' || c == 'N' ? ' ' : c;
    } else {
      out += v[i];
    }
  }
  return out;
}

// A summary as a name: valid UTF-8 (a stray byte read as the character of that number), no
// control characters, at most 80 characters.
std::string name_of(std::string_view summary) {
  std::string out;
  std::size_t pos = 0;
  for (std::size_t n = 0; pos < summary.size() && n < 80; ++n) {
    char32_t cp = common::utf8::next(summary, pos);
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = U'\uFFFD';  // not a character
    common::utf8::append(out, cp < 0x20 || cp == 0x7F ? U' ' : cp);
  }
  return out;
}

// A DATE value "20261225" (the all-day form); nullopt for a DATE-TIME or anything else.
std::optional<std::chrono::sys_days> all_day(const Line& line) {
  if (line.value.size() != 8 || !std::all_of(line.value.begin(), line.value.end(),
                                             [](unsigned char c) { return std::isdigit(c) != 0; }))
    return std::nullopt;
  std::string iso =
      line.value.substr(0, 4) + "-" + line.value.substr(4, 2) + "-" + line.value.substr(6, 2);
  return common::parse_date(iso);
}

struct Event {
  std::size_t line = 0;
  std::optional<Line> start;
  std::optional<Line> end;
  std::string summary;
  bool repeats = false;
};

}  // namespace

IcalHolidays read_ical_holidays(std::string_view text, std::size_t max_days) {
  IcalHolidays out;
  auto lines = content_lines(text);
  bool calendar = std::any_of(lines.begin(), lines.end(), [](const Line& l) {
    return l.name == "BEGIN" && upper(l.value) == "VCALENDAR";
  });
  if (!calendar) {
    out.error = "not an iCalendar file: it has no BEGIN:VCALENDAR line";
    return out;
  }
  std::map<std::chrono::sys_days, std::string> days;
  std::optional<Event> event;
  for (const auto& l : lines) {
    if (l.name == "BEGIN" && upper(l.value) == "VEVENT") {
      event = Event{l.number, std::nullopt, std::nullopt, "", false};
      continue;
    }
    if (!event) continue;
    if (l.name == "DTSTART") event->start = l;
    if (l.name == "DTEND") event->end = l;
    if (l.name == "SUMMARY") event->summary = unescape(l.value);
    if (l.name == "RRULE" || l.name == "RDATE") event->repeats = true;
    if (l.name != "END" || upper(l.value) != "VEVENT") continue;
    Event e = std::move(*event);
    event.reset();
    std::string name = name_of(e.summary);
    std::string what =
        fmt::format("line {}{}", e.line, name.empty() ? "" : fmt::format(" (\"{}\")", name));
    if (!e.start) {
      out.skipped.push_back(what + ": an event without DTSTART");
      continue;
    }
    auto first = all_day(*e.start);
    if (!first) {
      out.skipped.push_back(what + ": not an all-day event");
      continue;
    }
    if (e.repeats) {
      out.skipped.push_back(what + ": a repeating event (list each year's date instead)");
      continue;
    }
    auto last = *first;  // DTEND is the day after the last one
    if (e.end) {
      auto end = all_day(*e.end);
      if (!end || *end <= *first) {
        out.skipped.push_back(what + ": its DTEND is not a date after its DTSTART");
        continue;
      }
      last = *end - std::chrono::days(1);
    }
    if (last - *first > std::chrono::days(30)) {
      out.skipped.push_back(what + ": longer than a month");
      continue;
    }
    for (auto d = *first; d <= last; d += std::chrono::days(1)) {
      if (days.contains(d)) continue;
      if (days.size() >= max_days) {
        out.skipped.push_back(fmt::format("{}: past the {} days one import takes", what, max_days));
        break;
      }
      days.emplace(d, name);
    }
  }
  for (auto& [day, name] : days) out.days.push_back(IcalDay{iso_date(day), std::move(name)});
  return out;
}

}  // namespace itpm::commands
