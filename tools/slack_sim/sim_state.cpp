#include "tools/slack_sim/sim_state.hpp"

namespace itpm::sim {

std::vector<const ApiCall*> Snapshot::ok_calls(const std::string& method) const {
  std::vector<const ApiCall*> out;
  for (const auto& c : calls) {
    if (c.method == method && c.status == 200 && c.error.empty()) out.push_back(&c);
  }
  return out;
}

int Snapshot::count_calls(const std::string& method) const {
  int n = 0;
  for (const auto& c : calls) n += c.method == method ? 1 : 0;
  return n;
}

const AckRecord* Snapshot::ack_for(const std::string& envelope_id) const {
  for (const auto& a : acks) {
    if (a.envelope_id == envelope_id) return &a;
  }
  return nullptr;
}

void SimState::update(const std::function<void(Snapshot&)>& change) {
  {
    std::lock_guard lock(mutex_);
    change(data_);
  }
  changed_.notify_all();
}

Snapshot SimState::snapshot() const {
  std::lock_guard lock(mutex_);
  return data_;
}

bool SimState::wait_for(const std::function<bool(const Snapshot&)>& done,
                        std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return done(data_); });
}

}  // namespace itpm::sim
