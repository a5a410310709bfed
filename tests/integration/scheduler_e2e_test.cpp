// The scheduler end to end: the real bot process, the simulator over a TLS WebSocket and the
// bot's own RocksDB. A review due in a minute posts its agenda once; reminders firing while
// the bot is killed (SIGKILL) again and again are each posted exactly once.
#include "commands/areas/handler_support.hpp"
#include "storage/repositories.hpp"
#include "tests/support/bot_run.hpp"
#include "tests/support/temp_dir.hpp"

#include <date/date.h>
#include <catch2/catch.hpp>

#include <csignal>
#include <map>
#include <random>

using namespace std::chrono_literals;
using itpm::sim::Snapshot;
using itpm::test::BotRun;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Agenda posts per program key ("*p07* review in ..."), from what the simulator accepted.
std::map<std::string, int> agendas(const Snapshot& s) {
  std::map<std::string, int> out;
  for (const auto* call : s.ok_calls("chat.postMessage")) {
    std::string text = call->args.value("text", "");
    auto start = text.find("🗓 *");
    auto end = text.find("* review", start);
    if (start == std::string::npos || end == std::string::npos) continue;
    start += std::string("🗓 *").size();
    ++out[text.substr(start, end - start)];
  }
  return out;
}

}  // namespace

TEST_CASE("a review due in a minute posts its agenda once, with its idempotency key",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  REQUIRE(contains(bot.command(R"(program add dr-2027 "Disaster Recovery 2027")"),
                   "Program *dr-2027*"));
  // The review two minute boundaries ahead (three if the next one is very close), reminded
  // one minute before: the agenda is due at most about a minute from now.
  auto now = std::chrono::system_clock::now();
  auto review = std::chrono::ceil<std::chrono::minutes>(now) + 1min;
  if (review - 1min - now < 5s) review += 1min;
  std::string spec = date::format("%a %H:%M", review);
  INFO(spec);
  std::string scheduled =
      bot.command("review schedule dr-2027 --every \"" + spec + "\" --tz UTC --remind 1m");
  REQUIRE(contains(scheduled, "*V-1* review cadence for *dr-2027*"));
  REQUIRE(sim->wait_for([](const Snapshot& s) { return agendas(s).count("dr-2027") > 0; }, 100s));
  auto snapshot = sim->snapshot();
  const itpm::sim::ApiCall* post = nullptr;
  for (const auto* call : snapshot.ok_calls("chat.postMessage")) {
    if (contains(call->args.value("text", ""), "*dr-2027* review in 1 minute")) post = call;
  }
  REQUIRE(post != nullptr);
  CHECK(post->args.value("channel", "") == "C0DEMO1");
  CHECK(contains(post->args.value("text", ""), "*Status:* none recorded yet"));
  CHECK(post->args.value(nlohmann::json::json_pointer("/metadata/event_type"), "") == "itpm_post");
  CHECK_FALSE(
      post->args.value(nlohmann::json::json_pointer("/metadata/event_payload/key"), "").empty());
  // The occurrence passes a minute later and the cadence moves to next week.
  REQUIRE(bot.process().wait_for_output("scheduler: V-1 next at", 100s));
  std::string list = bot.command("review list");
  INFO(list);
  CHECK(contains(list, "next " + date::format("%a %Y-%m-%d %H:%M", review + date::days(7))));
  CHECK(agendas(sim->snapshot()).at("dr-2027") == 1);
  CHECK(bot.terminate() == std::optional<int>(0));
}

