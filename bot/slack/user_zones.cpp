#include "bot/slack/user_zones.hpp"

#include <date/tz.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>

namespace itpm::bot {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {
// A zone is re-read after a while (people travel); a failed lookup is retried sooner.
constexpr auto zone_lifetime = std::chrono::hours(12);
constexpr auto failure_lifetime = std::chrono::minutes(5);
}  // namespace

bool known_zone(const std::string& zone) {
  try {
    (void)date::locate_zone(zone);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

UserZones::UserZones(net::any_io_executor executor, WebApiClient& api, std::string default_zone,
                     std::chrono::milliseconds wait)
    : executor_(std::move(executor)),
      api_(api),
      default_zone_(std::move(default_zone)),
      wait_(wait) {}

void UserZones::lookup(const std::string& user, Then then) {
  if (auto it = cache_.find(user); it != cache_.end() && it->second.expires > Clock::now()) {
    then(it->second.info);
    return;
  }
  auto& waiters = waiting_[user];
  std::uint64_t id = ++next_id_;
  waiters.push_back(Waiter{id, std::move(then)});
  if (waiters.size() == 1) net::co_spawn(executor_, fetch(this, user), net::detached);
  auto timer = std::make_shared<net::steady_timer>(executor_, wait_);
  timer->async_wait([this, timer, user, id](const boost::system::error_code& ec) {
    if (!ec) give_up(user, id);
  });
}

void UserZones::give_up(const std::string& user, std::uint64_t id) {
  auto it = waiting_.find(user);
  if (it == waiting_.end()) return;
  auto& waiters = it->second;
  for (auto w = waiters.begin(); w != waiters.end(); ++w) {
    if (w->id != id) continue;
    Then then = std::move(w->then);
    waiters.erase(w);
    spdlog::debug("users.info for {} is slow: using the default zone {}", user, default_zone_);
    then(UserInfo{default_zone_, {}});
    return;
  }
}

net::awaitable<void> UserZones::fetch(UserZones* self, std::string user) {
  std::vector<std::pair<std::string, std::string>> args = {{"user", user}};
  CallOptions options;
  options.max_attempts = 1;
  ApiResult result = co_await self->api_.call_form("users.info", std::move(args), options, true);
  std::string zone =
      result.ok ? result.body.value(nlohmann::json::json_pointer("/user/tz"), std::string())
                : std::string();
  bool found = !zone.empty() && known_zone(zone);
  if (!result.ok) spdlog::warn("users.info for {} failed: {}", user, result.error);
  if (!found) zone = self->default_zone_;
  UserInfo info{zone, result.ok ? result.body.value(nlohmann::json::json_pointer("/user/team_id"),
                                                    std::string())
                                : std::string()};
  self->cache_[user] = Cached{info, Clock::now() + (found ? zone_lifetime : failure_lifetime)};
  auto waiters = std::move(self->waiting_[user]);
  self->waiting_.erase(user);
  for (auto& w : waiters) w.then(info);
}

}  // namespace itpm::bot
