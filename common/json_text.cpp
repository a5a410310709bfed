#include "common/json_text.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace itpm::common {
namespace {

// The length of the well-formed UTF-8 sequence of two to four bytes at `p` (RFC 3629: no
// overlong forms, no surrogates, nothing past U+10FFFF), or 0. nlohmann's writer copies those
// unchanged and replaces anything else.
std::size_t multibyte(const unsigned char* p, const unsigned char* end) {
  unsigned char c = *p;
  std::size_t n = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) low = 0xA0;
    if (c == 0xED) high = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) low = 0x90;
    if (c == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (static_cast<std::size_t>(end - p) < n || p[1] < low || p[1] > high) return 0;
  for (std::size_t i = 2; i < n; ++i) {
    if (p[i] < 0x80 || p[i] > 0xBF) return 0;
  }
  return n;
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

// Whether none of the eight bytes of `word` needs a look: ASCII, not a control character,
// not '"' and not '\\' (bit tricks on all eight at once).
bool plain_ascii(std::uint64_t word) {
  constexpr std::uint64_t ones = 0x0101010101010101;
  constexpr std::uint64_t highs = 0x8080808080808080;
  auto has_zero = [](std::uint64_t v) { return ((v - ones) & ~v & highs) != 0; };
  bool high_bit = (word & highs) != 0;
  bool control = ((word - ones * 0x20) & ~word & highs) != 0;
  return !high_bit && !control && !has_zero(word ^ (ones * '"')) && !has_zero(word ^ (ones * '\\'));
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  const auto* begin = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = begin + s.size();
  const auto* p = begin;
  const auto* run = begin;  // copied up to here
  std::size_t rollback = out.size();
  out += '"';
  while (p < end) {
    if (end - p >= 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, p, 8);
      if (plain_ascii(word)) {
        p += 8;
        continue;
      }
    }
    unsigned char c = *p;
    if (c >= 0x80) {
      std::size_t n = multibyte(p, end);
      if (n == 0) {
        // Malformed: nlohmann's writer decides what replaces what.
        out.resize(rollback);
        out += nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return;
      }
      p += n;
      continue;
    }
    char escape = escapes[c];
    if (escape == 0) {
      ++p;
      continue;
    }
    out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
    run = ++p;
    out += '\\';
    if (escape != 'u') {
      out += escape;
      continue;
    }
    static constexpr char hex[] = "0123456789abcdef";
    out += "u00";
    out += hex[c >> 4];
    out += hex[c & 0xF];
  }
  out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(end - run));
  out += '"';
}

namespace {

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
        append_json_string(out, key);
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
      append_json_string(out, value.get_ref<const std::string&>());
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

std::string json_text(const nlohmann::json& value) {
  std::string out;
  out.reserve(256);
  append_json(out, value);
  return out;
}

}  // namespace itpm::common
