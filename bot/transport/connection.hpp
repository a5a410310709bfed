#pragma once

#include "bot/transport/proxy.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace itpm::bot {

// One Socket Mode WebSocket. All calls happen on the executor the connection was made on.
class Connection {
 public:
  virtual ~Connection() = default;

  // Queues a text frame; frames queued after the connection closed are dropped (returns false).
  virtual bool send(std::string text) = 0;
  // Starts a clean close: a close frame, then the TCP connection is dropped if the peer has
  // not finished the close handshake within the close timeout.
  virtual void close() = 0;
  [[nodiscard]] virtual bool is_open() const = 0;
  [[nodiscard]] virtual int id() const = 0;
};

// Called on the connection's executor. on_closed is called exactly once, with a short reason
// ("closed by peer", "eof", "stale", "closed").
struct ConnectionEvents {
  std::function<void(int id, std::string text)> on_text;
  std::function<void(int id, std::string reason)> on_closed;
};

struct WsOptions {
  std::chrono::milliseconds ping_interval{5000};
  std::chrono::milliseconds stale_after{30000};
  std::chrono::milliseconds handshake_timeout{10000};
  std::chrono::milliseconds close_timeout{1000};
  // A larger message closes the connection (Slack's envelopes are a few KB; a runaway or
  // hostile peer must not make the bot buffer without bound).
  std::size_t max_message_bytes = 1U << 20U;
  // wss:// goes through this proxy (a CONNECT tunnel) unless its NO_PROXY names the host.
  std::optional<ProxySettings> proxy;
};

// Where to connect, from the URL that apps.connections.open returned.
struct WsTarget {
  bool tls = true;
  std::string host;
  std::string port;
  std::string target;  // path and query
};

// Connects (DNS, TCP, TLS with SNI and verification, WebSocket upgrade) and starts the
// connection's reader, writer and keep-alive. Throws boost::system::system_error on failure;
// a declined upgrade is boost::beast::websocket::error::upgrade_declined.
boost::asio::awaitable<std::shared_ptr<Connection>> connect_tls_ws(WsTarget target,
                                                                   WsOptions options,
                                                                   ConnectionEvents events, int id,
                                                                   boost::asio::ssl::context& tls);
boost::asio::awaitable<std::shared_ptr<Connection>> connect_plain_ws(WsTarget target,
                                                                     WsOptions options,
                                                                     ConnectionEvents events,
                                                                     int id);

}  // namespace itpm::bot
