#include "bot/dispatcher.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/render/reply.hpp"
#include "tests/support/command_fixture.hpp"
#include "tests/support/dispatch_fixture.hpp"
#include "tests/support/faulty_fs.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <catch2/catch.hpp>

#include <condition_variable>
#include <future>
#include <mutex>
#include <random>

using namespace itpm::bot;
using itpm::test::handle;
using itpm::test::mention;
using itpm::test::run_until;
using itpm::test::slash;
using itpm::test::TempStore;
using itpm::test::typed;

TEST_CASE("a slash command's reply rides on the ack when Slack accepts one") {
  TempStore t;
  itpm::commands::Registry registry;
  Dispatcher d(registry, {}, t.repos, t.ioc.get_executor());
  auto out = handle(t, d, slash("help"));
  REQUIRE(out.ack_payload);
  CHECK((*out.ack_payload)["response_type"] == "ephemeral");
  CHECK_FALSE(out.follow_up);

  auto later = handle(t, d, slash("help", false));
  CHECK_FALSE(later.ack_payload);
  REQUIRE(later.follow_up);
  CHECK(later.response_url == "https://hooks.example/r");
}

TEST_CASE("events are handled once per event_id") {
  TempStore t;
  itpm::commands::Registry registry;
  Dispatcher d(registry, {}, t.repos, t.ioc.get_executor());
  CHECK(handle(t, d, mention("Ev1")).posts.size() == 1);
  CHECK(handle(t, d, mention("Ev1")).posts.empty());
  CHECK(handle(t, d, mention("Ev2")).posts.size() == 1);
  // A bot started again on the same store knows them too (Slack redelivers across restarts).
  Dispatcher restarted(registry, {}, t.repos, t.ioc.get_executor());
  CHECK(handle(t, restarted, mention("Ev1")).posts.empty());
  CHECK(handle(t, restarted, mention("Ev4")).posts.size() == 1);
}

TEST_CASE("a command after the bot's mention or in a DM runs as if typed after /itpm") {
  TempStore t;
  itpm::commands::Registry registry;
  Dispatcher d(registry, {}, t.repos, t.ioc.get_executor());
  d.set_identity(BotIdentity{"U0BOT", "B0BOT", "T1", "Acme"});
  // A mutation in a DM: saved, and answered in the DM.
  auto added = handle(t, d, typed("Ev1", "message", "D2", R"(program add dr-2027 "DR 2027")"));
  REQUIRE(added.posts.size() == 1);
  CHECK(added.posts.front().message.channel == "D2");
  CHECK(added.posts.front().message.thread_ts.empty());
  CHECK(added.posts.front().message.text.find("dr-2027") != std::string::npos);
  CHECK(t.repos.find<itpm::storage::Program>("dr-2027"));
  // A query after the mention: answered in the thread; "/itpm" typed out of habit is fine.
  auto listed = handle(t, d, typed("Ev2", "app_mention", "C1", "<@U0BOT|itpm> /itpm risk list"));
  REQUIRE(listed.posts.size() == 1);
  CHECK(listed.posts.front().message.thread_ts == "1.2");
  CHECK(listed.posts.front().message.text.find("No open risks") != std::string::npos);
  // A mistake gets the grammar's own answer; chatter the canned one.
  auto wrong = handle(t, d, typed("Ev3", "message", "D2", "risk frobnicate"));
  REQUIRE(wrong.posts.size() == 1);
  CHECK(wrong.posts.front().message.text.find("risk") != std::string::npos);
  auto chatter = handle(t, d, typed("Ev4", "app_mention", "C1", "<@U0BOT> thanks!"));
  REQUIRE(chatter.posts.size() == 1);
  CHECK(chatter.posts.front().message.text.find("I answer to `/itpm`") != std::string::npos);
  // Redelivered: handled once.
  CHECK(handle(t, d, typed("Ev1", "message", "D2", R"(program add dr-2027 "DR 2027")"))
            .posts.empty());
  // 30 commands a minute per person (3 so far); more are acked unanswered.
  for (int i = 0; i < Dispatcher::commands_per_minute - 3; ++i) {
    CHECK(handle(t, d, typed("Ev-help-" + std::to_string(i), "message", "D2", "help risk"))
              .posts.size() == 1);
  }
  CHECK(handle(t, d, typed("Ev-help-more", "message", "D2", "help risk")).posts.empty());
}

