// Fuzzes the iCalendar holiday reader (`itpm-bot holidays import`). Properties: a file is
// either refused with a reason or read into days that are real dates, in order, each once, at
// most the days asked for, each named with valid UTF-8 of at most 80 characters and no
// control characters; every event left out says why.
#include "commands/calendar/ical.hpp"
#include "common/iso_date.hpp"
#include "common/utf8.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

using itpm::fuzz::fail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto read = itpm::commands::read_ical_holidays(text, 64);
  if (!read.error.empty()) {
    if (!read.days.empty() || !read.skipped.empty()) fail("a refused file gives nothing", text);
    return 0;
  }
  if (read.days.size() > 64) fail("at most the days asked for", text);
  std::string previous;
  for (const auto& d : read.days) {
    if (!itpm::common::parse_date(d.day)) fail("each day is a real date", d.day);
    if (d.day <= previous) fail("days are in order, each once", d.day);
    previous = d.day;
    try {
      (void)nlohmann::json(d.name).dump();
    } catch (const nlohmann::json::exception&) {
      fail("a name is valid UTF-8", d.name);
    }
    std::size_t pos = 0;
    std::size_t count = 0;
    while (pos < d.name.size()) {
      char32_t cp = itpm::common::utf8::next(d.name, pos);
      if (cp < 0x20 || cp == 0x7F) fail("a name has no control characters", d.name);
      ++count;
    }
    if (count > 80) fail("a name has at most 80 characters", d.name);
  }
  for (const auto& why : read.skipped) {
    if (why.find(": ") == std::string::npos) fail("a left-out event says why", why);
  }
  return 0;
}
