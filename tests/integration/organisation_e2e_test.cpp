// The bot serves its own organisation, and answers people wherever they typed: against the real
// binary and the simulator. Users whose id starts with U0EXT belong to another organisation
// (a Slack Connect channel shared with it).
#include "tests/support/bot_run.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using itpm::sim::Snapshot;
using itpm::test::BotRun;

namespace {

nlohmann::json mention_event(const std::string& user, const std::string& text,
                             const std::string& user_team) {
  nlohmann::json event = {{"type", "app_mention"},     {"user", user},
                          {"channel", "C0DEMO1"},      {"text", "<@U0BOT0001> " + text},
                          {"ts", "1700000000.000200"}, {"team", "T0SIM0001"}};
  if (!user_team.empty()) event["user_team"] = user_team;
  return event;
}

// The calls of `method` whose text holds `part`.
std::vector<const itpm::sim::ApiCall*> calls_with(const Snapshot& s, const std::string& method,
                                                  const std::string& part) {
  std::vector<const itpm::sim::ApiCall*> out;
  for (const auto* call : s.ok_calls(method)) {
    if (call->args.value("text", "").find(part) != std::string::npos) out.push_back(call);
  }
  return out;
}

}  // namespace

TEST_CASE("an outsider in a shared channel can neither read nor change the register",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  bot.command(R"(program add dr-2027 "Disaster Recovery 2027")");
  bot.command(R"(risk add "Primary DB failover untested" --program dr-2027 -l 3 -i 3)");

  // A slash command: the envelope does not say whose organisation, users.info does.
  itpm::sim::SlashCommand outsider;
  outsider.user = "U0EXT1";
  outsider.text = "risk list --status all";
  std::string id = sim->send_slash_command(outsider);
  REQUIRE(sim->wait_for([&](const Snapshot& s) { return s.ack_for(id) != nullptr; }, 10s));
  std::string answer = sim->snapshot().ack_for(id)->payload.value("text", "");
  INFO(answer);
  CHECK(answer.find("answers members of Simulated only") != std::string::npos);
  CHECK(answer.find("failover") == std::string::npos);

  // A mention whose event names the other organisation: one private line, nothing written.
  REQUIRE_FALSE(
      sim->send_event(mention_event("U0EXT1", R"(risk add "Planted" --program dr-2027 -l 5 -i 5)",
                                    "T0EXT0001"))
          .empty());
  REQUIRE(sim->wait_for(
      [](const Snapshot& s) {
        return !calls_with(s, "chat.postEphemeral", "answers members of").empty();
      },
      10s));
  Snapshot after = sim->snapshot();
  CHECK(calls_with(after, "chat.postEphemeral", "answers members of")
            .front()
            ->args.value("user", "") == "U0EXT1");
  CHECK(bot.command("risk show R-2").find("No risk R-2") != std::string::npos);
  // A member of the workspace is served as before.
  CHECK(bot.command("risk list").find("failover") != std::string::npos);
  CHECK(bot.terminate() == std::optional<int>(0));
}

TEST_CASE("a mention's query is answered to the person alone, and a DM's refused post by DM",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  itpm::sim::ChannelSetup hidden;
  hidden.is_private = true;
  hidden.bot_member = false;
  std::string lead = itpm::test::channel_id(*sim, "leadership");
  sim->set_channel(lead, hidden);
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  bot.command(R"(program add dr-2027 "Disaster Recovery 2027")");
  bot.command(R"(risk add "Primary DB failover untested" --program dr-2027 -l 2 -i 2)");

  REQUIRE_FALSE(sim->send_event(mention_event("U0DEMO2", "risk list", "")).empty());
  REQUIRE(sim->wait_for(
      [](const Snapshot& s) { return !calls_with(s, "chat.postEphemeral", "failover").empty(); },
      10s));
  Snapshot listed = sim->snapshot();
  const auto* answer = calls_with(listed, "chat.postEphemeral", "failover").front();
  CHECK(answer->args.value("user", "") == "U0DEMO2");
  CHECK(answer->args.value("thread_ts", "") == "1700000000.000200");
  CHECK(calls_with(listed, "chat.postMessage", "failover").empty());

  // Typed in a DM, a command whose post Slack refuses: the person hears of it in the DM.
  nlohmann::json dm = {
      {"type", "message"},
      {"channel_type", "im"},
      {"user", "U0DEMO1"},
      {"channel", "D0DEMO1"},
      {"text", "risk escalate R-1 --to <#" + lead + "> --reason \"Blocks the drill\""},
      {"ts", "1700000000.000300"}};
  REQUIRE_FALSE(sim->send_event(dm).empty());
  auto told = [](const Snapshot& s) {
    for (const auto* call : calls_with(s, "chat.postMessage", "*not posted*")) {
      if (call->args.value("channel", "") == "D0DEMO1") return true;
    }
    return false;
  };
  REQUIRE(sim->wait_for(told, 15s));
  Snapshot told_by_dm = sim->snapshot();
  std::string text =
      calls_with(told_by_dm, "chat.postMessage", "*not posted*").front()->args.value("text", "");
  INFO(text);
  CHECK(text.find("`/invite @itpm`") != std::string::npos);
  CHECK(text.find("Primary DB failover untested") != std::string::npos);
  CHECK(bot.terminate() == std::optional<int>(0));
}