TEST_CASE("reminders firing while the bot is killed again and again are each posted once",
          "[integration]") {
  constexpr int programs = 24;
  auto sim = itpm::test::make_sim();
  itpm::test::TempDir data;
  auto db = data.path() / "db";
  auto now = itpm::commands::millis(std::chrono::system_clock::now());
  {
    // Reminders that fell due a second ago, in a channel each (no per-channel pacing).
    auto store = itpm::storage::Store::open(db);
    itpm::storage::Repositories repos(*store);
    itpm::storage::Batch batch;
    for (int i = 1; i <= programs; ++i) {
      std::string n = (i < 10 ? "0" : "") + std::to_string(i);
      itpm::storage::Program p;
      p.key = "p" + n;
      p.name = "Program " + n;
      p.owner = "U0DEMO1";
      p.channel = "C0P" + n;
      p.created_at = now;
      repos.save(batch, p, nullptr, {"U0DEMO1", now, "add"});
      itpm::storage::Review r;
      r.number = repos.next_number<itpm::storage::Review>(batch);
      r.program = p.key;
      r.every = "tue 15:00";
      r.zone = "UTC";
      r.channel = p.channel;
      r.remind = {10};
      r.anchor = "2026-11-24";
      r.next_at = now + 10 * 60'000;
      r.created_by = "U0DEMO1";
      r.created_at = now;
      repos.save(batch, r, nullptr, {"U0DEMO1", now, "add"});
      repos.jobs().schedule(batch, now - 1000,
                            {{"kind", "review_reminder"},
                             {"review", r.number},
                             {"occurrence", r.next_at},
                             {"before", 10}});
    }
    REQUIRE(store->commit(std::move(batch)));
  }

  std::mt19937 random(Catch::rngSeed());
  int kills = 0;
  for (int round = 0; round < 12; ++round) {
    int seen = sim->snapshot().count_calls("chat.postMessage");
    if (seen >= programs) break;
    BotRun bot(*sim, {}, {}, db);
    // Kill it as posts arrive: after 0-3 more of them (0: as soon as it started).
    int more = std::uniform_int_distribution<int>(0, 3)(random);
    if (more == 0) {
      REQUIRE(bot.process().wait_for_output("scheduler", 15s));
    } else {
      sim->wait_for(
          [&](const Snapshot& s) { return s.count_calls("chat.postMessage") >= seen + more; }, 15s);
    }
    bot.process().signal(SIGKILL);
    REQUIRE(bot.process().wait_exit(10s).has_value());
    ++kills;
  }
  // A last, undisturbed run delivers the rest.
  {
    int hellos = sim->snapshot().hellos_sent;
    BotRun bot(*sim, {}, {}, db);
    REQUIRE(bot.wait_hellos(hellos + 1));
    REQUIRE(sim->wait_for([&](const Snapshot& s) { return agendas(s).size() == programs; }, 60s));
    auto status = bot.terminate();
    INFO("exit " << status.value_or(-1) << "; output:\n" << bot.process().output());
    REQUIRE(status == std::optional<int>(0));
  }
  INFO("killed " << kills << " times");
  auto counts = agendas(sim->snapshot());
  REQUIRE(counts.size() == programs);
  for (const auto& [program, n] : counts) {
    INFO(program);
    CHECK(n == 1);
  }
  CHECK(kills > 0);
  // Nothing is left to send or to fire.
  auto store = itpm::storage::Store::open(db);
  itpm::storage::Repositories repos(*store);
  CHECK(repos.outbox().entries(10).empty());
  CHECK(repos.jobs().due(now, 10).empty());
}

TEST_CASE("a post whose answer was lost is found in the channel's history, not posted again",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  bot.command(R"(program add dr-2027 "Disaster Recovery 2027")");
  // Slack posts the decision, but the answer never reaches the bot.
  sim->lose_answers("chat.postMessage", 1);
  CHECK(bot.command(R"(decision add "Use Patroni for automated failover" --program dr-2027)")
            .empty());
  REQUIRE(sim->wait_for(
      [](const Snapshot& s) {
        return s.count_calls("conversations.history") > 0 &&
               !s.ok_calls("chat.getPermalink").empty();
      },
      30s));
  REQUIRE(bot.process().wait_for_output("decision D-1 stored with where it was posted", 10s));
  auto snapshot = sim->snapshot();
  CHECK(snapshot.count_calls("chat.postMessage") == 1);
  // The permalink is the one of the message Slack kept.
  std::string shown = bot.command("decision show D-1");
  CHECK(contains(shown, "https://sim.slack.local/archives/C0DEMO1/p"));
  CHECK(bot.terminate() == std::optional<int>(0));
  CHECK(sim->snapshot().count_calls("chat.postMessage") == 1);
}
