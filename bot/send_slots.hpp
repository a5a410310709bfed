#pragma once
// Who talks to Slack next, apart from what is sent: posts to one channel (or DMs to one person)
// go about one a second (ChannelPacer), and at most `capacity` posts are in flight at once
// (SendSlots), a freed slot going to the oldest waiter of the most urgent priority (the
// scheduler's escalations and reminders, then what commands post, then chatter).

#include "commands/command.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>

namespace itpm::bot {

// When the next post to a channel (or a person) may go. The caller waits for its turn before
// it takes a slot, so a busy channel never holds slots that posts elsewhere need.
class ChannelPacer {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr auto interval = std::chrono::seconds(1);

  // Reserves the next turn of `key` at or after `now`.
  Clock::time_point reserve(const std::string& key, Clock::time_point now);

 private:
  std::map<std::string, Clock::time_point, std::less<>> next_;
};

// The channel (or "dm:<user>") a post is paced by.
std::string pacing_key(const commands::PostMessage& message);

// The pacer and the slots, on one executor (the I/O thread).
class SendSlots {
 public:
  SendSlots(boost::asio::any_io_executor executor, int capacity)
      : executor_(std::move(executor)), capacity_(capacity) {}

  // Waits until `message`'s channel may take another post.
  boost::asio::awaitable<void> wait_turn(const commands::PostMessage& message);
  // Takes a slot, waiting behind more urgent and older waiters when none is free.
  boost::asio::awaitable<void> acquire(commands::PostPriority priority);
  // Hands the caller's slot to the next waiter, or frees it.
  void release();
  // Waits `wait` before a retry with the caller's slot given up meanwhile, then takes one again
  // (at `priority`): a post sleeping on a retry (up to a Retry-After's minutes) never keeps
  // others from being sent.
  boost::asio::awaitable<void> pause_without_slot(boost::asio::steady_timer& pause,
                                                  std::chrono::steady_clock::duration wait,
                                                  commands::PostPriority priority);

 private:
  boost::asio::any_io_executor executor_;
  int capacity_;
  int in_flight_ = 0;
  // By priority (urgent, normal, chatter), oldest first.
  std::array<std::deque<std::shared_ptr<boost::asio::steady_timer>>, 3> waiters_;
  ChannelPacer pacer_;
};

}  // namespace itpm::bot
