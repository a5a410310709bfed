// Slack refusing the bot, against the real binary and the simulator: a bot token that does not
// work at start-up, and one revoked while the bot runs.
#include "storage/database.hpp"
#include "tests/support/bot_run.hpp"
#include "tests/support/http_get.hpp"
#include "tests/support/seed_store.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using itpm::sim::Snapshot;
using itpm::test::BotRun;
using itpm::test::channel_id;

namespace {

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// Makes `channel` private, with the bot not invited: Slack refuses the bot's posts there.
void make_private_without_bot(itpm::sim::SlackSim& sim, const std::string& channel) {
  itpm::sim::ChannelSetup hidden;
  hidden.is_private = true;
  hidden.bot_member = false;
  sim.set_channel(channel, hidden);
}

bool posted(const Snapshot& s, const std::string& part) {
  for (const auto* call : s.ok_calls("chat.postMessage")) {
    if (call->args.value("text", "").find(part) != std::string::npos) return true;
  }
  return false;
}

// The DM telling `dm_channel`'s person that a post about `item` could not go into `channel`.
const itpm::sim::ApiCall* refusal_dm(const Snapshot& s, const std::string& dm_channel,
                                     const std::string& item, const std::string& channel) {
  for (const auto* call : s.ok_calls("chat.postMessage")) {
    std::string text = call->args.value("text", "");
    if (call->args.value("channel", "") == dm_channel &&
        text.find("about *" + item + "*") != std::string::npos &&
        text.find("could *not be posted* in <#" + channel + ">") != std::string::npos)
      return call;
  }
  return nullptr;
}

std::size_t refusal_dms_to(const Snapshot& s, const std::string& dm_channel) {
  std::size_t n = 0;
  for (const auto* call : s.ok_calls("chat.postMessage")) {
    if (call->args.value("channel", "") == dm_channel &&
        call->args.value("text", "").find("could *not be posted*") != std::string::npos)
      ++n;
  }
  return n;
}

// The history notes of `item` (what happened to posts about it).
std::vector<std::string> notes_of(const std::filesystem::path& data, const std::string& item) {
  auto store = itpm::storage::open_database(data);
  itpm::storage::Repositories repos(*store);
  std::vector<std::string> out;
  for (const auto& entry : repos.audit(item)) {
    if (!entry.note.empty()) out.push_back(entry.action + ": " + entry.note);
  }
  return out;
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
    // The ack came back, so the bot has processed hello: it reports ready.
    bot.command(R"(program add dr-2027 "Disaster Recovery 2027")");
    auto port = bot.http_port();
    CHECK(itpm::test::http_get(port, "/readyz").status == 200);

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

TEST_CASE("only the bot's own messages prove a post went out, its keys are unguessable",
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

namespace {

const itpm::sim::ApiCall* last_reply(const Snapshot& s) {
  const itpm::sim::ApiCall* last = nullptr;
  for (const auto& call : s.calls) {
    if (call.method == "response_url") last = &call;
  }
  return last;
}

}  // namespace

TEST_CASE("a post into a private channel the bot is not in: the caller is told how to fix it",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  std::string lead = channel_id(*sim, "leadership");
  make_private_without_bot(*sim, lead);
  itpm::test::TempDir dir;
  auto data = dir.path() / "data";
  BotRun bot(*sim, {}, {}, data);
  REQUIRE(bot.wait_hellos(1));
  bot.command(R"(program add dr-2027 "Disaster Recovery 2027")");
  bot.command(R"(risk add "Primary DB failover untested" --program dr-2027 -l 2 -i 2)");
  bot.command(R"(risk escalate R-1 --to #leadership --reason "Blocks the drill")");
  // Before: the content went to the command's channel as if posted, and nobody was told.
  REQUIRE(sim->wait_for(
      [](const Snapshot& s) {
        const auto* reply = last_reply(s);
        return reply != nullptr &&
               reply->args.value("text", "").find("not posted") != std::string::npos;
      },
      15s));
  auto s = sim->snapshot();
  const auto* reply = last_reply(s);
  std::string text = reply->args.value("text", "");
  INFO(text);
  CHECK(reply->args.value("response_type", "") == "ephemeral");
  CHECK(text.find("not posted* in <#" + lead + ">: Slack answered `channel_not_found`") !=
        std::string::npos);
  CHECK(text.find("`/invite @itpm`") != std::string::npos);
  CHECK(text.find("Primary DB failover untested") != std::string::npos);  // the content too
  // It tried to join first (a private channel cannot be joined); the owner's DM needs none.
  CHECK(s.count_calls("conversations.join") == 1);
  auto metrics = itpm::test::http_get(bot.http_port(), "/metrics").body;
  CHECK(metrics.find(R"(itpm_posts_undelivered_total{reason="channel_not_found"} 1)") !=
        std::string::npos);
  // The risk's history says what happened (the bot finishes its work before it exits).
  REQUIRE(bot.terminate() == std::optional<int>(0));
  auto notes = notes_of(data, "R-1");
  REQUIRE(notes.size() == 1);
  CHECK(notes[0] == "not delivered: the escalation alert not delivered to <#" + lead +
                        ">: Slack answered `channel_not_found`; the person who asked was told");
}

TEST_CASE("the bot joins a public channel before posting there, so a lost answer is not a repeat",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  // Commands are typed in C0DEMO1, where the decision is posted; the bot was never added.
  std::string ops = "C0DEMO1";
  itpm::sim::ChannelSetup outside;
  outside.bot_member = false;
  sim->set_channel(ops, outside);
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  bot.command(R"(program add dr-2027 "Disaster Recovery 2027")");
  sim->lose_answers("chat.postMessage", 1);
  bot.command(R"(decision add "Use Patroni for automated failover" --program dr-2027)");
  REQUIRE(sim->wait_for([](const Snapshot& s) { return !s.ok_calls("chat.getPermalink").empty(); },
                        30s));
  auto s = sim->snapshot();
  // Before: history answered not_in_channel and the decision was posted twice.
  CHECK(s.count_calls("chat.postMessage") == 1);
  bool joined_first = false;
  for (const auto& call : s.calls) {
    if (call.method == "chat.postMessage") break;
    if (call.method == "conversations.join" && call.args.value("channel", "") == ops &&
        call.error.empty())
      joined_first = true;
  }
  CHECK(joined_first);
  CHECK(sim->channel_history(ops).size() == 1);
}

TEST_CASE("doctor names each thing to fix: a missing scope, a channel the bot cannot post in",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  itpm::test::TempDir dir;
  auto data = dir.path() / "data";
  std::string lead = channel_id(*sim, "leadership");
  {
    BotRun bot(*sim, {}, {}, data);
    REQUIRE(bot.wait_hellos(1));
    bot.command(R"(program add dr-2027 "Disaster Recovery 2027")");
    bot.command(R"(program add ci-speed "CI speed" --channel #leadership)");
    REQUIRE(bot.terminate() == 0);
  }
  {
    BotRun doctor(*sim, {}, {}, data, {"doctor"});
    auto status = doctor.process().wait_exit(15s);
    REQUIRE(status.has_value());
    INFO(doctor.process().output());
    CHECK(*status == 0);
    CHECK(doctor.process().output().find("all checks passed") != std::string::npos);
  }
  make_private_without_bot(*sim, lead);
  sim->revoke_scope("channels:join");
  BotRun doctor(*sim, {}, {}, data, {"doctor"});
  auto status = doctor.process().wait_exit(15s);
  REQUIRE(status.has_value());
  std::string out = doctor.process().output();
  INFO(out);
  CHECK(*status == 1);
  CHECK(out.find("ok   bot token: bot user U0BOT0001") != std::string::npos);
  CHECK(out.find("ok   app token") != std::string::npos);
  CHECK(out.find("FIX  scopes: missing channels:join") != std::string::npos);
  CHECK(out.find("ok   <#C0DEMO1> (program dr-2027): the bot is in it") != std::string::npos);
  CHECK(out.find("FIX  <#" + lead + "> (program ci-speed): channel_not_found: Invite the bot") !=
        std::string::npos);
  CHECK(out.find("2 thing(s) to fix") != std::string::npos);
}

TEST_CASE("doctor with a bot token Slack refuses exits 3", "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun doctor(*sim, {{"SLACK_BOT_TOKEN", "xoxb-1-simulated-bot-token-9999"}}, {}, {}, {"doctor"});
  auto status = doctor.process().wait_exit(15s);
  REQUIRE(status.has_value());
  CHECK(*status == 3);
  CHECK(doctor.process().output().find("FIX  bot token (SLACK_BOT_TOKEN): Slack refused it "
                                       "(invalid_auth)") != std::string::npos);
}

TEST_CASE("a post Slack refuses for its blocks goes out as plain text, content kept",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  bot.command(R"(program add dr-2027 "Disaster Recovery 2027")");
  sim->refuse_blocks(1);
  bot.command(R"(decision add "Use Patroni for automated failover" --program dr-2027)");
  REQUIRE(sim->wait_for([](const Snapshot& s) { return !s.ok_calls("chat.getPermalink").empty(); },
                        15s));
  std::vector<const itpm::sim::ApiCall*> posts;
  auto s = sim->snapshot();
  for (const auto& call : s.calls) {
    if (call.method == "chat.postMessage") posts.push_back(&call);
  }
  // Before: invalid_blocks was logged and the decision never appeared in the channel.
  REQUIRE(posts.size() == 2);
  CHECK(posts[0]->error == "invalid_blocks");
  CHECK(posts[1]->error.empty());
  CHECK_FALSE(posts[1]->args.contains("blocks"));
  CHECK(posts[1]->args.value("text", "").find("Use Patroni for automated failover") !=
        std::string::npos);
  // Still the same post: its key rides along, so exactly-once holds.
  CHECK(posts[1]->args.value(nlohmann::json::json_pointer("/metadata/event_payload/key"), "") ==
        posts[0]->args.value(nlohmann::json::json_pointer("/metadata/event_payload/key"), ""));
}

TEST_CASE(
    "a ladder step Slack refuses: the risk's and the program's owners are told once a day, the "
    "history says so, and the ladder moves on",
    "[integration]") {
  itpm::test::TempDir dir;
  auto data = dir.path() / "data";
  {
    // dr-2027 (owner alice, U0DEMO1) posts in the private #dr-private the bot is not in; level 3
    // goes to #general (ITPM_ESCALATION_CHANNEL). bob's critical risk R-1 is due for level 2 now.
    auto store = itpm::storage::open_database(data);
    itpm::storage::Repositories repos(*store);
    itpm::test::run_on_store(
        repos, R"(program add dr-2027 "Disaster Recovery 2027" --channel <#C0PRIV|dr-private>)");
    itpm::test::run_on_store(
        repos,
        R"(risk add "Primary DB failover untested" --program dr-2027 -l 4 -i 5 --owner <@U0DEMO2|bob>)");
    itpm::storage::Batch batch;
    itpm::test::make_ladder_steps_due(repos, batch);
    REQUIRE(store->commit(std::move(batch)));
  }
  auto sim = itpm::test::make_sim();
  make_private_without_bot(*sim, "C0PRIV");
  std::map<std::string, std::string> escalate_to_general = {{"ITPM_ESCALATION_CHANNEL", "C0DEMO1"}};
  {
    BotRun bot(*sim, escalate_to_general, {}, data);
    REQUIRE(bot.wait_hellos(1));
    // Before: the refusal was logged and nobody was told.
    REQUIRE(sim->wait_for(
        [](const Snapshot& s) {
          return refusal_dm(s, "D0DEMO1", "R-1", "C0PRIV") != nullptr &&
                 refusal_dm(s, "D0DEMO2", "R-1", "C0PRIV") != nullptr;
        },
        20s));
    REQUIRE(bot.terminate() == std::optional<int>(0));
  }
  auto s = sim->snapshot();
  std::string text = refusal_dm(s, "D0DEMO2", "R-1", "C0PRIV")->args.value("text", "");
  INFO(text);
  CHECK(text.find("(escalation level 2)") != std::string::npos);
  CHECK(text.find("`channel_not_found`") != std::string::npos);
  CHECK(text.find("`/invite @itpm`") != std::string::npos);
  CHECK(text.find("Primary DB failover untested") != std::string::npos);
  // Before: the history said only that it escalated.
  auto notes = notes_of(data, "R-1");
  REQUIRE(notes.size() == 1);
  CHECK(notes[0] ==
        "not delivered: escalation level 2 not delivered to <#C0PRIV>: Slack answered "
        "`channel_not_found`; <@U0DEMO2>, <@U0DEMO1> told by DM");

  {
    // carol's new critical risk R-2 reaches level 2 too, and R-1 its level 3.
    auto store = itpm::storage::open_database(data);
    itpm::storage::Repositories repos(*store);
    itpm::test::run_on_store(
        repos,
        R"(risk add "Backups unverified" --program dr-2027 -l 5 -i 5 --owner <@U0DEMO3|carol>)");
    itpm::storage::Batch batch;
    itpm::test::make_ladder_steps_due(repos, batch);
    REQUIRE(store->commit(std::move(batch)));
  }
  {
    BotRun bot(*sim, escalate_to_general, {}, data);
    REQUIRE(bot.wait_hellos(1));
    REQUIRE(sim->wait_for(
        [](const Snapshot& now) {
          return posted(now, "Escalation level 3: *R-1*") &&
                 refusal_dm(now, "D0DEMO3", "R-2", "C0PRIV") != nullptr;
        },
        20s));
    REQUIRE(bot.terminate() == std::optional<int>(0));
  }
  s = sim->snapshot();
  // The ladder moved on to #general; alice heard of #dr-private once today, even across the
  // restart.
  bool in_general = false;
  for (const auto* call : s.ok_calls("chat.postMessage")) {
    if (call->args.value("text", "").find("Escalation level 3: *R-1*") != std::string::npos)
      in_general = call->args.value("channel", "") == "C0DEMO1";
  }
  CHECK(in_general);
  CHECK(refusal_dms_to(s, "D0DEMO1") == 1);
  CHECK(refusal_dms_to(s, "D0DEMO2") == 1);
  notes = notes_of(data, "R-2");
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].ends_with("; <@U0DEMO3> told by DM; <@U0DEMO1> already told today"));
}
