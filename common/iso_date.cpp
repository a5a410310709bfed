#include "common/iso_date.hpp"

#include <charconv>

namespace itpm::common {

std::optional<std::chrono::sys_days> parse_date(std::string_view date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return std::nullopt;
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  auto parse = [](std::string_view s, auto& out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && end == s.data() + s.size();
  };
  if (!parse(date.substr(0, 4), y) || !parse(date.substr(5, 2), m) ||
      !parse(date.substr(8, 2), d)) {
    return std::nullopt;
  }
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd);
}

std::int64_t days_from_date(std::string_view date) {
  auto day = parse_date(date);
  return day ? day->time_since_epoch().count() : 0;
}

}  // namespace itpm::common
