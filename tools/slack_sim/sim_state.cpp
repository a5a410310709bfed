#include "tools/slack_sim/sim_state.hpp"

#include <algorithm>

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
  std::lock_guard lock(mutex_);
  change(data_);
  // Waking every waiter on every change costs a context switch per ack in a load run.
  for (Waiter* w : waiters_) {
    if (!w->met && (*w->done)(data_)) {
      w->met = true;
      w->woken.notify_one();
    }
  }
}

Snapshot SimState::snapshot() const {
  std::lock_guard lock(mutex_);
  return data_;
}

bool SimState::wait_for(const std::function<bool(const Snapshot&)>& done,
                        std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  if (done(data_)) return true;
  Waiter waiter{&done, false, {}};
  waiters_.push_back(&waiter);
  bool met = waiter.woken.wait_for(lock, timeout, [&] { return waiter.met; });
  waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &waiter));
  return met;
}

}  // namespace itpm::sim
