#include "storage/event_dedupe.hpp"

#include "storage/key_codec.hpp"

namespace itpm::storage {
namespace {

std::string seen_key(std::string_view id) {
  return KeyBuilder().str("i").str(id).done();
}

std::string expiry_key(std::int64_t at, std::string_view id) {
  return KeyBuilder().str("e").u64(static_cast<std::uint64_t>(at)).str(id).done();
}

}  // namespace

bool EventDedupe::seen(std::string_view id, std::int64_t now_ms) const {
  auto expiry = store_.get(Family::dedupe, seen_key(id));
  if (!expiry) return false;
  KeyReader r(*expiry);
  return static_cast<std::int64_t>(r.u64().value_or(0)) > now_ms;
}

void EventDedupe::remember(Batch& batch, std::string_view id, std::int64_t expires_at_ms) {
  if (auto old = store_.get(Family::dedupe, seen_key(id))) {
    KeyReader r(*old);
    batch.remove(Family::dedupe, expiry_key(static_cast<std::int64_t>(r.u64().value_or(0)), id));
  }
  batch.put(Family::dedupe, seen_key(id),
            KeyBuilder().u64(static_cast<std::uint64_t>(expires_at_ms)).done());
  batch.put(Family::dedupe, expiry_key(expires_at_ms, id), "");
}

std::size_t EventDedupe::expire(Batch& batch, std::int64_t now_ms, std::size_t max) {
  std::size_t removed = 0;
  std::string prefix = KeyBuilder().str("e").done();
  store_.scan(Family::dedupe, prefix, [&](std::string_view key, std::string_view) {
    KeyReader r(key.substr(prefix.size()));
    auto at = r.u64();
    auto id = r.str();
    if (!at || !id || static_cast<std::int64_t>(*at) > now_ms || removed >= max) return false;
    batch.remove(Family::dedupe, key);
    batch.remove(Family::dedupe, seen_key(*id));
    ++removed;
    return true;
  });
  return removed;
}

}  // namespace itpm::storage
