// itpm-null-client: the transport limit. The bot's own Socket Mode client (apps.connections.open,
// the same TLS WebSocket, the same frame parsing) with a handler that acks every envelope at
// once and does nothing else: no command handling, no store, no Web API calls.
// Reads SLACK_API_URL, SLACK_APP_TOKEN, SLACK_BOT_TOKEN and SSL_CERT_FILE like the bot; stops
// on SIGTERM or SIGINT. With ITPM_NULL_ACK_BYTES=N, each ack carries a canned reply of list
// lines (emoji, quotes, mentions) making the ack about N bytes: what Slack's side pays to
// receive a reply that size, with nothing computed for it.
#include "bot/ops/metrics.hpp"
#include "bot/slack/socket_mode_client.hpp"
#include "bot/slack/web_api_client.hpp"
#include "bot/transport/http_client.hpp"
#include "bot/transport/tls_context.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

namespace net = boost::asio;
using namespace itpm::bot;

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

// An ephemeral reply of list-like lines whose ack frame is about `bytes` long.
std::optional<nlohmann::json> canned_reply(std::size_t bytes) {
  if (bytes == 0) return std::nullopt;
  const std::string line =
      "\U0001F7E1 *R-12* 6 medium \u00b7 dr-2027 \u00b7 \u201cFailover runbook untested\u201d "
      "\u00b7 owner <@U0DEMO1>\n";
  nlohmann::json reply = {{"response_type", "ephemeral"}, {"text", ""}};
  constexpr std::size_t envelope_overhead = 64;  // {"envelope_id":"…","payload":…}
  std::string text;
  while (reply.dump().size() + envelope_overhead < bytes) {
    text += line;
    reply["text"] = text;
  }
  return reply;
}

}  // namespace

int main() {
  net::io_context ioc(1);
  auto tls = make_client_tls_context();
  Metrics metrics;
  HttpClient http(ioc.get_executor(), *tls, std::chrono::seconds(15));
  WebApiClient api(ioc.get_executor(), http, env("SLACK_API_URL"), env("SLACK_BOT_TOKEN"),
                   env("SLACK_APP_TOKEN"), metrics);
  SocketModeClient::Options options;
  options.allow_plain_ws = env("SLACK_API_URL").starts_with("http://");
  SocketModeClient client(
      ioc.get_executor(), *tls, api, options,
      [reply = canned_reply(std::strtoul(env("ITPM_NULL_ACK_BYTES").c_str(), nullptr, 10))](
          const Envelope&, const Ack& ack) { ack(reply); },
      metrics);
  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) client.stop();
  });
  int exit_code = 1;
  net::co_spawn(ioc, client.run(), [&](std::exception_ptr e, int code) {
    exit_code = e ? 1 : code;
    ioc.stop();
  });
  ioc.run();
  return exit_code;
}
