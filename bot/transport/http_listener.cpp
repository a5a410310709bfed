#include "bot/transport/http_listener.hpp"

#include "bot/transport/url_checks.hpp"
#include "commands/dashboard/html.hpp"

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
  PageSource pages;
  int pages_waiting = 0;

  // A dashboard page (or why there is none) as an HTTP answer: never cached, no referrer, not
  // framed, nothing but its own stylesheet.
  static void page_headers(http::response<http::string_body>& res) {
    res.set(http::field::content_type, "text/html; charset=utf-8");
    res.set(http::field::cache_control, "no-store");
    res.set("Content-Security-Policy", commands::dashboard::content_security_policy());
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "no-referrer");
    res.set("X-Frame-Options", "DENY");
  }

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

bool is_page(const http::request<http::string_body>& req) {
  return req.target().starts_with("/dashboard/") &&
         (req.method() == http::verb::get || req.method() == http::verb::head);
}

// Renders the page on the site's thread, and counts the visit: by page and by result.
net::awaitable<http::response<http::string_body>> page_answer(
    std::shared_ptr<HttpListener::Impl> impl, http::request<http::string_body> req) {
  http::response<http::string_body> res;
  res.version(req.version());
  res.keep_alive(req.keep_alive());
  HttpListener::Impl::page_headers(res);
  PageAnswer answer;
  if (impl->pages_waiting >= HttpListener::max_pages_waiting) {
    // A flood of page loads must not queue up work for the thread commands share.
    answer = {503, "<!DOCTYPE html><title>Busy</title><p>Busy; try again in a moment.</p>", "busy"};
    res.set(http::field::retry_after, "2");
  } else {
    ++impl->pages_waiting;
    std::string target(req.target());
    try {
      answer = co_await impl->pages(std::move(target));
    } catch (const std::exception& e) {
      spdlog::error("dashboard page {} failed: {}", std::string(req.target().substr(0, 80)),
                    e.what());
      answer = {500, "<!DOCTYPE html><title>Error</title><p>The page could not be made.</p>",
                "error"};
    }
    --impl->pages_waiting;
  }
  std::string result = answer.status == 200   ? "ok"
                       : answer.status == 403 ? "forbidden"
                       : answer.status == 404 ? "not_found"
                                              : "error";
  impl->metrics.add("itpm_dashboard_requests_total", {{"page", answer.label}, {"result", result}});
  res.result(static_cast<http::status>(answer.status));
  res.body() = std::move(answer.html);
  res.prepare_payload();
  co_return res;
}

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
    http::request_parser<http::string_body> parser;
    parser.header_limit(8 * 1024);
    parser.body_limit(1024);  // GET and HEAD carry none
    stream.expires_after(std::chrono::seconds(30));
    auto [ec, n] =
        co_await http::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
    if (ec) break;
    http::request<http::string_body> req = parser.release();
    bool head = req.method() == http::verb::head;
    http::response<http::string_body> res;
    if (impl->pages && is_page(req)) {
      res = co_await page_answer(impl, std::move(req));
    } else {
      res = impl->answer(req);
    }
    if (head) {
      // The same headers, Content-Length included, and no body.
      auto length = res.body().size();
      res.body().clear();
      res.content_length(length);
    }
    stream.expires_after(std::chrono::seconds(30));
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
    : impl_(std::make_shared<Impl>(
          Impl{tcp::acceptor(executor), std::move(not_ready), metrics, 0, {}, 0})) {
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

void HttpListener::set_pages(PageSource pages) {
  impl_->pages = std::move(pages);
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
