#include "bot/transport/proxy.hpp"
#include "bot/transport/proxy_connect.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

namespace itpm::bot {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {

// The proxy's answer to CONNECT, as an error code: the value is the HTTP status. (Boost's
// error_category has a protected non-virtual destructor, as its own categories do.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class ProxyCategory final : public boost::system::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "proxy"; }
  [[nodiscard]] std::string message(int status) const override {
    if (status == 407) {
      return "the proxy asks for credentials (HTTP 407): give them in HTTPS_PROXY as "
             "http://user:password@host:port";
    }
    if (status == 0) return "the proxy's answer to CONNECT was not HTTP";
    return fmt::format("the proxy refused the tunnel (HTTP {})", status);
  }
};

#pragma GCC diagnostic pop

const ProxyCategory& proxy_category() {
  static const ProxyCategory category;
  return category;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::optional<ProxySettings> parse_proxy(std::string_view url, std::string_view no_proxy,
                                         std::string& error) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->scheme() != "http" || parsed->host().empty() ||
      !(parsed->path().empty() || parsed->path() == "/") || parsed->has_query()) {
    error =
        "HTTPS_PROXY must be http://host:port (or http://user:password@host:port), the "
        "proxy's own address";
    return std::nullopt;
  }
  ProxySettings p;
  p.host = std::string(parsed->host());
  if (p.host.size() > 2 && p.host.front() == '[') p.host = p.host.substr(1, p.host.size() - 2);
  p.port = parsed->has_port() ? std::string(parsed->port()) : "80";
  p.no_proxy = std::string(no_proxy);
  p.shown = fmt::format("http://{}:{}", std::string(parsed->host()), p.port);
  if (parsed->has_userinfo()) {
    std::string credentials = std::string(parsed->user()) + ":" + std::string(parsed->password());
    std::string encoded(4 * ((credentials.size() + 2) / 3) + 1, '\0');
    encoded.resize(static_cast<std::size_t>(
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                        reinterpret_cast<const unsigned char*>(credentials.data()),
                        static_cast<int>(credentials.size()))));
    p.authorization = "Basic " + encoded;
    p.shown = fmt::format("http://{}@{}:{}", std::string(parsed->user()),
                          std::string(parsed->host()), p.port);
  }
  return p;
}

bool bypasses_proxy(std::string_view no_proxy, std::string_view host, std::string_view port) {
  std::string name = lower(host);
  std::size_t start = 0;
  while (start <= no_proxy.size()) {
    auto comma = no_proxy.find(',', start);
    std::string entry = lower(no_proxy.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    start = comma == std::string_view::npos ? no_proxy.size() + 1 : comma + 1;
    entry.erase(std::remove_if(entry.begin(), entry.end(),
                               [](unsigned char c) { return std::isspace(c) != 0; }),
                entry.end());
    if (entry.empty()) continue;
    if (entry == "*") return true;
    // host:port (not an IPv6 address, which has several colons)
    if (auto colon = entry.rfind(':'); colon != std::string::npos && entry.find(':') == colon) {
      if (entry.substr(colon + 1) != port) continue;
      entry.resize(colon);
    }
    if (entry.starts_with('[') && entry.ends_with(']')) entry = entry.substr(1, entry.size() - 2);
    if (entry.starts_with('.')) entry.erase(0, 1);
    if (name == entry || (name.size() > entry.size() && name.ends_with("." + entry))) return true;
  }
  return false;
}

net::awaitable<void> connect_tcp(beast::tcp_stream& tcp, std::optional<ProxySettings> proxy,
                                 std::string host, std::string port) {
  auto executor = co_await net::this_coro::executor;
  net::ip::tcp::resolver resolver(executor);
  if (!proxy || bypasses_proxy(proxy->no_proxy, host, port)) {
    auto endpoints = co_await resolver.async_resolve(host, port, net::use_awaitable);
    co_await tcp.async_connect(endpoints, net::use_awaitable);
    co_return;
  }
  auto endpoints = co_await resolver.async_resolve(proxy->host, proxy->port, net::use_awaitable);
  co_await tcp.async_connect(endpoints, net::use_awaitable);
  std::string authority =
      host.find(':') != std::string::npos ? "[" + host + "]:" + port : host + ":" + port;
  http::request<http::empty_body> connect{http::verb::connect, authority, 11};
  connect.set(http::field::host, authority);
  connect.set(http::field::user_agent, "itpm-bot/" ITPM_VERSION);
  if (!proxy->authorization.empty())
    connect.set(http::field::proxy_authorization, proxy->authorization);
  co_await http::async_write(tcp, connect, net::use_awaitable);
  // The answer has no body; whatever follows its header belongs to the tunnel, and nothing
  // may follow before the TLS handshake the bot starts.
  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> answer;
  answer.skip(true);
  boost::system::error_code ec;
  auto token = net::redirect_error(net::use_awaitable, ec);
  co_await http::async_read_header(tcp, buffer, answer, token);
  if (ec) {
    if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
      throw boost::system::system_error(boost::system::error_code(0, proxy_category()));
    }
    throw boost::system::system_error(ec);
  }
  int status = static_cast<int>(answer.get().result_int());
  if (status < 200 || status > 299 || buffer.size() != 0) {
    throw boost::system::system_error(
        boost::system::error_code(status < 200 || status > 299 ? status : 0, proxy_category()));
  }
}

}  // namespace itpm::bot
