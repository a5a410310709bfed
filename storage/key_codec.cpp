#include "storage/key_codec.hpp"

namespace itpm::storage {

KeyBuilder& KeyBuilder::u64(std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    key_.push_back(static_cast<char>((v >> shift) & 0xffU));
  return *this;
}

KeyBuilder& KeyBuilder::u8(std::uint8_t v) {
  key_.push_back(static_cast<char>(v));
  return *this;
}

KeyBuilder& KeyBuilder::str(std::string_view s) {
  key_.append(s);
  key_.push_back('\0');
  return *this;
}

std::optional<std::uint64_t> KeyReader::u64() {
  if (rest_.size() < 8) return std::nullopt;
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v = (v << 8U) | static_cast<unsigned char>(rest_[static_cast<std::size_t>(i)]);
  rest_.remove_prefix(8);
  return v;
}

std::optional<std::uint8_t> KeyReader::u8() {
  if (rest_.empty()) return std::nullopt;
  auto v = static_cast<std::uint8_t>(rest_.front());
  rest_.remove_prefix(1);
  return v;
}

std::optional<std::string_view> KeyReader::str() {
  auto end = rest_.find('\0');
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view s = rest_.substr(0, end);
  rest_.remove_prefix(end + 1);
  return s;
}

std::string prefix_successor(std::string_view prefix) {
  std::string out(prefix);
  while (!out.empty()) {
    auto last = static_cast<unsigned char>(out.back());
    if (last != 0xff) {
      out.back() = static_cast<char>(last + 1);
      return out;
    }
    out.pop_back();
  }
  return out;
}

}  // namespace itpm::storage
