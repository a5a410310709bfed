// The Web API client in-process against the simulator over TLS: methods, argument encodings,
// typed errors, retries.
#include "bot/slack/web_api_client.hpp"
#include "bot/transport/http_client.hpp"
#include "tests/support/bot_run.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

namespace net = boost::asio;
using itpm::bot::ApiResult;
using itpm::bot::CallOptions;
using itpm::bot::WebApiClient;
using itpm::sim::Snapshot;
using namespace std::chrono_literals;

namespace {

struct Calls {
  ApiResult user;
  ApiResult permalink;
  ApiResult ephemeral;
  ApiResult wrong_channel;
  ApiResult opened;
};

using Args = std::vector<std::pair<std::string, std::string>>;

// Arguments are built in their own statements: GCC 12 cannot keep an initializer list alive
// across co_await.
net::awaitable<void> make_calls(WebApiClient& api, Calls& out) {
  Args user = {{"user", "U0DEMO2"}};
  out.user = co_await api.call_form("users.info", std::move(user), CallOptions{}, true);
  Args permalink = {{"channel", "C0DEMO1"}, {"message_ts", "1700000000.000100"}};
  out.permalink =
      co_await api.call_form("chat.getPermalink", std::move(permalink), CallOptions{}, true);
  nlohmann::json ephemeral = {{"channel", "C0DEMO1"}, {"user", "U0DEMO1"}, {"text", "only you"}};
  out.ephemeral = co_await api.call_json("chat.postEphemeral", std::move(ephemeral));
  nlohmann::json bad = {{"channel", "not-a-channel"}, {"text", "x"}};
  out.wrong_channel = co_await api.post_message(std::move(bad));
  out.opened = co_await api.call_form("apps.connections.open", Args{}, CallOptions{true, 1});
}

net::awaitable<ApiResult> respond_to(WebApiClient& api, std::string url) {
  nlohmann::json reply = {{"text", "the register"}};
  co_return co_await api.respond(std::move(url), std::move(reply));
}

net::awaitable<ApiResult> call_auth_test(WebApiClient& api) {
  co_return co_await api.call_form("auth.test", Args{}, CallOptions{false, 2});
}

struct Client {
  explicit Client(const std::string& api_url, const std::string& ca_pem,
                  const itpm::sim::SimOptions& o)
      : tls(net::ssl::context::tls_client),
        http(ioc.get_executor(), tls, 5s),
        api(ioc.get_executor(), http, api_url, o.bot_token, o.app_token, metrics) {
    tls.set_verify_mode(net::ssl::verify_peer);
    if (!ca_pem.empty()) tls.add_certificate_authority(net::buffer(ca_pem));
  }
  // Runs `work` to completion (bounded in time) and returns its result.
  template <class T>
  T run(net::awaitable<T> work) {
    auto done = net::co_spawn(ioc, std::move(work), net::use_future);
    ioc.restart();
    ioc.run_for(30s);
    REQUIRE(done.wait_for(0s) == std::future_status::ready);
    return done.get();
  }

  net::io_context ioc;
  net::ssl::context tls;
  itpm::bot::Metrics metrics;
  itpm::bot::HttpClient http;
  WebApiClient api;
};

}  // namespace

TEST_CASE("read methods go as GET with a query, write methods as JSON, errors come back typed",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  Client client(sim->api_url(), sim->cert_pem(), sim->options());
  Calls calls;
  client.run(make_calls(client.api, calls));

  CHECK(calls.user.ok);
  CHECK(calls.user.body["user"]["tz"] == "America/Los_Angeles");
  CHECK(calls.permalink.ok);
  CHECK(calls.permalink.body["permalink"] ==
        "https://sim.slack.local/archives/C0DEMO1/p1700000000000100");
  CHECK(calls.ephemeral.ok);
  CHECK_FALSE(calls.wrong_channel.ok);
  CHECK(calls.wrong_channel.error == "channel_not_found");
  REQUIRE(calls.opened.ok);
  // Slack escapes the slashes in the URL; the client reads them back unescaped.
  CHECK(calls.opened.body["url"].get<std::string>().starts_with("wss://127.0.0.1:"));

  Snapshot s = sim->snapshot();
  CHECK(s.ok_calls("users.info").size() == 1);
  CHECK(s.ok_calls("chat.postEphemeral").front()->content_type ==
        "application/json; charset=utf-8");
  CHECK(client.metrics.value("itpm_web_api_calls_total",
                             {{"method", "users.info"}, {"result", "ok"}}) == 1);
  CHECK(client.metrics.value("itpm_web_api_calls_total", {{"method", "chat.postMessage"},
                                                          {"result", "channel_not_found"}}) == 1);
}

TEST_CASE("an unreachable API is a network_error after bounded retries", "[integration]") {
  // A port bound but not listening: connections are refused, and no other test's simulator
  // can take the port while this socket holds it.
  net::io_context scratch;
  net::ip::tcp::socket holder(scratch);
  holder.open(net::ip::tcp::v4());
  holder.bind(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  std::string url = "http://127.0.0.1:" + std::to_string(holder.local_endpoint().port()) + "/api/";
  Client client(url, "", itpm::sim::SimOptions{});
  ApiResult r = client.run(call_auth_test(client.api));
  CHECK_FALSE(r.ok);
  CHECK(r.error == "network_error");
}

TEST_CASE("a certificate the client does not trust is refused", "[integration]") {
  auto sim = itpm::test::make_sim();
  Client client(sim->api_url(), "", sim->options());  // no CA: the simulator's cert is unknown
  ApiResult r = client.run(call_auth_test(client.api));
  CHECK_FALSE(r.ok);
  CHECK(r.error == "network_error");
  CHECK(sim->snapshot().calls.empty());
}

TEST_CASE("a response_url is followed only over https", "[integration]") {
  auto sim = itpm::test::make_sim();
  Client client(sim->api_url(), sim->cert_pem(), sim->options());
  for (const char* url :
       {"http://127.0.0.1:1/commands/T1/1/x", "http://hooks.example/commands/x",
        "ftp://hooks.example/x", "https://127.0.0.1.evil.example/x", "not a url"}) {
    INFO(url);
    CHECK(client.run(respond_to(client.api, url)).error == "response_url_refused");
  }
  CHECK(sim->snapshot().calls.empty());  // nothing was sent anywhere
}
