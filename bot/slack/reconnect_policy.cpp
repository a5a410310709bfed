#include "bot/slack/reconnect_policy.hpp"

#include "bot/ops/exit_code.hpp"
#include "bot/slack/api_errors.hpp"

#include <algorithm>
#include <cmath>

namespace itpm::bot {

Failure classify_open_error(std::string_view error) {
  // The app token without connections:write is as final as a refused one.
  if (error == "missing_scope" || classify_api_error(error) == ApiErrorKind::auth)
    return Failure::auth;
  if (error == "ratelimited" || error == "rate_limited") return Failure::rate_limited;
  if (error == "link_disabled") return Failure::link_disabled;
  return Failure::server_error;
}

ReconnectPolicy::ReconnectPolicy(Options options, std::function<double()> random01)
    : options_(options), random01_(std::move(random01)) {}

std::chrono::milliseconds ReconnectPolicy::backoff() {
  double base =
      static_cast<double>(options_.initial.count()) * std::pow(2.0, std::min(failures_ - 1, 20));
  base = std::min(base, static_cast<double>(options_.cap.count()));
  double factor = 1.0 - options_.jitter + 2.0 * options_.jitter * random01_();
  double jittered = std::min(base * factor, static_cast<double>(options_.cap.count()));
  return std::chrono::milliseconds(static_cast<long long>(jittered));
}

Decision ReconnectPolicy::on_failure(Failure failure,
                                     std::optional<std::chrono::seconds> retry_after) {
  if (failure == Failure::auth) return Decision{true, exit_auth_error, {}};
  if (failure == Failure::link_disabled) return Decision{true, exit_link_disabled, {}};
  ++failures_;
  std::chrono::milliseconds delay = backoff();
  if (failure == Failure::too_many_websockets)
    delay = std::max(delay, options_.too_many_websockets_floor);
  if (retry_after) delay = std::max<std::chrono::milliseconds>(delay, *retry_after);
  return Decision{false, 0, delay};
}

std::chrono::milliseconds ReconnectPolicy::on_connection_lost(std::chrono::milliseconds lived) {
  if (lived >= options_.stable) {
    failures_ = 0;
    return std::chrono::milliseconds(0);
  }
  ++failures_;
  return backoff();
}

}  // namespace itpm::bot
