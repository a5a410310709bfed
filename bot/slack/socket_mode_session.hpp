#pragma once
// The Socket Mode connection lifecycle as a state machine without I/O: events in (a socket
// connected, said hello, asked us to move, closed; an attempt failed; a pause or the hello
// wait ran out; stop), actions out (open a socket, close one, wait, count, exit). The
// SocketModeClient performs the actions with real sockets and timers; tests drive this
// directly, with virtual time and fixed randomness.

#include "bot/slack/reconnect_policy.hpp"

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace itpm::bot {

// What a `disconnect` frame asks for.
enum class DisconnectReason {
  refresh,              // warning, refresh_requested, or one we do not know: make before break
  too_many_websockets,  // back off hard
  link_disabled,        // Socket Mode was turned off: stop for good
};
DisconnectReason classify_disconnect(std::string_view reason);

// Why an apps.connections.open call failed, from its error code ("network_error", "http_503",
// "invalid_auth", ...).
Failure classify_open_call(std::string_view error);

namespace session {

struct OpenSocket {};  // apps.connections.open, then the WebSocket; report back either way
struct CloseSocket {
  int id = 0;
};
struct AwaitHello {  // report hello_timed_out(id) if no hello came within `within`
  int id = 0;
  std::chrono::milliseconds within{0};
};
struct Pause {  // report pause_over() after `delay`
  std::chrono::milliseconds delay{0};
};
struct CountReconnect {  // itpm_reconnects_total{reason}
  std::string reason;
};
struct Exit {  // stop serving; the process exits with `code`
  int code = 0;
};

using Action = std::variant<OpenSocket, CloseSocket, AwaitHello, Pause, CountReconnect, Exit>;

}  // namespace session

class SocketModeSession {
 public:
  using Clock = std::chrono::steady_clock;
  using Actions = std::vector<session::Action>;

  SocketModeSession(ReconnectPolicy policy, std::chrono::milliseconds hello_timeout)
      : policy_(std::move(policy)), hello_timeout_(hello_timeout) {}

  Actions start();
  // The attempt of OpenSocket failed before a socket was up.
  Actions open_failed(Failure failure, std::optional<std::chrono::seconds> retry_after,
                      const std::string& why);
  // The attempt of OpenSocket opened socket `id`; it has not said hello yet.
  Actions connected(int id);
  Actions hello(int id, Clock::time_point now);
  Actions disconnect(int id, const std::string& reason);
  Actions closed(int id, const std::string& reason, Clock::time_point now);
  Actions hello_timed_out(int id);
  Actions pause_over();
  Actions stop();

  // The socket that said hello and serves envelopes, if any.
  [[nodiscard]] std::optional<int> active() const { return active_; }
  // Sockets not yet reported closed.
  [[nodiscard]] const std::set<int>& open_sockets() const { return open_; }
  [[nodiscard]] bool stopped() const { return phase_ == Phase::stopped; }

 private:
  enum class Phase {
    serving,   // nothing under way (with or without an active socket)
    opening,   // OpenSocket issued, no answer yet
    greeting,  // socket `greeting_` is up, waiting for its hello
    pausing,   // a Pause is under way before the next attempt
    stopped,
  };
  // A failed attempt: the policy decides between a pause and giving up.
  Actions failed(Failure failure, std::optional<std::chrono::seconds> retry_after,
                 const std::string& why);
  Actions reconnect_after(std::chrono::milliseconds delay);

  ReconnectPolicy policy_;
  std::chrono::milliseconds hello_timeout_;
  Phase phase_ = Phase::serving;
  std::optional<int> active_;
  Clock::time_point active_since_{};
  int greeting_ = 0;
  std::set<int> open_;
};

}  // namespace itpm::bot