TEST_CASE("odd events are acked and ignored") {
  TempStore t;
  itpm::commands::Registry registry;
  Dispatcher d(registry, {}, t.repos, t.ioc.get_executor());
  Envelope limited;
  limited.type = "events_api";
  limited.payload = {{"type", "app_rate_limited"}, {"event_id", "Ev9"}};
  CHECK(handle(t, d, limited).posts.empty());
  CHECK(handle(t, d, mention("Ev3", "U1> <!channel")).posts.empty());
  Envelope interactive;
  interactive.type = "interactive";
  CHECK_FALSE(handle(t, d, interactive).ack_payload);
}

TEST_CASE("the bot's own messages are never answered, a revoked token is reported") {
  TempStore t;
  itpm::commands::Registry registry;
  Dispatcher d(registry, {}, t.repos, t.ioc.get_executor());
  std::vector<std::string> revoked;
  d.set_on_token_revoked([&](const std::string& event) { revoked.push_back(event); });
  CHECK(handle(t, d, mention("Ev1", "U0BOT")).posts.size() == 1);  // not known yet: answered
  d.set_identity(BotIdentity{"U0BOT", "B0BOT", "T1", "Acme"});
  CHECK(handle(t, d, mention("Ev2", "U0BOT")).posts.empty());
  CHECK(handle(t, d, mention("Ev3", "U2")).posts.size() == 1);

  Envelope other;
  other.type = "events_api";
  other.payload = {{"event_id", "Ev4"},
                   {"event", {{"type", "tokens_revoked"}, {"tokens", {{"bot", {"U9"}}}}}}};
  CHECK(handle(t, d, other).posts.empty());
  CHECK(revoked.empty());  // another app's bot token
  Envelope ours = other;
  ours.payload["event"]["tokens"]["bot"] = {"U0BOT"};
  CHECK(handle(t, d, ours).posts.empty());
  Envelope uninstalled = other;
  uninstalled.payload["event"] = {{"type", "app_uninstalled"}};
  CHECK(handle(t, d, uninstalled).posts.empty());
  CHECK(revoked == std::vector<std::string>{"tokens_revoked", "app_uninstalled"});
}

TEST_CASE("a command's posts are in the outbox, committed with its change, before the ack") {
  itpm::test::TempDir dir;
  auto store = itpm::storage::Store::open(dir.path() / "db");
  itpm::storage::Repositories repos(*store);
  itpm::commands::Registry registry;
  // Commits complete on the store's committer thread; `done` runs on the I/O context, which
  // has work until then.
  boost::asio::io_context ioc;
  Dispatcher d(registry, {}, repos, ioc.get_executor());
  auto run = [&](const std::string& text) {
    std::optional<Dispatched> result;
    d.handle(slash(text), [&](Dispatched out) { result = std::move(out); });
    ioc.restart();
    ioc.run_for(std::chrono::seconds(10));
    REQUIRE(result.has_value());
    return std::move(*result);
  };
  run(R"(program add dr-2027 "DR")");
  auto out = run(R"(risk add "x" --program dr-2027 -l 5 -i 5 --owner <@U2>)");
  REQUIRE(out.ack_payload);
  CHECK((*out.ack_payload)["response_type"] == "in_channel");
  REQUIRE(out.posts.size() == 1);
  CHECK(out.posts[0].message.to_user == "U2");
  // If Slack refuses it, the caller hears so through the command's response_url.
  CHECK(out.posts[0].message.fallback_response_url == "https://hooks.example/r");
  auto outbox = repos.outbox().entries(10);
  REQUIRE(outbox.size() == 1);
  CHECK(outbox[0].seq == out.posts[0].outbox_seq);
  CHECK(itpm::commands::from_outbox(outbox[0].message).to_user == "U2");
  // Its idempotency key is kept with it: 128 random bits.
  CHECK(outbox[0].message.value("key", "") == out.posts[0].key);
  CHECK(out.posts[0].key.size() == 33);
  CHECK(repos.find<itpm::storage::Risk>(1));
}

