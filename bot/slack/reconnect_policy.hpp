#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace itpm::bot {

// Why opening a Socket Mode connection failed.
enum class Failure {
  network,              // DNS, TCP, TLS, timeouts
  handshake_rejected,   // the WebSocket upgrade was answered with something other than 101
  rate_limited,         // apps.connections.open answered 429
  server_error,         // ok:false with a retryable error, or 5xx
  no_hello,             // connected, but no hello arrived in time
  too_many_websockets,  // the app has too many sockets open: back off hard
  auth,                 // invalid_auth, not_authed, not_allowed_token_type, ...: never retry
  link_disabled,        // Socket Mode was turned off for the app: never retry
};

// Maps an apps.connections.open error code to a Failure.
Failure classify_open_error(std::string_view error);

// What to do after a failure: wait `delay` and try again, or stop with `exit_code`.
struct Decision {
  bool give_up = false;
  int exit_code = 0;
  std::chrono::milliseconds delay{0};
};

// The reconnect decision, as a small state machine with no I/O: capped exponential
// backoff with jitter, Retry-After honoured, fatal errors end the process.
class ReconnectPolicy {
 public:
  struct Options {
    std::chrono::milliseconds initial{500};
    std::chrono::milliseconds cap{60000};
    std::chrono::milliseconds too_many_websockets_floor{10000};
    double jitter = 0.25;  // the delay is scaled by a factor in [1 - jitter, 1 + jitter]
    std::chrono::milliseconds stable{30000};  // a connection that lived this long was healthy
  };

  // `random01` returns a uniform number in [0, 1); tests pass a fixed one.
  ReconnectPolicy(Options options, std::function<double()> random01);

  // A connection attempt failed.
  Decision on_failure(Failure failure, std::optional<std::chrono::seconds> retry_after);
  // An established connection (it had said hello) dropped after living `lived`. A healthy
  // one is replaced at once and clears the failure count; one that dropped soon after it was
  // made counts as a failure, so a server that accepts and hangs up cannot cause a tight loop.
  std::chrono::milliseconds on_connection_lost(std::chrono::milliseconds lived);

  [[nodiscard]] int consecutive_failures() const { return failures_; }

 private:
  std::chrono::milliseconds backoff();

  Options options_;
  std::function<double()> random01_;
  int failures_ = 0;
};

}  // namespace itpm::bot
