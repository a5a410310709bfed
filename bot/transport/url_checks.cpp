#include "bot/transport/url_checks.hpp"

#include <boost/url/parse.hpp>

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

}  // namespace itpm::bot
