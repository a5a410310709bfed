#include "bot/ops/healthcheck.hpp"

#include "bot/ops/exit_code.hpp"
#include "bot/transport/http_client.hpp"
#include "bot/transport/url_checks.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/system_error.hpp>

#include <iostream>
#include <optional>

namespace itpm::bot {
namespace {

namespace net = boost::asio;

net::awaitable<HttpResponse> ask(HttpClient* client, std::string url) {
  HttpRequest request;
  request.method = "GET";
  request.url = std::move(url);
  co_return co_await client->send(std::move(request));
}

}  // namespace

int run_healthcheck(const std::string& http_listen) {
  auto listen = parse_host_port(http_listen);
  if (!listen || listen->port == 0) {
    std::cerr << "itpm-bot healthcheck: ITPM_HTTP_LISTEN must be HOST:PORT with a fixed port, got "
              << http_listen << "\n";
    return exit_config_error;
  }
  std::string host = listen->host;
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  auto port = listen->port;

  net::io_context ioc(1);
  net::ssl::context tls(net::ssl::context::tls_client);  // plain http: never used
  HttpClient client(ioc.get_executor(), tls, std::chrono::seconds(5));
  std::optional<HttpResponse> answer;
  std::string error;
  net::co_spawn(ioc, ask(&client, "http://" + host + ":" + std::to_string(port) + "/readyz"),
                [&](std::exception_ptr e, HttpResponse response) {
                  if (!e) {
                    answer = std::move(response);
                    return;
                  }
                  try {
                    std::rethrow_exception(e);
                  } catch (const boost::system::system_error& se) {
                    error = se.code().message();
                  } catch (const std::exception& ex) {
                    error = ex.what();
                  }
                });
  ioc.run_for(std::chrono::seconds(6));
  if (!answer) {
    std::cerr << "itpm-bot healthcheck: no answer from " << host << ":" << port << " ("
              << (error.empty() ? "timed out" : error) << ")\n";
    return 1;
  }
  std::string body = answer->body.substr(0, answer->body.find('\n'));
  if (answer->status == 200) {
    std::cout << body << "\n";
    return exit_ok;
  }
  std::cerr << "itpm-bot healthcheck: " << (body.empty() ? "not ready" : body) << " (HTTP "
            << answer->status << ")\n";
  return 1;
}

}  // namespace itpm::bot
