#include "bot/transport/http_client.hpp"

#include "bot/transport/proxy_connect.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include <map>
#include <stdexcept>
#include <variant>

namespace itpm::bot {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;

namespace {

struct Origin {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;
  std::string key() const { return (tls ? "https://" : "http://") + host + ":" + port; }
};

Origin parse_origin(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) throw std::invalid_argument("not a URL: " + url);
  Origin o;
  std::string scheme(parsed->scheme());
  if (scheme != "https" && scheme != "http")
    throw std::invalid_argument("not an http(s) URL: " + url);
  o.tls = scheme == "https";
  o.host = std::string(parsed->host());
  o.port = parsed->has_port() ? std::string(parsed->port()) : (o.tls ? "443" : "80");
  o.target = std::string(parsed->encoded_target());
  if (o.target.empty()) o.target.push_back('/');  // (= "/" trips GCC 12's -Wrestrict here)
  return o;
}

// Reused for a request that must not be repeated only when used this recently.
constexpr std::chrono::seconds fresh_enough{15};

struct PooledConnection {
  std::variant<beast::tcp_stream, beast::ssl_stream<beast::tcp_stream>> stream;
  beast::flat_buffer buffer;
  std::chrono::steady_clock::time_point idle_since;

  beast::tcp_stream& tcp() {
    return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); },
                      stream);
  }
};

// One request/response on a connected stream (a named coroutine: GCC 12 mishandles
// capturing coroutine lambdas).
template <class Stream>
net::awaitable<void> write_then_read(Stream& stream, beast::flat_buffer& buffer,
                                     http::request<http::string_body>& req,
                                     http::response<http::string_body>& res) {
  co_await http::async_write(stream, req, net::use_awaitable);
  co_await http::async_read(stream, buffer, res, net::use_awaitable);
}

}  // namespace

struct HttpClient::Impl {
  net::any_io_executor executor;
  ssl::context& tls;
  std::chrono::milliseconds timeout;
  std::optional<ProxySettings> proxy;
  std::map<std::string, std::vector<std::unique_ptr<PooledConnection>>> idle;

  net::awaitable<std::unique_ptr<PooledConnection>> connect(const Origin& o) {
    std::unique_ptr<PooledConnection> c;
    if (o.tls) {
      c.reset(new PooledConnection{beast::ssl_stream<beast::tcp_stream>(executor, tls), {}, {}});
    } else {
      c.reset(new PooledConnection{beast::tcp_stream(executor), {}, {}});
    }
    c->tcp().expires_after(timeout);
    // Only TLS goes through the proxy: plain http is for this machine (a simulator) or an
    // internal service.
    std::optional<ProxySettings> via = o.tls ? proxy : std::nullopt;
    co_await connect_tcp(c->tcp(), via, o.host, o.port);
    c->tcp().socket().set_option(net::ip::tcp::no_delay(true));
    if (auto* s = std::get_if<beast::ssl_stream<beast::tcp_stream>>(&c->stream)) {
      boost::system::error_code not_ip;
      (void)net::ip::make_address(o.host, not_ip);
      if (not_ip) SSL_set_tlsext_host_name(s->native_handle(), o.host.c_str());
      s->set_verify_mode(ssl::verify_peer);
      s->set_verify_callback(ssl::host_name_verification(o.host));
      co_await s->async_handshake(ssl::stream_base::client, net::use_awaitable);
    }
    co_return c;
  }

  net::awaitable<http::response<http::string_body>> exchange(
      PooledConnection& c, http::request<http::string_body>& req) {
    http::response<http::string_body> res;
    c.tcp().expires_after(timeout);
    if (auto* plain = std::get_if<beast::tcp_stream>(&c.stream)) {
      co_await write_then_read(*plain, c.buffer, req, res);
    } else {
      co_await write_then_read(std::get<beast::ssl_stream<beast::tcp_stream>>(c.stream), c.buffer,
                               req, res);
    }
    c.tcp().expires_never();
    co_return res;
  }
};

HttpClient::HttpClient(net::any_io_executor executor, ssl::context& tls,
                       std::chrono::milliseconds timeout, std::optional<ProxySettings> proxy)
    : impl_(new Impl{std::move(executor), tls, timeout, std::move(proxy), {}}) {}

HttpClient::~HttpClient() = default;

net::awaitable<HttpResponse> HttpClient::send(HttpRequest request) {
  Origin origin = parse_origin(request.url);
  http::request<http::string_body> req;
  req.method(request.method == "GET" ? http::verb::get : http::verb::post);
  req.target(origin.target);
  req.version(11);
  req.set(http::field::host, (origin.port == (origin.tls ? "443" : "80"))
                                 ? origin.host
                                 : origin.host + ":" + origin.port);
  req.set(http::field::user_agent, "itpm-bot/" ITPM_VERSION);
  req.keep_alive(true);
  for (const auto& [name, value] : request.headers) req.set(name, value);
  bool request_idempotent = request.idempotent;
  req.body() = std::move(request.body);
  req.prepare_payload();

  auto& pool = impl_->idle[origin.key()];
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<PooledConnection> conn;
    bool reused = false;
    // A connection idle for long may have been closed by the server meanwhile; a request that
    // must not be repeated does not risk it (the retry below is only for idempotent ones).
    while (!pool.empty() && !request_idempotent &&
           std::chrono::steady_clock::now() - pool.back()->idle_since > fresh_enough) {
      pool.pop_back();
    }
    if (!pool.empty() && attempt == 0) {
      conn = std::move(pool.back());
      pool.pop_back();
      reused = true;
    } else {
      conn = co_await impl_->connect(origin);
    }
    http::response<http::string_body> res;
    try {
      res = co_await impl_->exchange(*conn, req);
    } catch (const boost::system::system_error&) {
      // A kept-alive connection the server has since closed fails at once; retry on a fresh one.
      if (reused && request_idempotent) continue;
      throw;
    }
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    out.retry_after = std::string(res[http::field::retry_after]);
    out.oauth_scopes = std::string(res["x-oauth-scopes"]);
    out.body = std::move(res.body());
    if (res.keep_alive()) {
      conn->idle_since = std::chrono::steady_clock::now();
      pool.push_back(std::move(conn));
    }
    co_return out;
  }
}

}  // namespace itpm::bot
