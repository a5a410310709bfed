// The TLS WebSocket transport (wss://). Kept apart from the plain one so the two heavy
// template instantiations compile in parallel.
#include "bot/transport/ws_connection.hpp"

#include "bot/transport/proxy_connect.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>

namespace itpm::bot {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;

net::awaitable<std::shared_ptr<Connection>> connect_tls_ws(WsTarget target, WsOptions options,
                                                           ConnectionEvents events, int id,
                                                           ssl::context& tls) {
  auto ex = co_await net::this_coro::executor;
  using Conn = WsConnection<beast::ssl_stream<beast::tcp_stream>>;
  auto conn = std::make_shared<Conn>(id, options, std::move(events), ex, tls);
  auto& tcp = beast::get_lowest_layer(conn->stream());
  tcp.expires_after(options.handshake_timeout);
  co_await connect_tcp(tcp, options.proxy, target.host, target.port);
  tcp.socket().set_option(net::ip::tcp::no_delay(true));

  auto& tls_stream = conn->stream().next_layer();
  boost::system::error_code not_ip;
  (void)net::ip::make_address(target.host, not_ip);
  if (not_ip && !SSL_set_tlsext_host_name(tls_stream.native_handle(), target.host.c_str())) {
    throw boost::system::system_error(boost::system::error_code(static_cast<int>(::ERR_get_error()),
                                                                net::error::get_ssl_category()));
  }
  tls_stream.set_verify_mode(ssl::verify_peer);
  tls_stream.set_verify_callback(ssl::host_name_verification(target.host));
  co_await tls_stream.async_handshake(ssl::stream_base::client, net::use_awaitable);
  tcp.expires_never();

  std::string host_header = target.port == "443" ? target.host : target.host + ":" + target.port;
  co_await conn->handshake(host_header, target.target);
  conn->start();
  co_return conn;
}

}  // namespace itpm::bot
