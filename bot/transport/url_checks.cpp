#include "bot/transport/url_checks.hpp"

#include <boost/url/parse.hpp>

#include <charconv>
#include <optional>

namespace itpm::bot {
namespace {

// Boost.URL 1.81 reads "http://127.0.0.1.evil.example/" as host 127.0.0.1 and path
// ".evil.example/": after an authority, a path that does not start with "/" means the host
// was not what it seemed.
std::optional<boost::urls::url_view> parse_with_host(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || !parsed->has_authority() || parsed->encoded_host().empty()) return std::nullopt;
  auto path = parsed->encoded_path();
  if (!path.empty() && path.front() != '/') return std::nullopt;
  return *parsed;
}

}  // namespace

bool has_scheme(std::string_view url, std::string_view scheme) {
  auto parsed = parse_with_host(url);
  return parsed && parsed->scheme() == scheme;
}

bool is_loopback_url(std::string_view url) {
  auto parsed = parse_with_host(url);
  if (!parsed || !(parsed->scheme() == "http" || parsed->scheme() == "https")) return false;
  switch (parsed->host_type()) {
    case boost::urls::host_type::ipv4:
      return parsed->host_ipv4_address().to_bytes()[0] == 127;
    case boost::urls::host_type::ipv6:
      return parsed->host_ipv6_address().is_loopback();
    case boost::urls::host_type::name:
      return parsed->host() == "localhost";
    default:
      return false;
  }
}

std::optional<HostPort> parse_host_port(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view port = text.substr(colon + 1);
  unsigned number = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || number > 65535)
    return std::nullopt;
  std::string_view host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return HostPort{std::string(host), static_cast<std::uint16_t>(number)};
}

}  // namespace itpm::bot
