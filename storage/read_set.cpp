#include "storage/read_set.hpp"

#include <algorithm>

namespace itpm::storage {
namespace {

thread_local ReadSet* active_read_set = nullptr;

}  // namespace

ReadSet::ReadSet() : previous_(active_read_set) {
  active_read_set = this;
}

ReadSet::~ReadSet() {
  active_read_set = previous_;
}

ReadSet* ReadSet::active() {
  return active_read_set;
}

void ReadSet::note(Family family, std::string_view key, const std::optional<std::string>& value,
                   std::string item) {
  bool known = std::any_of(reads_.begin(), reads_.end(),
                           [&](const Read& r) { return r.family == family && r.key == key; });
  if (!known) reads_.push_back(Read{family, std::string(key), value, std::move(item)});
}

void ReadSet::expect_in(Batch& batch) const {
  for (const auto& r : reads_) batch.expect(r.family, r.key, r.value, r.item);
}

}  // namespace itpm::storage
