// The command areas end to end: the real bot process, the simulator over a TLS WebSocket,
// and the bot's own RocksDB, across a restart.
#include "storage/repositories.hpp"
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
    "program, critical risk with its DM, decision with its permalink, all kept across a "
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
    CHECK(
        contains(risk, "Escalation ladder started: <@U0DEMO4> told by DM in their working hours"));
    // Level 1: the owner's DM, through conversations.open.
    REQUIRE(sim->wait_for(
        [](const Snapshot& s) {
          return posted(s, "D0DEMO4", "You own a critical risk: R-1").has_value();
        },
        10s));
    CHECK(sim->snapshot().count_calls("conversations.open") == 1);
    // The caller's zone was asked for once and then cached; the owner's once, for the DM's
    // working hours (commands.md §6).
    CHECK(sim->snapshot().count_calls("users.info") == 2);

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

TEST_CASE("survey: a button press stores the vote and updates the poll, a second press changes it",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  itpm::test::TempDir data;
  auto db = data.path() / "db";
  auto updated_to = [](const Snapshot& s, const std::string& part) {
    for (const ApiCall* call : s.ok_calls("chat.update")) {
      if (contains(call->args.value("text", ""), part)) return true;
    }
    return false;
  };
  // The presser alone is told, in a new ephemeral message (the poll is not replaced).
  auto told = [](const Snapshot& s, const std::string& part) {
    for (const auto& call : s.calls) {
      if (call.method == "response_url" && call.status == 200 &&
          call.args.value("response_type", "") == "ephemeral" &&
          call.args.value("replace_original", true) == false &&
          contains(call.args.value("text", ""), part))
        return true;
    }
    return false;
  };
  std::string poll_ts;
  {
    BotRun bot(*sim, {}, {}, db);
    REQUIRE(bot.wait_hellos(1));
    bot.command(R"(program add dr-2027 "Disaster Recovery 2027")");
    CHECK(contains(bot.command("survey send dr-2027"), "*S-1* posted in <#C0DEMO1>"));
    REQUIRE(sim->wait_for(
        [](const Snapshot& s) {
          return posted(s, "C0DEMO1", "Satisfaction survey S-1").has_value();
        },
        10s));

    std::string first = sim->press_button({"U0DEMO2", "C0DEMO1", "4"});
    REQUIRE_FALSE(first.empty());
    REQUIRE(sim->wait_for(
        [&](const Snapshot& s) {
          return updated_to(s, "1 vote · mean 4.0") && told(s, "your vote on S-1 is *4*");
        },
        10s));
    // (A new ButtonPress, not an assignment to label: GCC 12 warns wrongly on the latter.)
    std::string second = sim->press_button({"U0DEMO2", "C0DEMO1", "2"});
    REQUIRE_FALSE(second.empty());
    REQUIRE(sim->wait_for(
        [&](const Snapshot& s) {
          // The ack travels on the WebSocket, the update and the reply over HTTP: either may
          // arrive first.
          return updated_to(s, "1 vote · mean 2.0") && told(s, "changed: 4 → *2*") &&
                 s.ack_for(first) != nullptr && s.ack_for(second) != nullptr;
        },
        10s));
    Snapshot s = sim->snapshot();
    CHECK(s.timed_out.empty());
    // The poll in the channel now shows the changed vote, once.
    bool found = false;
    for (const auto& m : sim->channel_history("C0DEMO1")) {
      if (!contains(m.value("text", ""), "Satisfaction survey S-1")) continue;
      found = true;
      poll_ts = m.value("ts", "");
      CHECK(contains(m.value("text", ""), "1 vote · mean 2.0 · 1: 0 · 2: 1 · 3: 0 · 4: 0 · 5: 0"));
    }
    CHECK(found);
    REQUIRE(bot.terminate() == std::optional<int>(0));
  }
  auto store = itpm::storage::Store::open(db);
  itpm::storage::Repositories repos(*store);
  auto votes = repos.votes(1);
  REQUIRE(votes.size() == 1);
  CHECK(votes[0].user == "U0DEMO2");
  CHECK(votes[0].score == 2);
  CHECK(repos.find<itpm::storage::Survey>(1)->message_ts == poll_ts);
  CHECK(repos.outbox().entries(10).empty());
}
