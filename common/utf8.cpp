#include "common/utf8.hpp"

namespace itpm::common::utf8 {

char32_t next(std::string_view s, std::size_t& pos) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char b0 = byte(pos);
  std::size_t len = b0 < 0x80            ? 1
                    : (b0 >> 5U) == 0x6  ? 2
                    : (b0 >> 4U) == 0xe  ? 3
                    : (b0 >> 3U) == 0x1e ? 4
                                         : 1;
  if (pos + len > s.size()) len = 1;
  char32_t cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1fU) : len == 3 ? (b0 & 0x0fU) : (b0 & 0x07U);
  for (std::size_t i = 1; i < len; ++i) {
    if ((byte(pos + i) & 0xc0U) != 0x80) {
      len = 1;
      cp = b0;
      break;
    }
    cp = (cp << 6U) | (byte(pos + i) & 0x3fU);
  }
  pos += len;
  return cp;
}

std::string_view prefix(std::string_view s, std::size_t max_chars) {
  if (s.size() <= max_chars) return s;  // a character is at least a byte
  std::size_t pos = 0;
  for (std::size_t chars = 0; pos < s.size() && chars < max_chars; ++chars) next(s, pos);
  return s.substr(0, pos);
}

void append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6U));
    out += static_cast<char>(0x80 | (cp & 0x3fU));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12U));
    out += static_cast<char>(0x80 | ((cp >> 6U) & 0x3fU));
    out += static_cast<char>(0x80 | (cp & 0x3fU));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18U));
    out += static_cast<char>(0x80 | ((cp >> 12U) & 0x3fU));
    out += static_cast<char>(0x80 | ((cp >> 6U) & 0x3fU));
    out += static_cast<char>(0x80 | (cp & 0x3fU));
  }
}

}  // namespace itpm::common::utf8
