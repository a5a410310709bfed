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

}  // namespace

TEST_CASE("a slash command's reply rides on the ack when Slack accepts one") {
  itpm::commands::Registry registry;
  Dispatcher d(registry, {});
  auto out = d.handle(slash("help"));
  REQUIRE(out.ack_payload);
  CHECK((*out.ack_payload)["response_type"] == "ephemeral");
  CHECK_FALSE(out.follow_up);

  auto later = d.handle(slash("help", false));
  CHECK_FALSE(later.ack_payload);
  REQUIRE(later.follow_up);
  CHECK(later.response_url == "https://hooks.example/r");
}

TEST_CASE("events are handled once per event_id") {
  itpm::commands::Registry registry;
  Dispatcher d(registry, {});
  CHECK(d.handle(mention("Ev1")).effects.size() == 1);
  CHECK(d.handle(mention("Ev1")).effects.empty());
  CHECK(d.handle(mention("Ev2")).effects.size() == 1);
}

TEST_CASE("odd events are acked and ignored") {
  itpm::commands::Registry registry;
  Dispatcher d(registry, {});
  Envelope limited;
  limited.type = "events_api";
  limited.payload = {{"type", "app_rate_limited"}, {"event_id", "Ev9"}};
  CHECK(d.handle(limited).effects.empty());
  CHECK(d.handle(mention("Ev3", "U1> <!channel")).effects.empty());
  Envelope interactive;
  interactive.type = "interactive";
  CHECK_FALSE(d.handle(interactive).ack_payload);
}
