#pragma once

#include <string>
#include <string_view>

namespace itpm::bot {

// "xoxb-…a1b2": the prefix and the last four characters, never more.
std::string redact_token(std::string_view token);

// A URL without its query string (Socket Mode tickets are credentials too).
std::string redact_url(std::string_view url);

}  // namespace itpm::bot
