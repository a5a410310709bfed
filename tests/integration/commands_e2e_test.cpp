// The command areas end to end: the real bot process, the simulator over a TLS WebSocket,
// and the bot's own RocksDB, across a restart.
#include "tests/support/bot_run.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using itpm::sim::ApiCall;
using itpm::sim::Snapshot;
using itpm::test::BotRun;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The first successful chat.postMessage into `channel` whose text holds `part`, if any.
std::optional<ApiCall> posted(const Snapshot& s, const std::string& channel,
                              const std::string& part) {
  for (const ApiCall* call : s.ok_calls("chat.postMessage")) {
    if (call->args.value("channel", "") == channel && contains(call->args.value("text", ""), part))
      return *call;
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE(
    "program, critical risk with its DM, decision with its permalink; all kept across a "
    "restart",
    "[integration]") {
  auto sim = itpm::test::make_sim();
  itpm::test::TempDir data;
  auto db = data.path() / "db";
  {
    BotRun bot(*sim, {}, {}, db);
    REQUIRE(bot.wait_hellos(1));
    std::string added =
        bot.command(R"(program add dr-2027 "Disaster Recovery 2027" --sponsor @carol)");
    CHECK(contains(added, "Program *dr-2027*"));
    CHECK(contains(added, "sponsor <@U0DEMO3>"));

    std::string risk = bot.command(
        R"(risk add "Primary DB failover untested" --program dr-2027 --likelihood 4 --impact 5 --owner @dave --due fri)");
    CHECK(contains(risk, "*R-1* · critical (score 20 = L4 × I5)"));
    CHECK(contains(risk, "Escalation ladder started: <@U0DEMO4> notified now"));
    // Level 1: the owner's DM, through conversations.open.
    REQUIRE(sim->wait_for(
        [](const Snapshot& s) {
          return posted(s, "D0DEMO4", "You own a critical risk: R-1").has_value();
        },
        10s));
    CHECK(sim->snapshot().count_calls("conversations.open") == 1);
    // The caller's zone was asked for once and then cached.
    CHECK(sim->snapshot().count_calls("users.info") == 1);

    // A decision is posted in the channel as its own message; its permalink is stored.
    std::string ack = bot.command(
        R"(decision add "Use Patroni for automated failover" --program dr-2027 --decided-by @carol,@alice --context "Evaluated pg_auto_failover and Stolon")");
    CHECK(ack.empty());
    REQUIRE(sim->wait_for(
        [](const Snapshot& s) {
          return posted(s, "C0DEMO1", "*D-1* · dr-2027 · Use Patroni").has_value() &&
                 !s.ok_calls("chat.getPermalink").empty();
        },
        10s));
    std::string found = bot.command("decision search failover patroni");
    CHECK(contains(found, "*1 decision matches*"));
    CHECK(contains(found, "*D-1*"));

    CHECK(contains(bot.command(R"(risk add "x" --program dr-2027 --likelihood 9 --impact 1)"),
                   "--likelihood must be 1–5 (got 9). Nothing was saved."));
    REQUIRE(bot.terminate() == std::optional<int>(0));
  }
  // A new process on the same data: everything is still there, and nothing is sent twice.
  BotRun again(*sim, {}, {}, db);
  REQUIRE(again.wait_hellos(2));
  std::string risks = again.command("risk list");
  CHECK(contains(risks, "*1 open risk*"));
  CHECK(contains(risks, "_escalated L1_"));
  std::string shown = again.command("decision show D-1");
  CHECK(contains(shown, "decided by <@U0DEMO3>, <@U0DEMO1>"));
  CHECK(contains(shown, "|view in channel>"));
  CHECK(contains(shown, "https://sim.slack.local/archives/C0DEMO1/p"));
  CHECK(contains(again.command("audit R-1"), "*add* — created"));
  CHECK(again.process().output().find("left in the outbox") == std::string::npos);
  CHECK(sim->snapshot().count_calls("chat.postMessage") == 2);
  CHECK(again.terminate() == std::optional<int>(0));
}
