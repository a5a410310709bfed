#include "bot/dispatcher.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

using namespace itpm::bot;

namespace {

Envelope slash(const std::string& text, bool accepts = true) {
  Envelope e;
  e.envelope_id = "E1";
  e.type = "slash_commands";
  e.accepts_response_payload = accepts;
  e.payload = {{"user_id", "U1"},
               {"channel_id", "C1"},
               {"text", text},
               {"response_url", "https://hooks.example/r"}};
  return e;
}

Envelope mention(const std::string& event_id, const std::string& user = "U2") {
  Envelope e;
  e.envelope_id = "E-" + event_id;
  e.type = "events_api";
  e.payload = {
      {"event_id", event_id},
      {"event", {{"type", "app_mention"}, {"user", user}, {"channel", "C1"}, {"ts", "1.2"}}}};
  return e;
}

struct TempStore {
  boost::asio::io_context ioc;
  itpm::test::TempDir dir;
  std::unique_ptr<itpm::storage::Store> store = itpm::storage::Store::open(dir.path() / "db");
  itpm::storage::Repositories repos{*store};
};

// Handles `e`; what writes (a command's change, an event's dedupe row) is committed on the
// store's committer thread and finishes on the I/O context, which has work until then.
Dispatched handle(TempStore& t, Dispatcher& d, const Envelope& e) {
  std::optional<Dispatched> out;
  d.handle(e, [&](Dispatched result) { out = std::move(result); });
  t.ioc.restart();
  t.ioc.run_for(std::chrono::seconds(10));
  REQUIRE(out);
  return std::move(*out);
}

}  // namespace

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
  auto outbox = repos.outbox().entries(10);
  REQUIRE(outbox.size() == 1);
  CHECK(outbox[0].seq == out.posts[0].outbox_seq);
  CHECK(itpm::commands::from_outbox(outbox[0].message).to_user == "U2");
  CHECK(repos.find<itpm::storage::Risk>(1));
}
