#include "storage/outbox.hpp"

#include "storage/key_codec.hpp"
#include "storage/quarantine.hpp"

namespace itpm::storage {

std::uint64_t Outbox::enqueue(Batch& batch, const nlohmann::json& message) {
  std::uint64_t seq = store_.next_sequence("outbox", batch);
  batch.put(Family::outbox, KeyBuilder().u64(seq).done(), message.dump());
  return seq;
}

std::vector<OutboxEntry> Outbox::entries(std::size_t limit) const {
  std::vector<OutboxEntry> out;
  store_.scan(Family::outbox, "", [&](std::string_view key, std::string_view value) {
    KeyReader r(key);
    out.push_back(OutboxEntry{r.u64().value_or(0), nlohmann::json::parse(value, nullptr, false)});
    return out.size() < limit;
  });
  return out;
}

void Outbox::dequeue(Batch& batch, std::uint64_t seq) {
  batch.remove(Family::outbox, KeyBuilder().u64(seq).done());
}

void Outbox::quarantine(Batch& batch, std::uint64_t seq, std::string_view error,
                        std::int64_t at_ms) {
  auto row = store_.get(Family::outbox, KeyBuilder().u64(seq).done());
  if (!row) return;
  dequeue(batch, seq);
  storage::quarantine(batch, QuarantinedRow{"post", seq, *row, std::string(error), at_ms});
}

}  // namespace itpm::storage
