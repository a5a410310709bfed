#pragma once

#include "bot/slack/web_api_client.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

namespace itpm::bot {

// What the bot needs to know of a person from Slack's users.info: their IANA time zone (date
// words, "fri", "tomorrow", are read where the person is) and their team (an outsider in a
// shared channel is refused). `team` is empty when Slack did not say.
struct UserInfo {
  std::string zone;
  std::string team;
};

// Each user's zone and team from users.info, cached. A lookup that Slack does not answer within
// `wait` gets the workspace default (the command must still be acked within 3 s); the answer,
// when it comes, fills the cache for the next command. One request per user at a time.
class UserZones {
 public:
  using Then = std::function<void(const UserInfo& info)>;

  UserZones(boost::asio::any_io_executor executor, WebApiClient& api, std::string default_zone,
            std::chrono::milliseconds wait);

  // Calls `then` with the user's zone and team: at once when cached, else once users.info
  // answers or `wait` passes (then the default zone and no team). Runs on the executor's
  // thread.
  void lookup(const std::string& user, Then then);

 private:
  struct Cached {
    UserInfo info;
    std::chrono::steady_clock::time_point expires;
  };
  struct Waiter {
    std::uint64_t id;
    Then then;
  };

  static boost::asio::awaitable<void> fetch(UserZones* self, std::string user);
  void give_up(const std::string& user, std::uint64_t id);

  boost::asio::any_io_executor executor_;
  WebApiClient& api_;
  std::string default_zone_;
  std::chrono::milliseconds wait_;
  std::unordered_map<std::string, Cached> cache_;
  std::unordered_map<std::string, std::vector<Waiter>> waiting_;
  std::uint64_t next_id_ = 0;
};

// True when the system's tz database knows `zone`.
bool known_zone(const std::string& zone);

}  // namespace itpm::bot
