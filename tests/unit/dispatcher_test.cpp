#include "bot/dispatcher.hpp"

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

// Without a store nothing is committed, so `done` runs at once.
Dispatched handle(Dispatcher& d, const Envelope& e) {
  std::optional<Dispatched> out;
  d.handle(e, [&](Dispatched result) { out = std::move(result); });
  REQUIRE(out);
  return std::move(*out);
}

Dispatcher::Post inline_post() {
  return [](std::function<void()> task) { task(); };
}

}  // namespace

TEST_CASE("a slash command's reply rides on the ack when Slack accepts one") {
  itpm::commands::Registry registry;
  Dispatcher d(registry, {}, "UTC", nullptr, inline_post());
  auto out = handle(d, slash("help"));
  REQUIRE(out.ack_payload);
  CHECK((*out.ack_payload)["response_type"] == "ephemeral");
  CHECK_FALSE(out.follow_up);

  auto later = handle(d, slash("help", false));
  CHECK_FALSE(later.ack_payload);
  REQUIRE(later.follow_up);
  CHECK(later.response_url == "https://hooks.example/r");
}

TEST_CASE("events are handled once per event_id") {
  itpm::commands::Registry registry;
  Dispatcher d(registry, {}, "UTC", nullptr, inline_post());
  CHECK(handle(d, mention("Ev1")).posts.size() == 1);
  CHECK(handle(d, mention("Ev1")).posts.empty());
  CHECK(handle(d, mention("Ev2")).posts.size() == 1);
}

TEST_CASE("odd events are acked and ignored") {
  itpm::commands::Registry registry;
  Dispatcher d(registry, {}, "UTC", nullptr, inline_post());
  Envelope limited;
  limited.type = "events_api";
  limited.payload = {{"type", "app_rate_limited"}, {"event_id", "Ev9"}};
  CHECK(handle(d, limited).posts.empty());
  CHECK(handle(d, mention("Ev3", "U1> <!channel")).posts.empty());
  Envelope interactive;
  interactive.type = "interactive";
  CHECK_FALSE(handle(d, interactive).ack_payload);
}
