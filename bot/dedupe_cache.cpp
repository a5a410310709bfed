#include "bot/dedupe_cache.hpp"

namespace itpm::bot {

DedupeCache::DedupeCache(std::chrono::seconds ttl, std::size_t max_entries)
    : ttl_(ttl), max_entries_(max_entries) {}

bool DedupeCache::first_time(const std::string& id, Clock::time_point now) {
  while (!order_.empty() && (order_.front().first + ttl_ <= now || order_.size() >= max_entries_)) {
    ids_.erase(order_.front().second);
    order_.pop_front();
  }
  if (!ids_.insert(id).second) return false;
  order_.emplace_back(now, id);
  return true;
}

}  // namespace itpm::bot