namespace {

Envelope slash_as(const std::string& user, const std::string& text) {
  Envelope e = slash(text);
  e.payload["user_id"] = user;
  return e;
}

// Hands every envelope to the dispatcher before any commit runs (each handler reads the store
// as the previous ones left it, their writes still queued), then runs them all to the end.
std::vector<Dispatched> handle_at_once(TempStore& t, Dispatcher& d,
                                       const std::vector<Envelope>& envelopes) {
  std::vector<std::optional<Dispatched>> out(envelopes.size());
  for (std::size_t i = 0; i < envelopes.size(); ++i)
    d.handle(envelopes[i], [&out, i](Dispatched result) { out[i] = std::move(result); });
  t.ioc.restart();
  t.ioc.run_for(std::chrono::seconds(30));
  std::vector<Dispatched> results;
  for (auto& o : out) {
    REQUIRE(o);
    results.push_back(std::move(*o));
  }
  return results;
}

std::string text_of(const Dispatched& d) {
  return d.ack_payload ? d.ack_payload->value("text", "") : "";
}

}  // namespace

TEST_CASE("two changes to one risk sent back to back both hold, its index rows follow") {
  TempStore t;
  itpm::commands::Registry registry;
  Dispatcher d(registry, {}, t.repos, t.ioc.get_executor());
  handle(t, d, slash(R"(program add dr-2027 "DR")"));
  handle(t, d, slash(R"(risk add "replica lag" --program dr-2027 -l 1 -i 1 --owner <@U2>)"));

  auto out = handle_at_once(
      t, d, {slash("risk update R-1 --likelihood 2"), slash("risk update R-1 --impact 3")});
  CHECK_THAT(text_of(out[0]), Catch::Contains("R-1* updated"));
  CHECK_THAT(text_of(out[1]), Catch::Contains("R-1* updated"));
  auto risk = t.repos.find<itpm::storage::Risk>(1);
  REQUIRE(risk);
  CHECK(risk->likelihood == 2);
  CHECK(risk->impact == 3);
  CHECK(t.repos.risks_of_program("dr-2027")->size() == 1);
  CHECK(t.repos.check().empty());
}

TEST_CASE("one program added twice at the same moment: one wins, the other hears it exists") {
  TempStore t;
  itpm::commands::Registry registry;
  Dispatcher d(registry, {}, t.repos, t.ioc.get_executor());
  auto out = handle_at_once(t, d,
                            {slash_as("U1", R"(program add dr-2027 "DR one")"),
                             slash_as("U2", R"(program add dr-2027 "DR two")")});
  CHECK_THAT(text_of(out[0]), Catch::Contains("dr-2027"));
  CHECK_THAT(text_of(out[1]), Catch::Contains("already exists"));
  auto program = t.repos.find<itpm::storage::Program>("dr-2027");
  REQUIRE(program);
  CHECK(program->name == "DR one");
  CHECK(t.repos.audit("dr-2027").size() == 1);
}

TEST_CASE("two surveys sent at once leave one open, and two staffing changes at once both count") {
  TempStore t;
  itpm::commands::Registry registry;
  Dispatcher d(registry, {}, t.repos, t.ioc.get_executor());
  handle(t, d, slash(R"(program add dr-2027 "DR" --channel <#C1>)"));
  handle(t, d, slash(R"(program add ci-2027 "CI" --channel <#C1>)"));
  handle_at_once(t, d, {slash("survey send dr-2027"), slash("survey send dr-2027")});
  int open = 0;
  for (const auto& s : t.repos.all<itpm::storage::Survey>())
    open += s.status == itpm::storage::ProgramStatus::open ? 1 : 0;
  CHECK(open == 1);
  auto out = handle_at_once(
      t, d, {slash("staff assign <@U1> dr-2027 60"), slash("staff assign <@U1> ci-2027 50")});
  // The second saw the first: its answer counts both and flags the person.
  CHECK_THAT(text_of(out[1]), Catch::Contains("110% in all"));
  CHECK(t.repos.allocations_of("U1").size() == 2);
}

