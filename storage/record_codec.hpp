#pragma once
// Records are stored as JSON, and decoding one costs microseconds; lists and agendas decode
// the same records again and again. Decoded records are remembered by their exact stored
// bytes: a changed record has other bytes and is decoded afresh, so what comes back is never
// stale.

#include <nlohmann/json.hpp>

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace itpm::storage {

// The record stored as `raw`, decoded afresh; nullopt when it is not JSON of that record. For
// one pass over a whole family (migrations, the integrity check), where remembering is waste.
template <class R>
std::optional<R> parse_record(std::string_view raw) {
  auto j = nlohmann::json::parse(raw, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  try {
    return j.get<R>();
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // a field of the wrong type: not a record this build can read
  }
}

// Remembers at most `capacity` decoded records of one type, forgotten all at once when full.
template <class R>
class DecodeMemo {
 public:
  std::optional<R> decode(std::string_view raw) {
    {
      std::lock_guard lock(mutex_);
      if (auto it = memo_.find(raw); it != memo_.end()) return it->second;
    }
    auto record = parse_record<R>(raw);
    if (!record) return std::nullopt;
    std::lock_guard lock(mutex_);
    if (memo_.size() >= capacity) memo_.clear();
    memo_.emplace(std::string(raw), *record);
    return record;
  }

 private:
  static constexpr std::size_t capacity = 2048;
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::mutex mutex_;
  std::unordered_map<std::string, R, Hash, std::equal_to<>> memo_;
};

// The record stored as `raw`; nullopt when it is not JSON of that record.
template <class R>
std::optional<R> decode_record(std::string_view raw) {
  static DecodeMemo<R> memo;
  return memo.decode(raw);
}

}  // namespace itpm::storage
