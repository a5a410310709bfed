#pragma once

#include <chrono>
#include <deque>
#include <string>
#include <unordered_set>

namespace itpm::bot {

// Remembers ids (Events API event_id) for a time-to-live, so a redelivered event is handled
// once. Expiry walks a queue in insertion order: no full scan, bounded memory.
class DedupeCache {
 public:
  using Clock = std::chrono::steady_clock;

  DedupeCache(std::chrono::seconds ttl, std::size_t max_entries);

  // True the first time `id` is seen within the TTL; false for a repeat.
  bool first_time(const std::string& id, Clock::time_point now);

  [[nodiscard]] std::size_t size() const { return ids_.size(); }

 private:
  std::chrono::seconds ttl_;
  std::size_t max_entries_;
  std::unordered_set<std::string> ids_;
  std::deque<std::pair<Clock::time_point, std::string>> order_;
};

}  // namespace itpm::bot
