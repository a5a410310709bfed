#include "commands/calendar/dates.hpp"

#include "common/iso_date.hpp"

#include "storage/records.hpp"

#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace itpm::commands {
namespace {

constexpr std::array<std::string_view, 7> weekday_names = {
    "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};

}  // namespace

std::string iso_date(std::chrono::sys_days day) {
  std::chrono::year_month_day ymd(day);
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

std::chrono::sys_days today_in(std::chrono::system_clock::time_point now, const std::string& zone) {
  try {
    auto local = date::make_zoned(zone, now).get_local_time();
    return std::chrono::sys_days(std::chrono::floor<std::chrono::days>(local.time_since_epoch()));
  } catch (const std::exception&) {
    return std::chrono::floor<std::chrono::days>(now);
  }
}

std::optional<std::string> resolve_date(std::string_view text, std::chrono::sys_days today,
                                        DateLean lean) {
  std::string word(text);
  std::transform(word.begin(), word.end(), word.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (auto day = common::parse_date(word)) return iso_date(*day);
  if (word == "today") return iso_date(today);
  if (word == "tomorrow") return iso_date(today + std::chrono::days(1));
  if (word == "yesterday") return iso_date(today - std::chrono::days(1));
  if (word.size() >= 3 && word[0] == '+' && (word.back() == 'd' || word.back() == 'w')) {
    int n = 0;
    auto [end, ec] = std::from_chars(word.data() + 1, word.data() + word.size() - 1, n);
    if (ec == std::errc{} && end == word.data() + word.size() - 1 && n >= 0 && n <= 3650) {
      return iso_date(today + std::chrono::days(word.back() == 'w' ? 7 * n : n));
    }
    return std::nullopt;
  }
  if (word.size() >= 3) {
    for (unsigned wd = 0; wd < weekday_names.size(); ++wd) {
      if (weekday_names[wd].starts_with(word)) {
        if (lean == DateLean::past) {
          auto back = (std::chrono::weekday{today} - std::chrono::weekday{wd}).count();
          return iso_date(today - std::chrono::days(back));
        }
        auto diff = (std::chrono::weekday{wd} - std::chrono::weekday{today}).count();
        return iso_date(today + std::chrono::days(diff == 0 ? 7 : diff));
      }
    }
  }
  return std::nullopt;
}

std::string show_date(const std::string& text) {
  auto day = common::parse_date(text);
  if (!day) return text;
  static constexpr std::array<std::string_view, 7> short_names = {"Sun", "Mon", "Tue", "Wed",
                                                                  "Thu", "Fri", "Sat"};
  return fmt::format("{} {}", short_names[std::chrono::weekday(*day).c_encoding()], text);
}

std::string show_time(std::int64_t ms, const std::string& zone) {
  auto t = std::chrono::floor<std::chrono::minutes>(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms)));
  try {
    return date::format("%a %Y-%m-%d %H:%M %Z", date::make_zoned(zone, t));
  } catch (const std::exception&) {
    return date::format("%a %Y-%m-%d %H:%M UTC", t);
  }
}

std::string show_duration(std::chrono::minutes d) {
  auto m = d.count();
  if (m % (24 * 60) == 0 && m >= 48 * 60) return fmt::format("{}d", m / (24 * 60));
  if (m % 60 == 0) return fmt::format("{}h", m / 60);
  return fmt::format("{}m", m);
}

const date::time_zone* find_zone(const std::string& zone) {
  try {
    return date::locate_zone(zone);
  } catch (const std::exception&) {
    return nullptr;
  }
}

std::int64_t start_of_day_ms(std::chrono::sys_days day, const std::string& zone) {
  const date::time_zone* tz = find_zone(zone);
  if (tz == nullptr) tz = date::locate_zone("UTC");
  auto instant = tz->to_sys(date::local_days{day.time_since_epoch()}, date::choose::earliest);
  return std::chrono::duration_cast<std::chrono::milliseconds>(instant.time_since_epoch()).count();
}

std::string show_time(std::int64_t ms, const date::time_zone& zone) {
  auto t = std::chrono::floor<std::chrono::minutes>(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms)));
  return date::format("%a %Y-%m-%d %H:%M %Z", date::make_zoned(&zone, t));
}

std::chrono::sys_days local_day(std::int64_t ms, const date::time_zone& zone) {
  auto local = zone.to_local(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms)));
  return std::chrono::sys_days(std::chrono::floor<std::chrono::days>(local.time_since_epoch()));
}

}  // namespace itpm::commands
