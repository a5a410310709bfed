#include "bot/slack/reconnect_policy.hpp"

#include <catch2/catch.hpp>

using namespace itpm::bot;
using namespace std::chrono_literals;

namespace {

ReconnectPolicy policy(double random = 0.5) {
  ReconnectPolicy::Options o;
  o.initial = 500ms;
  o.cap = 8000ms;
  o.jitter = 0.2;
  return ReconnectPolicy(o, [random] { return random; });
}

}  // namespace

TEST_CASE("authentication failures and link_disabled give up with their exit codes") {
  auto p = policy();
  auto auth = p.on_failure(Failure::auth, std::nullopt);
  CHECK(auth.give_up);
  CHECK(auth.exit_code == 3);
  auto disabled = p.on_failure(Failure::link_disabled, std::nullopt);
  CHECK(disabled.give_up);
  CHECK(disabled.exit_code == 4);
  CHECK(classify_open_error("invalid_auth") == Failure::auth);
  CHECK(classify_open_error("not_allowed_token_type") == Failure::auth);
  CHECK(classify_open_error("ratelimited") == Failure::rate_limited);
  CHECK(classify_open_error("internal_error") == Failure::server_error);
}

TEST_CASE("backoff doubles up to the cap") {
  auto p = policy();
  std::vector<long> delays;
  for (int i = 0; i < 7; ++i)
    delays.push_back(p.on_failure(Failure::network, std::nullopt).delay.count());
  CHECK(delays == std::vector<long>{500, 1000, 2000, 4000, 8000, 8000, 8000});
}

TEST_CASE("jitter never pushes a delay past the cap") {
  auto p = policy(0.999999);
  for (int i = 0; i < 10; ++i) CHECK(p.on_failure(Failure::network, std::nullopt).delay <= 8000ms);
}

TEST_CASE("jitter spreads delays within the configured band") {
  CHECK(policy(0.0).on_failure(Failure::network, std::nullopt).delay == 400ms);
  CHECK(policy(0.999999).on_failure(Failure::network, std::nullopt).delay == 599ms);
}

TEST_CASE("Retry-After and too_many_websockets set a floor") {
  auto p = policy();
  CHECK(p.on_failure(Failure::rate_limited, 30s).delay == 30s);
  CHECK(policy().on_failure(Failure::too_many_websockets, std::nullopt).delay == 10s);
}

TEST_CASE("a healthy connection that drops is replaced at once, a flapping one backs off") {
  auto p = policy();
  p.on_failure(Failure::network, std::nullopt);
  p.on_failure(Failure::network, std::nullopt);
  CHECK(p.on_connection_lost(5min) == 0ms);
  CHECK(p.consecutive_failures() == 0);
  CHECK(p.on_connection_lost(1s) == 500ms);
  CHECK(p.on_connection_lost(1s) == 1000ms);
  CHECK(p.on_connection_lost(1h) == 0ms);
}
