#pragma once

#include "bot/ops/metrics.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace itpm::bot {

// GET /healthz (200 while running), /readyz (200 while `ready()` is true, else 503) and
// /metrics (Prometheus text). Everything else is 404.
class HttpListener {
 public:
  // Binds `host_port` ("127.0.0.1:9464"; port 0 picks a free one). Throws
  // boost::system::system_error if it cannot bind.
  HttpListener(boost::asio::any_io_executor executor, const std::string& host_port,
               std::function<bool()> ready, Metrics& metrics);
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
