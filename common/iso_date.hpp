#pragma once
// ISO dates (YYYY-MM-DD) as records store them and commands read them.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace itpm::common {

// The day a YYYY-MM-DD date names; nullopt for an empty, malformed or impossible one.
std::optional<std::chrono::sys_days> parse_date(std::string_view date);

// Days since 1970-01-01 for a YYYY-MM-DD date; 0 for an empty or malformed one.
std::int64_t days_from_date(std::string_view date);

}  // namespace itpm::common
