#pragma once
// A JSON document as compact text, the same bytes nlohmann::json's
// dump(-1, ' ', false, error_handler_t::replace) gives, about five times faster: every reply,
// ack and Web API body is written through here, and nlohmann's writer decodes each byte of
// each string through a UTF-8 state machine. Strings that are valid UTF-8 (nearly all) are
// copied in runs between the characters that need escaping; anything else (a string with
// malformed UTF-8, a floating-point number, binary) is left to nlohmann.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace itpm::common {

// Appends `value` to `out` as compact JSON.
void append_json(std::string& out, const nlohmann::json& value);

// Appends `s` as a JSON string (quoted and escaped).
void append_json_string(std::string& out, std::string_view s);

// `value` as compact JSON.
[[nodiscard]] std::string json_text(const nlohmann::json& value);

}  // namespace itpm::common
