// Web API behaviour through the real bot: rate limits and follow-up posts.
#include "tests/support/bot_run.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using itpm::sim::Snapshot;
using itpm::test::BotRun;

TEST_CASE("429 on chat.postMessage is retried after Retry-After", "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  sim->rate_limit_next("chat.postMessage", 1, 2);
  nlohmann::json dm = {{"type", "message"}, {"channel_type", "im"},      {"user", "U0DEMO3"},
                       {"text", "hello"},   {"ts", "1700000000.000300"}, {"channel", "D0DEMO3"}};
  REQUIRE_FALSE(sim->send_event(dm).empty());
  REQUIRE(sim->wait_for(
      [](const Snapshot& s) { return s.ok_calls("chat.postMessage").size() == 1; }, 15s));
  Snapshot s = sim->snapshot();
  std::vector<itpm::sim::ApiCall> posts;
  for (const auto& c : s.calls) {
    if (c.method == "chat.postMessage") posts.push_back(c);
  }
  REQUIRE(posts.size() == 2);
  CHECK(posts[0].status == 429);
  CHECK(posts[1].at - posts[0].at >= 2s);  // Retry-After: 2
  const auto* post = s.ok_calls("chat.postMessage").front();
  CHECK(post->args.value("channel", "") == "D0DEMO3");
  CHECK(post->content_type == "application/json; charset=utf-8");
}

TEST_CASE("a reply that cannot ride on the ack goes to response_url", "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  itpm::sim::SlashCommand cmd;
  cmd.text = "whoami";
  cmd.accepts_response_payload = false;
  std::string id = sim->send_slash_command(cmd);
  REQUIRE(sim->wait_for(
      [&](const Snapshot& s) {
        return s.ok_calls("response_url").size() == 1 && s.ack_for(id) != nullptr;
      },
      10s));
  Snapshot s = sim->snapshot();
  REQUIRE(s.ack_for(id) != nullptr);
  CHECK(s.ack_for(id)->payload.is_null());
  CHECK(s.ok_calls("response_url").front()->args.value("text", "").find("<@U0DEMO1>") !=
        std::string::npos);
}

TEST_CASE("posts waiting out a rate limit hold no slot: a later post goes out meanwhile",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  // As many posts as the bot sends at once, each told to wait half a minute.
  constexpr int slots = 16;
  sim->rate_limit_next("chat.postMessage", slots, 30);
  auto dm_from = [&](int person) {
    std::string id = fmt::format("U0P{:02}", person);
    nlohmann::json dm = {{"type", "message"}, {"channel_type", "im"},      {"user", id},
                         {"text", "hello"},   {"ts", "1700000000.000300"}, {"channel", "D" + id}};
    REQUIRE_FALSE(sim->send_event(dm).empty());
  };
  for (int person = 1; person <= slots; ++person) dm_from(person);
  auto limited = [](const Snapshot& s) {
    int n = 0;
    for (const auto& c : s.calls) n += c.method == "chat.postMessage" && c.status == 429 ? 1 : 0;
    return n;
  };
  REQUIRE(sim->wait_for([&](const Snapshot& s) { return limited(s) == slots; }, 15s));
  dm_from(slots + 1);
  REQUIRE(sim->wait_for(
      [](const Snapshot& s) { return s.ok_calls("chat.postMessage").size() == 1; }, 15s));
  // The one that went out is the later post: the others are still waiting out their limit.
  Snapshot s = sim->snapshot();
  CHECK(s.ok_calls("chat.postMessage").front()->args.value("channel", "") ==
        fmt::format("DU0P{:02}", slots + 1));
  CHECK(bot.terminate() == std::optional<int>(0));
}
