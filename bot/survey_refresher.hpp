#pragma once
// Survey polls kept up to date (chat.update), apart from posting: a refresh renders the poll
// from what is stored when it is sent, so refreshes asked for while one is under way share
// the next, and one update at a time runs per survey. Takes a sending slot like a post.

#include "bot/ops/health.hpp"
#include "bot/send_slots.hpp"
#include "bot/slack/web_api_client.hpp"
#include "storage/repositories.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

namespace itpm::bot {

class SurveyRefresher {
 public:
  // `done` runs once for each refresh asked for, when it is answered (by its own update or by
  // the one it joined).
  SurveyRefresher(boost::asio::any_io_executor executor, WebApiClient& api, Health& health,
                  storage::Repositories& repos, SendSlots& slots, std::function<void()> done)
      : executor_(std::move(executor)),
        api_(api),
        health_(health),
        repos_(repos),
        slots_(slots),
        done_(std::move(done)) {}

  // Brings survey S-<survey>'s poll up to date; `outbox_seq` (0: none) is the refresh's outbox
  // row, dropped once an update has answered it.
  void refresh(std::uint64_t survey, std::uint64_t outbox_seq);

 private:
  // Updates the poll until no refresh for it is waiting, then drops their rows.
  static boost::asio::awaitable<void> run(SurveyRefresher* self, std::uint64_t survey);

  struct Refreshes {
    bool running = false;
    bool again = false;               // asked for while an update was under way
    std::vector<std::uint64_t> rows;  // outbox rows the next update answers
  };
  boost::asio::any_io_executor executor_;
  WebApiClient& api_;
  Health& health_;
  storage::Repositories& repos_;
  SendSlots& slots_;
  std::function<void()> done_;
  std::map<std::uint64_t, Refreshes> refreshes_;  // by survey number
};

}  // namespace itpm::bot
