#pragma once
// Keys are built and read only here and in the repositories. Numbers are big-endian so that
// byte order is numeric order and a prefix scan walks keys in order; strings end with a 0
// byte so that "ab" sorts before "abc" and never collides with it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace itpm::storage {

class KeyBuilder {
 public:
  KeyBuilder& u64(std::uint64_t v);
  KeyBuilder& u8(std::uint8_t v);
  // Appends `s` and a terminating 0 byte; `s` must not contain a 0 byte (keys come from
  // validated user input: program keys, tags, terms).
  KeyBuilder& str(std::string_view s);
  [[nodiscard]] std::string done() const { return key_; }
  [[nodiscard]] const std::string& view() const { return key_; }

 private:
  std::string key_;
};

// Reads a key back in the order it was built; each read returns nullopt if the key is short.
class KeyReader {
 public:
  explicit KeyReader(std::string_view key) : rest_(key) {}
  std::optional<std::uint64_t> u64();
  std::optional<std::uint8_t> u8();
  std::optional<std::string_view> str();
  [[nodiscard]] bool at_end() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

// The smallest key greater than every key starting with `prefix` (for range ends); empty
// when no such key exists (prefix of all 0xff bytes).
std::string prefix_successor(std::string_view prefix);

}  // namespace itpm::storage
