#pragma once

#include "bot/ops/metrics.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace itpm::bot {

// What a page under /dashboard/ comes to (rendered elsewhere, possibly on another thread).
struct PageAnswer {
  int status = 200;
  std::string html;
  std::string label;  // for itpm_dashboard_requests_total{page}
};
using PageSource = std::function<boost::asio::awaitable<PageAnswer>(std::string target)>;

// GET /healthz (200 while running), /readyz (200 while `not_ready()` is empty, else 503 with
// its reason), /metrics (Prometheus text) and, once set_pages() is called, the dashboard's
// pages under /dashboard/ (HTML, never cached, under a strict Content-Security-Policy, counted
// in itpm_dashboard_requests_total). HEAD is answered as GET without the body; anything but
// GET and HEAD is 405; a request body over 1 KiB closes the connection. Everything else is
// 404. At most `max_connections` are served at once (more are closed at once), at most
// `max_pages_waiting` pages are rendered or wait for it (more get 503 and Retry-After), and a
// failing accept (out of descriptors) is retried after a growing pause instead of spinning.
class HttpListener {
 public:
  static constexpr int max_connections = 32;
  static constexpr int max_pages_waiting = 4;

  // Binds `host_port` ("127.0.0.1:9464"; port 0 picks a free one). Throws
  // boost::system::system_error if it cannot bind.
  HttpListener(boost::asio::any_io_executor executor, const std::string& host_port,
               std::function<std::string()> not_ready, Metrics& metrics);
  ~HttpListener();

  // Serves the dashboard's pages from `pages` (before start()).
  void set_pages(PageSource pages);

  // Starts accepting; stop() closes the acceptor.
  void start();
  void stop();
  [[nodiscard]] std::uint16_t port() const;

  struct Impl;  // shared with the connection coroutines, which outlive no listener call

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace itpm::bot
