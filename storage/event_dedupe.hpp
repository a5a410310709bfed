#pragma once
// Durable memory of Slack envelope and event ids, so that a redelivery is recognised also
// after a restart. An id is remembered until it expires; expired ids are dropped from the
// expiry index's oldest end, never by a full scan.

#include "storage/store.hpp"

#include <cstdint>
#include <string_view>

namespace itpm::storage {

class EventDedupe {
 public:
  explicit EventDedupe(Store& store) : store_(store) {}

  // True while `id` is remembered and has not expired at `now_ms`.
  [[nodiscard]] bool seen(std::string_view id, std::int64_t now_ms) const;
  // Remembers `id` until `expires_at_ms` (moving an earlier expiry), within `batch`.
  void remember(Batch& batch, std::string_view id, std::int64_t expires_at_ms);
  // Forgets up to `max` ids expired at `now_ms`, within `batch`; returns how many.
  std::size_t expire(Batch& batch, std::int64_t now_ms, std::size_t max);

 private:
  Store& store_;
};

}  // namespace itpm::storage
