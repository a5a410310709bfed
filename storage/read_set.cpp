#include "storage/read_set.hpp"

#include <algorithm>
#include <vector>

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
  std::string id;
  id.reserve(key.size() + 1);
  id.push_back(static_cast<char>(family));
  id.append(key);
  reads_.try_emplace(std::move(id), Read{value, std::move(item), reads_.size()});
}

void ReadSet::expect_in(Batch& batch) const {
  std::vector<const std::pair<const std::string, Read>*> ordered;
  ordered.reserve(reads_.size());
  for (const auto& r : reads_) ordered.push_back(&r);
  std::sort(ordered.begin(), ordered.end(),
            [](const auto* a, const auto* b) { return a->second.order < b->second.order; });
  for (const auto* r : ordered) {
    batch.expect(static_cast<Family>(r->first.front()), std::string_view(r->first).substr(1),
                 r->second.value, r->second.item);
  }
}

}  // namespace itpm::storage
