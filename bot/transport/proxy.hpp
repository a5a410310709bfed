#pragma once
// Egress through an HTTP proxy (HTTPS_PROXY, NO_PROXY), as most companies require: the bot
// asks the proxy for a tunnel (CONNECT host:443), then speaks TLS to the real host through it,
// with the same SNI and certificate checks as without a proxy. Used for every https:// and
// wss:// connection: the Web API, the Socket Mode WebSocket, response_urls, Prometheus.

#include <optional>
#include <string>
#include <string_view>

namespace itpm::bot {

struct ProxySettings {
  std::string host;
  std::string port;
  std::string authorization;  // "Basic …" from the URL's user:password, or ""
  std::string no_proxy;       // NO_PROXY as given
  std::string shown;          // the URL without its password, for logs
};

// Reads HTTPS_PROXY's value, http://[user:password@]host[:port][/]; nullopt with `error` set
// (naming the variable, never the password) for anything else.
std::optional<ProxySettings> parse_proxy(std::string_view url, std::string_view no_proxy,
                                         std::string& error);

// True when a connection to `host` goes direct: NO_PROXY lists, comma-separated, "*" (no
// proxy at all), host names (the name and its subdomains; a leading dot is allowed) and IP
// addresses, each optionally with :port.
bool bypasses_proxy(std::string_view no_proxy, std::string_view host, std::string_view port);

}  // namespace itpm::bot
