#pragma once
// systemd's service notification protocol (sd_notify(3)), spoken directly: one datagram per
// message to the AF_UNIX socket $NOTIFY_SOCKET names (a path, or @ for the abstract
// namespace). With Type=notify the unit learns when the bot is up (READY=1), what it is doing
// (STATUS=…) and that it is stopping (STOPPING=1); with WatchdogSec= it expects WATCHDOG=1 at
// least every $WATCHDOG_USEC, or restarts the bot. Outside systemd every call does nothing.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace itpm::bot {

class SystemdNotifier {
 public:
  // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID from the environment.
  SystemdNotifier();

  [[nodiscard]] bool enabled() const { return !socket_.empty(); }
  // Sends `state` ("READY=1", "STATUS=connected to Slack", ...); false when it could not.
  bool notify(std::string_view state) const;
  // How often to send WATCHDOG=1 (half the watchdog timeout), when systemd asks for it.
  [[nodiscard]] std::optional<std::chrono::microseconds> watchdog_interval() const {
    return watchdog_;
  }

 private:
  std::string socket_;
  std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace itpm::bot
