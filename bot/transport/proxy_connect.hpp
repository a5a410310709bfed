#pragma once
// Internal to bot/transport: a TCP connection to a host, through the proxy when one applies.

#include "bot/transport/proxy.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <optional>
#include <string>

namespace itpm::bot {

// Connects `tcp` to `host`:`port` (within the stream's expiry the caller set): directly, or
// when `proxy` is set and `host` does not bypass it, to the proxy, which must answer CONNECT
// with 2xx; from then on the stream talks to the host. Throws boost::system::system_error; a
// refusal by the proxy has the category "proxy" and says the status it answered.
// (By value: GCC 12 mishandles reference parameters bound to temporaries in coroutines.)
boost::asio::awaitable<void> connect_tcp(boost::beast::tcp_stream& tcp,
                                         std::optional<ProxySettings> proxy, std::string host,
                                         std::string port);

}  // namespace itpm::bot
