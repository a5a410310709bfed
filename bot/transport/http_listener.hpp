#pragma once

#include "bot/ops/metrics.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace itpm::bot {

// GET /healthz (200 while running), /readyz (200 while `not_ready()` is empty, else 503 with
// its reason) and /metrics (Prometheus text). Everything else is 404. At most
// `max_connections` are served at once (more are closed at once), and a failing accept (out
// of descriptors) is retried after a growing pause instead of spinning.
class HttpListener {
 public:
  static constexpr int max_connections = 32;

  // Binds `host_port` ("127.0.0.1:9464"; port 0 picks a free one). Throws
  // boost::system::system_error if it cannot bind.
  HttpListener(boost::asio::any_io_executor executor, const std::string& host_port,
               std::function<std::string()> not_ready, Metrics& metrics);
  ~HttpListener();

  // Starts accepting; stop() closes the acceptor.
  void start();
  void stop();
  [[nodiscard]] std::uint16_t port() const;

  struct Impl;  // shared with the connection coroutines, which outlive no listener call

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace itpm::bot
