#include "common/json_text.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <string_view>

namespace itpm::common {
namespace {

// Whether `s` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past
// U+10FFFF), the strings nlohmann's writer copies unchanged.
bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    std::size_t n = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      if (c == 0xE0) low = 0xA0;
      if (c == 0xED) high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      if (c == 0xF0) low = 0x90;
      if (c == 0xF4) high = 0x8F;
    } else {
      return false;
    }
    if (static_cast<std::size_t>(end - p) <= n) return false;
    if (p[1] < low || p[1] > high) return false;
    for (std::size_t i = 2; i <= n; ++i) {
      if (p[i] < 0x80 || p[i] > 0xBF) return false;
    }
    p += n + 1;
  }
  return true;
}

// What each byte becomes inside a JSON string: 0 copied as it is, 'u' as \u00XX, another
// character c as \c.
constexpr std::array<char, 256> escapes = [] {
  std::array<char, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[static_cast<std::size_t>(c)] = 'u';
  table['\b'] = 'b';
  table['\t'] = 't';
  table['\n'] = 'n';
  table['\f'] = 'f';
  table['\r'] = 'r';
  table['"'] = '"';
  table['\\'] = '\\';
  return table;
}();

void append_string_text(std::string& out, std::string_view s) {
  if (!valid_utf8(s)) {
    out += nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  out += '"';
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char escape = escapes[static_cast<unsigned char>(s[i])];
    if (escape == 0) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    out += '\\';
    if (escape != 'u') {
      out += escape;
      continue;
    }
    static constexpr char hex[] = "0123456789abcdef";
    auto byte = static_cast<unsigned char>(s[i]);
    out += "u00";
    out += hex[byte >> 4];
    out += hex[byte & 0xF];
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

template <class Integer>
void append_integer(std::string& out, Integer n) {
  std::array<char, 24> digits{};
  auto end = std::to_chars(digits.data(), digits.data() + digits.size(), n).ptr;
  out.append(digits.data(), end);
}

}  // namespace

void append_json(std::string& out, const nlohmann::json& value) {
  using Type = nlohmann::json::value_t;
  switch (value.type()) {
    case Type::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : value.get_ref<const nlohmann::json::object_t&>()) {
        if (!first) out += ',';
        first = false;
        append_string_text(out, key);
        out += ':';
        append_json(out, member);
      }
      out += '}';
      return;
    }
    case Type::array: {
      out += '[';
      bool first = true;
      for (const auto& element : value.get_ref<const nlohmann::json::array_t&>()) {
        if (!first) out += ',';
        first = false;
        append_json(out, element);
      }
      out += ']';
      return;
    }
    case Type::string:
      append_string_text(out, value.get_ref<const std::string&>());
      return;
    case Type::boolean:
      out += value.get<bool>() ? "true" : "false";
      return;
    case Type::number_integer:
      append_integer(out, value.get<std::int64_t>());
      return;
    case Type::number_unsigned:
      append_integer(out, value.get<std::uint64_t>());
      return;
    case Type::null:
      out += "null";
      return;
    case Type::number_float:
    case Type::binary:
    case Type::discarded:
      out += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
  }
}

void append_json_string(std::string& out, std::string_view s) {
  append_string_text(out, s);
}

std::string json_text(const nlohmann::json& value) {
  std::string out;
  out.reserve(256);
  append_json(out, value);
  return out;
}

}  // namespace itpm::common
