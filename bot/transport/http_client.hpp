#pragma once

#include "bot/transport/proxy.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace itpm::bot {

struct HttpRequest {
  std::string method = "POST";
  std::string url;  // http:// or https://
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // False: the request must not be sent twice (a post). A kept-alive connection that fails
  // is then not retried on a fresh one, since the server may have acted before it closed.
  bool idempotent = true;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string retry_after;   // the Retry-After header, if any
  std::string oauth_scopes;  // Slack's X-OAuth-Scopes header: the token's scopes, comma-separated
};

// An HTTP/1.1 client that keeps connections alive per origin and reuses them.
// TLS peers are verified with the given context (SNI and host name checks). https:// requests
// go through `proxy` (a CONNECT tunnel) unless its NO_PROXY list names the host.
class HttpClient {
 public:
  HttpClient(boost::asio::any_io_executor executor, boost::asio::ssl::context& tls,
             std::chrono::milliseconds timeout, std::optional<ProxySettings> proxy = std::nullopt);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request. A request that fails on a reused connection (the server closed it
  // meanwhile) is retried once on a fresh one. Throws boost::system::system_error on network
  // errors and timeouts, std::invalid_argument for a URL it cannot use.
  boost::asio::awaitable<HttpResponse> send(HttpRequest request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace itpm::bot
