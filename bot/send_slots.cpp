#include "bot/send_slots.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace itpm::bot {

namespace net = boost::asio;

ChannelPacer::Clock::time_point ChannelPacer::reserve(const std::string& key,
                                                      Clock::time_point now) {
  if (next_.size() > 4096) std::erase_if(next_, [&](const auto& e) { return e.second <= now; });
  auto& next = next_[key];
  auto turn = std::max(now, next);
  next = turn + interval;
  return turn;
}

std::string pacing_key(const commands::PostMessage& message) {
  return message.channel.empty() ? "dm:" + message.to_user : message.channel;
}

net::awaitable<void> SendSlots::wait_turn(const commands::PostMessage& message) {
  auto now = ChannelPacer::Clock::now();
  auto turn = pacer_.reserve(pacing_key(message), now);
  if (turn <= now) co_return;
  net::steady_timer wait(executor_, turn);
  co_await wait.async_wait(net::as_tuple(net::use_awaitable));
}

net::awaitable<void> SendSlots::acquire(commands::PostPriority priority) {
  if (in_flight_ < capacity_) {
    ++in_flight_;
    co_return;
  }
  auto turn = std::make_shared<net::steady_timer>(executor_, net::steady_timer::time_point::max());
  waiters_.at(static_cast<std::size_t>(priority)).push_back(turn);
  co_await turn->async_wait(net::as_tuple(net::use_awaitable));  // the slot is handed over
}

net::awaitable<void> SendSlots::pause_without_slot(net::steady_timer& pause,
                                                   std::chrono::steady_clock::duration wait,
                                                   commands::PostPriority priority) {
  release();
  pause.expires_after(wait);
  co_await pause.async_wait(net::as_tuple(net::use_awaitable));
  co_await acquire(priority);
}

void SendSlots::release() {
  for (auto& waiters : waiters_) {
    if (waiters.empty()) continue;
    waiters.front()->cancel();
    waiters.pop_front();
    return;
  }
  --in_flight_;
}

}  // namespace itpm::bot
