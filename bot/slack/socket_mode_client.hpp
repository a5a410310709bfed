#pragma once

#include "bot/ops/metrics.hpp"
#include "bot/slack/envelope.hpp"
#include "bot/slack/socket_mode_session.hpp"
#include "bot/slack/web_api_client.hpp"
#include "bot/transport/connection.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace itpm::bot {

// Acks one envelope, with a payload (sent only if the envelope accepts one) or without.
using Ack = std::function<void(std::optional<nlohmann::json>)>;
// Handles one envelope and calls its Ack exactly once, at once or later on the same executor
// (after the command's writes are durable).
using EnvelopeHandler = std::function<void(const Envelope&, Ack)>;

// Keeps one Socket Mode connection to Slack up: apps.connections.open, WebSocket, hello,
// acks, keep-alive, make-before-break refreshes and reconnects. What to do when is decided by
// a SocketModeSession (no I/O); this class performs its actions with sockets and timers.
class SocketModeClient {
 public:
  struct Options {
    WsOptions ws;
    bool allow_plain_ws = false;    // only with an http:// API URL
    bool debug_reconnects = false;  // append &debug_reconnects=true to the socket URL
    std::chrono::milliseconds hello_timeout{10000};
  };

  SocketModeClient(boost::asio::any_io_executor executor, boost::asio::ssl::context& tls,
                   WebApiClient& api, Options options, EnvelopeHandler handler, Metrics& metrics);
  ~SocketModeClient();

  // Runs until stop() (returns 0), or until Slack refuses us for good: 3 for an
  // authentication error, 4 when Socket Mode is disabled for the app.
  boost::asio::awaitable<int> run();

  // Stops accepting envelopes, acks those in hand (waiting up to 5 s for their writes), then
  // closes every socket with a close frame; run() returns.
  void stop();

  // True while a connection that said hello is open.
  [[nodiscard]] bool connected() const { return active_connection() != nullptr; }

 private:
  struct Event {
    int connection = 0;
    enum class Kind { hello, disconnect, closed } kind = Kind::closed;
    std::string detail;
  };

  void on_text(int id, std::string text);
  void on_closed(int id, std::string reason);
  void push(Event event);
  // The next lifecycle event, or nullopt at `deadline` (or at stop(), unless `until_deadline`).
  boost::asio::awaitable<std::optional<Event>> next_event(
      std::chrono::steady_clock::time_point deadline, bool until_deadline);
  // Carries out the session's OpenSocket and reports the outcome to it; returns its actions.
  boost::asio::awaitable<SocketModeSession::Actions> open_socket();
  [[nodiscard]] std::shared_ptr<Connection> active_connection() const;
  void forget(int id);
  void update_gauge();

  boost::asio::any_io_executor executor_;
  boost::asio::ssl::context& tls_;
  WebApiClient& api_;
  Options options_;
  EnvelopeHandler handler_;
  Metrics& metrics_;
  SocketModeSession session_;
  boost::asio::steady_timer wake_;
  std::deque<Event> events_;
  std::map<int, std::shared_ptr<Connection>> connections_;
  int next_id_ = 1;
  int in_flight_ = 0;  // envelopes handed to the handler and not yet acked
  bool stopping_ = false;
};

}  // namespace itpm::bot
