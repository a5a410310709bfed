#pragma once
// What the bot checks of a URL before it sends anything to it, read with Boost.URL (never by
// hand: `http://127.0.0.1:1@other.host/` names other.host, its userinfo is not a host).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace itpm::bot {

// True when `url` is an absolute http(s) URL whose host is this machine: 127.0.0.0/8, ::1 or
// localhost. False for anything that does not parse.
[[nodiscard]] bool is_loopback_url(std::string_view url);

// True when `url` is an absolute URL with scheme `scheme` ("https") and a host. False for
// anything that does not parse.
[[nodiscard]] bool has_scheme(std::string_view url, std::string_view scheme);

// HOST:PORT as ITPM_HTTP_LISTEN gives it: the host ("" when none, an IPv6 address without its
// brackets) and a port from 0 to 65535; nullopt for anything else.
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};
[[nodiscard]] std::optional<HostPort> parse_host_port(std::string_view text);

}  // namespace itpm::bot
