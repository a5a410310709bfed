// Egress through an HTTP proxy (HTTPS_PROXY, NO_PROXY): the real bot reaches the simulator's
// Web API and Socket Mode WebSocket through a CONNECT tunnel of a small proxy on loopback, TLS
// verified end to end as without one.
#include "tests/support/bot_run.hpp"
#include "tests/support/command_fixture.hpp"
#include "tests/support/connect_proxy.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using itpm::test::BotRun;
using itpm::test::ConnectProxy;
using itpm::test::contains;

TEST_CASE("the bot reaches Slack through the HTTPS_PROXY tunnel", "[integration]") {
  auto sim = itpm::test::make_sim();
  ConnectProxy proxy;
  std::string url = "http://itpm:s3cret@127.0.0.1:" + std::to_string(proxy.port());
  BotRun bot(*sim, {{"HTTPS_PROXY", url}});
  bool hello = bot.wait_hellos(1);
  INFO(bot.process().output());
  REQUIRE(hello);
  CHECK(contains(bot.command("help"), "risk"));
  // The Web API and the WebSocket both went through it, to the simulator, with credentials.
  REQUIRE(proxy.wait_for_tunnels(2, 10s));
  std::string simulator = "127.0.0.1:" + std::to_string(sim->port());
  for (const auto& t : proxy.tunnels()) {
    CHECK(t.target == simulator);
    CHECK(t.authorization == "Basic aXRwbTpzM2NyZXQ=");  // itpm:s3cret
  }
  REQUIRE(bot.terminate() == std::optional<int>(0));
  std::string log = bot.process().output();
  CHECK(contains(log, "through the proxy http://itpm@127.0.0.1:" + std::to_string(proxy.port())));
  CHECK_FALSE(contains(log, "s3cret"));
}

TEST_CASE("NO_PROXY hosts go direct", "[integration]") {
  auto sim = itpm::test::make_sim();
  ConnectProxy proxy;
  BotRun bot(*sim, {{"HTTPS_PROXY", "http://127.0.0.1:" + std::to_string(proxy.port())},
                    {"NO_PROXY", "localhost, 127.0.0.1"}});
  REQUIRE(bot.wait_hellos(1));
  CHECK(contains(bot.command("whoami"), "<@U0DEMO1>"));
  CHECK(proxy.tunnels().empty());
}

TEST_CASE("a proxy that refuses the tunnel is named in the log and nothing reaches Slack",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  ConnectProxy proxy(407);
  BotRun bot(*sim, {{"HTTPS_PROXY", "http://127.0.0.1:" + std::to_string(proxy.port())}});
  CHECK(bot.process().wait_for_output("the proxy asks for credentials (HTTP 407)", 15s));
  CHECK(sim->snapshot().calls.empty());
  REQUIRE(bot.terminate() == std::optional<int>(0));
}