TEST_CASE("many people changing few risks at once: no change is lost, the store stays whole") {
  TempStore t;
  itpm::commands::Registry registry;
  Dispatcher d(registry, {}, t.repos, t.ioc.get_executor());
  handle(t, d, slash(R"(program add dr-2027 "DR")"));
  handle(t, d, slash(R"(program add ci-2027 "CI")"));
  for (int i = 0; i < 3; ++i) {
    handle(t, d,
           slash(std::string("risk add \"r") + std::to_string(i) + "\" --program " +
                 (i % 2 == 0 ? "dr-2027" : "ci-2027") + " -l 1 -i 1 --owner <@U2>"));
  }
  std::mt19937 random(20261130);  // fixed: a failure can be replayed
  auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
  int saved = 0;
  int refused = 0;
  for (int burst = 0; burst < 20; ++burst) {
    std::vector<Envelope> envelopes;
    for (int i = 0; i < 8; ++i) {
      std::string risk = "R-" + std::to_string(1 + pick(3));
      std::string text =
          pick(3) == 0 ? "risk update " + risk + " --owner <@U" + std::to_string(3 + pick(5)) + ">"
                       : "risk update " + risk + " --likelihood " + std::to_string(1 + pick(5)) +
                             " --impact " + std::to_string(1 + pick(5));
      envelopes.push_back(slash_as("U" + std::to_string(1 + pick(9)), text));
    }
    for (const auto& out : handle_at_once(t, d, envelopes)) {
      std::string text = text_of(out);
      if (text.find("updated by") != std::string::npos) ++saved;
      if (text.find("changed by someone else") != std::string::npos) ++refused;
    }
  }
  // Every acked change is in the audit log once, and each one was made from the state the
  // previous one left: a change computed from a stale read would break the chain.
  int audited = 0;
  for (std::uint64_t n = 1; n <= 3; ++n) {
    auto entries = t.repos.audit(itpm::storage::risk_id(n));
    for (std::size_t i = 1; i < entries.size(); ++i) {
      INFO("R-" << n << " entry " << i);
      CHECK(entries[i].before == entries[i - 1].after);
      if (entries[i].action == "update") ++audited;
    }
    CHECK(nlohmann::json(*t.repos.find<itpm::storage::Risk>(n)) == entries.back().after);
  }
  CHECK(audited == saved);
  CHECK(saved > 0);
  CHECK(saved + refused <= 160);
  CHECK(t.repos.risks_of_program("dr-2027")->size() == 2);
  CHECK(t.repos.risks_of_program("ci-2027")->size() == 1);
  CHECK(t.repos.check().empty());
}

TEST_CASE("on a full disk a command is told it was not saved, once space returns it is") {
  itpm::test::FaultyEnv faulty;
  itpm::storage::Store::Options options;
  options.env = faulty.env.get();
  TempStore t(options);
  auto& store = t.store;
  auto& repos = t.repos;
  itpm::commands::Registry registry;
  Dispatcher d(registry, {}, repos, t.ioc.get_executor());
  auto run = [&](const std::string& text) { return text_of(handle(t, d, slash(text))); };
  faulty.fs->full = true;
  auto refused = run(R"(program add dr-2027 "DR")");
  CHECK_THAT(refused, Catch::Contains("Not saved") && Catch::Contains("No space left on device") &&
                          Catch::Contains("Nothing of this command was kept"));
  CHECK_FALSE(repos.find<itpm::storage::Program>("dr-2027"));
  // Space returns: the store resumes on its own (it says so), and the same command is saved.
  std::mutex m;
  std::condition_variable cv;
  bool resumed = false;
  store->watch_writes([&](const std::string& error) {
    std::lock_guard lock(m);
    resumed = error.empty();
    cv.notify_all();
  });
  faulty.fs->full = false;
  {
    std::unique_lock lock(m);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return resumed; }));
  }
  auto added = run(R"(program add dr-2027 "DR")");
  CHECK_THAT(added, Catch::Contains("dr-2027") && !Catch::Contains("Not saved"));
  CHECK(repos.find<itpm::storage::Program>("dr-2027"));
}

