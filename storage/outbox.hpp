#pragma once
// The durable outbox: posts a committed change asked for, kept until Slack has answered for
// them. Rows are numbered in the order they were queued.

#include "storage/store.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string_view>
#include <vector>

namespace itpm::storage {

// A Slack post waiting to be sent (the bot removes it once Slack confirmed it).
struct OutboxEntry {
  std::uint64_t seq = 0;
  nlohmann::json message;  // discarded JSON when the row is not readable
};

class Outbox {
 public:
  explicit Outbox(Store& store) : store_(store) {}

  // Queues `message` within `batch`; returns its row number.
  std::uint64_t enqueue(Batch& batch, const nlohmann::json& message);
  // The oldest `limit` rows, oldest first.
  [[nodiscard]] std::vector<OutboxEntry> entries(std::size_t limit) const;
  void dequeue(Batch& batch, std::uint64_t seq);
  // Moves row `seq` out of the outbox into the quarantine (storage/quarantine.hpp); nothing
  // when the row is gone.
  void quarantine(Batch& batch, std::uint64_t seq, std::string_view error, std::int64_t at_ms);

 private:
  Store& store_;
};

}  // namespace itpm::storage
