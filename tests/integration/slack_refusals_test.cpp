// Slack refusing the bot, against the real binary and the simulator: a bot token that does not
// work at start-up, and one revoked while the bot runs.
#include "tests/support/bot_run.hpp"
#include "tests/support/http_get.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using itpm::sim::Snapshot;
using itpm::test::BotRun;

namespace {

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

bool posted(const Snapshot& s, const std::string& part) {
  for (const auto* call : s.ok_calls("chat.postMessage")) {
    if (call->args.value("text", "").find(part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a bot token Slack refuses exits 3 naming SLACK_BOT_TOKEN, before Socket Mode connects",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim, {{"SLACK_BOT_TOKEN", "xoxb-1-simulated-bot-token-9999"}});
  auto status = bot.process().wait_exit(15s);
  REQUIRE(status.has_value());
  CHECK(*status == 3);
  std::string out = bot.process().output();
  CHECK(occurrences(out, "SLACK_BOT_TOKEN was refused by Slack (invalid_auth)") == 1);
  CHECK(out.find("token-9999") == std::string::npos);
  auto s = sim->snapshot();
  CHECK(s.count_calls("auth.test") == 1);
  // Before: the bot connected, said it was ready, and every post failed.
  CHECK(s.count_calls("apps.connections.open") == 0);
}

TEST_CASE("a bot token revoked mid-run: not ready, said once, and posts wait for the next start",
          "[integration]") {
  itpm::test::TempDir dir;
  auto data = dir.path() / "data";
  {
    auto sim = itpm::test::make_sim();
    BotRun bot(*sim, {}, {}, data);
    REQUIRE(bot.wait_hellos(1));
    auto port = bot.http_port();
    CHECK(itpm::test::http_get(port, "/readyz").status == 200);
    bot.command(R"(program add dr-2027 "Disaster Recovery 2027")");

    // Slack's tokens_revoked event: acked, and the bot is no longer ready.
    auto acks = sim->snapshot().acks.size();
    sim->revoke_bot_token();
    REQUIRE(sim->wait_for([&](const Snapshot& s) { return s.acks.size() > acks; }, 10s));
    auto ready = itpm::test::http_get(port, "/readyz");
    CHECK(ready.status == 503);
    CHECK(ready.body.find("the bot token was refused (tokens_revoked)") != std::string::npos);

    // A decision's post meets token_revoked: kept, not dropped, and not reported again.
    bot.command(R"(decision add "Use Patroni for automated failover" --program dr-2027)");
    REQUIRE(sim->wait_for(
        [](const Snapshot& s) {
          for (const auto& call : s.calls) {
            if (call.method == "chat.postMessage" && call.error == "token_revoked") return true;
          }
          return false;
        },
        10s));
    REQUIRE(bot.terminate() == 0);
    CHECK(occurrences(bot.process().output(), "no longer accepts the bot token") == 1);
  }
  // Restarted with a working token (a new install): the post goes out.
  auto sim = itpm::test::make_sim();
  BotRun again(*sim, {}, {}, data);
  REQUIRE(again.wait_hellos(1));
  CHECK(sim->wait_for(
      [](const Snapshot& s) { return posted(s, "Use Patroni for automated failover"); }, 15s));
}

TEST_CASE("only the bot's own messages prove a post went out; its keys are unguessable",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  bot.command(R"(program add dr-2027 "Disaster Recovery 2027")");
  // The answer to the post is lost, and what the channel shows carrying its key is a person's
  // message: the bot must post again. Before: it trusted the key and never posted.
  sim->lose_answers("chat.postMessage", 1);
  sim->store_next_posts_as("U0DEMO2", 1);
  bot.command(R"(decision add "Use Patroni for automated failover" --program dr-2027)");
  // Once posted for sure, the bot asks for the permalink.
  REQUIRE(sim->wait_for([](const Snapshot& s) { return !s.ok_calls("chat.getPermalink").empty(); },
                        30s));
  auto s = sim->snapshot();
  CHECK(s.count_calls("conversations.history") >= 1);
  std::vector<std::string> keys;
  for (const auto& call : s.calls) {
    if (call.method != "chat.postMessage") continue;
    keys.push_back(
        call.args.value(nlohmann::json::json_pointer("/metadata/event_payload/key"), ""));
  }
  REQUIRE(keys.size() == 2);
  CHECK(keys[0] == keys[1]);  // one post, tried twice
  // 128 random bits, not the outbox row number ("o2") it used to be.
  CHECK(keys[0].size() == 33);
  CHECK(keys[0].find_first_not_of("0123456789abcdef", 1) == std::string::npos);
}