namespace {

// A `report` that waits until the test lets it finish, and a `help` that answers at once.
std::shared_future<void> report_gate;

itpm::commands::Outcome gated_report(const itpm::commands::ParsedCommand&,
                                     const itpm::commands::Command&,
                                     const itpm::commands::Context&) {
  report_gate.wait();
  return itpm::commands::reply_only(
      itpm::commands::text_reply(itpm::commands::Visibility::ephemeral, {"the report"}));
}

itpm::commands::Outcome quick_help(const itpm::commands::ParsedCommand&,
                                   const itpm::commands::Command&, const itpm::commands::Context&) {
  return itpm::commands::reply_only(
      itpm::commands::text_reply(itpm::commands::Visibility::ephemeral, {"the help"}));
}

const itpm::commands::Grammar& gated_grammar() {
  static const itpm::commands::Grammar grammar = {
      {"help", {}, "Help", "", {{"", {}, "Help", {}, {}, quick_help}}},
      {"report",
       {},
       "Report",
       "",
       {{"", {}, "Report", {}, {}, gated_report, itpm::commands::Access::reads_widely}}}};
  return grammar;
}

std::string text_of(const std::optional<nlohmann::json>& payload) {
  return payload ? payload->value("text", "") : "";
}

// Holds the gated report until opened (at the latest when the test ends).
struct Gate {
  Gate() { report_gate = promise.get_future().share(); }
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;
  void open() {
    if (!opened) promise.set_value();
    opened = true;
  }
  ~Gate() { open(); }
  std::promise<void> promise;
  bool opened = false;
};

}  // namespace

// The gated grammar's dispatcher with a worker. Members in this order so that, whatever
// happens, the gate opens, then the worker is joined, before the dispatcher goes.
struct GatedWorker {
  TempStore t;
  itpm::commands::Registry registry{gated_grammar()};
  std::vector<Dispatched> late;
  Dispatcher d{registry, {}, t.repos, t.ioc.get_executor()};
  boost::asio::thread_pool worker{1};
  Gate gate;
  // Starts the worker: answers slower than `notice` go to `late`.
  void start(std::chrono::milliseconds notice) {
    d.set_worker(worker.get_executor(), notice,
                 [this](Dispatched x) { late.push_back(std::move(x)); });
  }
};

TEST_CASE("a report runs on the worker: help is answered meanwhile, the report when it is done") {
  GatedWorker g;
  auto& [t, registry, late, d, worker, gate] = g;

  SECTION("answered within the notice time: on the ack, as before") {
    g.start(std::chrono::hours(1));
    std::optional<Dispatched> report;
    d.handle(slash("report"), [&](Dispatched x) { report = std::move(x); });
    // The report holds the worker, not the I/O thread: help is answered at once.
    std::optional<Dispatched> help;
    d.handle(slash("help"), [&](Dispatched x) { help = std::move(x); });
    REQUIRE(help);
    CHECK(text_of(help->ack_payload) == "the help");
    CHECK_FALSE(report);
    gate.open();
    REQUIRE(run_until(t.ioc, [&] { return report.has_value(); }));
    CHECK(text_of(report->ack_payload) == "the report");
    CHECK(late.empty());
  }
  SECTION("slower than the notice time: the ack says so, the answer follows by response_url") {
    g.start(std::chrono::milliseconds(0));
    std::optional<Dispatched> ack;
    d.handle(slash("report"), [&](Dispatched x) { ack = std::move(x); });
    REQUIRE(run_until(t.ioc, [&] { return ack.has_value(); }));
    CHECK(text_of(ack->ack_payload).find("Working on it") != std::string::npos);
    CHECK_FALSE(ack->follow_up);
    gate.open();
    REQUIRE(run_until(t.ioc, [&] { return !late.empty(); }));
    REQUIRE(late.size() == 1);
    CHECK_FALSE(late[0].ack_payload);
    CHECK(late[0].response_url == "https://hooks.example/r");
    CHECK(text_of(late[0].follow_up) == "the report");
  }
}

TEST_CASE("a report typed in a DM runs on the worker: the I/O thread answers others meanwhile") {
  GatedWorker g;
  auto& [t, registry, late, d, worker, gate] = g;
  g.start(std::chrono::hours(1));
  std::optional<Dispatched> report;
  d.handle(typed("Ev1", "message", "D2", "report"), [&](Dispatched x) { report = std::move(x); });
  std::optional<Dispatched> help;
  d.handle(typed("Ev2", "message", "D2", "help"), [&](Dispatched x) { help = std::move(x); });
  REQUIRE(run_until(t.ioc, [&] { return help.has_value(); }));
  REQUIRE(help->posts.size() == 1);
  CHECK(help->posts.front().message.text == "the help");
  CHECK_FALSE(report);  // still on the worker
  // Slack redelivers the DM meanwhile: acked, not run again.
  std::optional<Dispatched> again;
  d.handle(typed("Ev1", "message", "D2", "report"), [&](Dispatched x) { again = std::move(x); });
  REQUIRE(again);
  CHECK(again->posts.empty());
  gate.open();
  REQUIRE(run_until(t.ioc, [&] { return report.has_value(); }));
  REQUIRE(report->posts.size() == 1);
  CHECK(report->posts.front().message.text == "the report");
  CHECK(report->posts.front().message.channel == "D2");
  CHECK(
      t.repos.seen_events().seen("Ev1", itpm::commands::millis(std::chrono::system_clock::now())));
}

