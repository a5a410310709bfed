// The plain WebSocket transport (ws://), accepted only with an http:// API URL (a local
// simulator).
#include "bot/transport/ws_connection.hpp"

#include <boost/asio/ip/tcp.hpp>

namespace itpm::bot {

namespace net = boost::asio;
namespace beast = boost::beast;

net::awaitable<std::shared_ptr<Connection>> connect_plain_ws(WsTarget target, WsOptions options,
                                                             ConnectionEvents events, int id) {
  auto ex = co_await net::this_coro::executor;
  net::ip::tcp::resolver resolver(ex);
  auto endpoints = co_await resolver.async_resolve(target.host, target.port, net::use_awaitable);

  using Conn = WsConnection<beast::tcp_stream>;
  auto conn = std::make_shared<Conn>(id, options, std::move(events), ex);
  auto& tcp = conn->stream().next_layer();
  tcp.expires_after(options.handshake_timeout);
  co_await tcp.async_connect(endpoints, net::use_awaitable);
  tcp.socket().set_option(net::ip::tcp::no_delay(true));
  tcp.expires_never();

  std::string host_header = target.port == "80" ? target.host : target.host + ":" + target.port;
  co_await conn->handshake(host_header, target.target);
  conn->start();
  co_return conn;
}

}  // namespace itpm::bot
