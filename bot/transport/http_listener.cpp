#include "bot/transport/http_listener.hpp"

#include "bot/transport/url_checks.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>

namespace itpm::bot {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

struct HttpListener::Impl {
  tcp::acceptor acceptor;
  std::function<std::string()> not_ready;
  Metrics& metrics;
  int connections = 0;

  http::response<http::string_body> answer(const http::request<http::string_body>& req) const {
    http::response<http::string_body> res;
    res.version(req.version());
    res.keep_alive(req.keep_alive());
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    std::string_view target = req.target();
    target = target.substr(0, target.find('?'));
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      res.result(http::status::method_not_allowed);
      res.body() = "GET only\n";
    } else if (target == "/healthz") {
      res.result(http::status::ok);
      res.body() = "ok\n";
    } else if (target == "/readyz") {
      std::string why = not_ready();
      res.result(why.empty() ? http::status::ok : http::status::service_unavailable);
      res.body() = why.empty() ? "ready\n" : "not ready: " + why + "\n";
    } else if (target == "/metrics") {
      res.result(http::status::ok);
      res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      res.body() = metrics.render();
    } else {
      res.result(http::status::not_found);
      res.body() = "not found; try /healthz, /readyz or /metrics\n";
    }
    res.prepare_payload();
    return res;
  }
};

namespace {

net::awaitable<void> serve(std::shared_ptr<HttpListener::Impl> impl, tcp::socket socket) {
  struct Counted {
    explicit Counted(int& n) : count(n) { ++count; }
    ~Counted() { --count; }
    Counted(const Counted&) = delete;
    Counted& operator=(const Counted&) = delete;
    int& count;
  } counted(impl->connections);
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> req;
    stream.expires_after(std::chrono::seconds(30));
    auto [ec, n] =
        co_await http::async_read(stream, buffer, req, net::as_tuple(net::use_awaitable));
    if (ec) break;
    auto res = impl->answer(req);
    auto [wec, wn] = co_await http::async_write(stream, res, net::as_tuple(net::use_awaitable));
    if (wec || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

net::awaitable<void> accept_loop(std::shared_ptr<HttpListener::Impl> impl) {
  net::steady_timer pause(impl->acceptor.get_executor());
  int failures = 0;  // accepts in a row that failed
  for (;;) {
    auto [ec, socket] = co_await impl->acceptor.async_accept(net::as_tuple(net::use_awaitable));
    if (ec == net::error::operation_aborted || !impl->acceptor.is_open()) co_return;
    if (ec) {
      // Out of descriptors (EMFILE) and the like: the connection waits in the backlog; wait
      // for one to close instead of spinning on the error.
      if (failures++ == 0) spdlog::warn("HTTP listener: accept failed: {}", ec.message());
      pause.expires_after(std::chrono::milliseconds(50 * std::min(failures, 20)));
      co_await pause.async_wait(net::as_tuple(net::use_awaitable));
      continue;
    }
    failures = 0;
    if (impl->connections >= HttpListener::max_connections) {
      beast::error_code ignored;
      socket.close(ignored);  // a scraper holding many connections must not starve the rest
      continue;
    }
    net::co_spawn(impl->acceptor.get_executor(), serve(impl, std::move(socket)), net::detached);
  }
}

}  // namespace

HttpListener::HttpListener(net::any_io_executor executor, const std::string& host_port,
                           std::function<std::string()> not_ready, Metrics& metrics)
    : impl_(
          std::make_shared<Impl>(Impl{tcp::acceptor(executor), std::move(not_ready), metrics, 0})) {
  // Checked by load_config: HOST:PORT.
  auto listen = parse_host_port(host_port).value_or(HostPort{});
  tcp::resolver resolver(executor);
  auto endpoint = resolver.resolve(listen.host, std::to_string(listen.port), tcp::resolver::passive)
                      .begin()
                      ->endpoint();
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
}

HttpListener::~HttpListener() {
  stop();
}

void HttpListener::start() {
  net::co_spawn(impl_->acceptor.get_executor(), accept_loop(impl_), net::detached);
}

void HttpListener::stop() {
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
}

std::uint16_t HttpListener::port() const {
  return impl_->acceptor.local_endpoint().port();
}

}  // namespace itpm::bot