TEST_CASE("a bare command opens its form and the submission saves or shows its mistakes") {
  TempStore t;
  itpm::commands::Registry registry;
  Dispatcher d(registry, {}, t.repos, t.ioc.get_executor());
  handle(t, d, slash("program add dr-2027 \"DR\" --channel <#C1>"));
  Envelope bare = slash("risk add");
  bare.payload["trigger_id"] = "1.2.3";
  auto opened = handle(t, d, bare);
  CHECK_FALSE(opened.ack_payload);
  REQUIRE(opened.view);
  CHECK(opened.view->method == "views.open");
  CHECK(opened.view->body["trigger_id"] == "1.2.3");
  nlohmann::json view = opened.view->body["view"];

  auto submit = [&](const nlohmann::json& values) {
    nlohmann::json state = nlohmann::json::object();
    for (const auto& [id, value] : values.items()) state[id] = {{"v", value}};
    nlohmann::json submitted = view;
    submitted["state"] = {{"values", state}};
    Envelope e;
    e.envelope_id = "E2";
    e.type = "interactive";
    e.accepts_response_payload = true;
    e.payload = {{"type", "view_submission"}, {"user", {{"id", "U1"}}}, {"view", submitted}};
    return handle(t, d, e);
  };
  auto refused = submit({{"title", {{"value", "Failover untested"}}},
                         {"likelihood", {{"selected_option", {{"value", "4"}}}}}});
  REQUIRE(refused.ack_payload);
  CHECK((*refused.ack_payload)["response_action"] == "errors");
  CHECK((*refused.ack_payload)["errors"]["impact"] == "Required.");
  CHECK(refused.posts.empty());

  auto saved = submit({{"title", {{"value", "Failover untested"}}},
                       {"program", {{"selected_option", {{"value", "dr-2027"}}}}},
                       {"likelihood", {{"selected_option", {{"value", "2"}}}}},
                       {"impact", {{"selected_option", {{"value", "2"}}}}}});
  CHECK_FALSE(saved.ack_payload);  // the form closes
  CHECK(saved.changed);
  REQUIRE_FALSE(saved.posts.empty());
  CHECK(saved.posts.front().message.channel == "C1");  // the slash command's reply, as a post
  CHECK(itpm::test::contains(saved.posts.front().message.text, "R-1"));
  CHECK(t.repos.find<itpm::storage::Risk>(std::uint64_t{1}));
}

TEST_CASE("a button's command runs as whoever pressed it") {
  TempStore t;
  itpm::commands::Registry registry;
  Dispatcher d(registry, {}, t.repos, t.ioc.get_executor());
  handle(t, d, slash("program add dr-2027 \"DR\" --channel <#C1>"));
  handle(t, d, slash("risk add \"Failover untested\" --program dr-2027 -l 5 -i 5"));
  auto press = [&](const std::string& user) {
    Envelope e;
    e.envelope_id = "E3";
    e.type = "interactive";
    e.payload = {{"type", "block_actions"},
                 {"user", {{"id", user}}},
                 {"channel", {{"id", "D1"}}},
                 {"response_url", "https://hooks.example/a"},
                 {"actions",
                  {{{"action_id", "itpm_run_1"}, {"type", "button"}, {"value", "risk ack R-1"}}}}};
    return handle(t, d, e);
  };
  auto stranger = press("U9");
  REQUIRE(stranger.follow_up);
  CHECK(stranger.response_url == "https://hooks.example/a");
  CHECK((*stranger.follow_up)["replace_original"] == false);
  CHECK(t.repos.find<itpm::storage::Risk>(std::uint64_t{1})->acked_at == 0);
  auto owner = press("U1");
  CHECK(owner.changed);
  CHECK(t.repos.find<itpm::storage::Risk>(std::uint64_t{1})->acked_at != 0);
}
