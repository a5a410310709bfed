#include "bot/slack/envelope.hpp"

#include <catch2/catch.hpp>

using namespace itpm::bot;

TEST_CASE("hello, disconnect and envelopes are told apart") {
  auto hello = parse_frame(
      R"({"type":"hello","num_connections":2,"debug_info":{"host":"h","approximate_connection_time":18060},"connection_info":{"app_id":"A1"}})");
  REQUIRE(std::holds_alternative<Hello>(hello));
  CHECK(std::get<Hello>(hello).num_connections == 2);
  CHECK(std::get<Hello>(hello).approximate_connection_time == 18060);
  CHECK(std::get<Hello>(hello).app_id == "A1");

  auto bye = parse_frame(
      R"({"type":"disconnect","reason":"refresh_requested","debug_info":{"host":"wss-111"}})");
  REQUIRE(std::holds_alternative<Disconnect>(bye));
  CHECK(std::get<Disconnect>(bye).reason == "refresh_requested");

  auto env = parse_frame(
      R"({"envelope_id":"E1","type":"events_api","accepts_response_payload":false,"retry_attempt":2,"retry_reason":"timeout","payload":{"event_id":"Ev1"}})");
  REQUIRE(std::holds_alternative<Envelope>(env));
  CHECK(std::get<Envelope>(env).envelope_id == "E1");
  CHECK(std::get<Envelope>(env).retry_attempt == 2);
  CHECK(std::get<Envelope>(env).payload["event_id"] == "Ev1");
}

TEST_CASE("bad frames are reported, never thrown") {
  CHECK(std::holds_alternative<BadFrame>(parse_frame("not json")));
  CHECK(std::holds_alternative<BadFrame>(parse_frame("[1,2]")));
  CHECK(std::holds_alternative<BadFrame>(parse_frame(R"({"type":"slash_commands"})")));
  CHECK(std::holds_alternative<BadFrame>(
      parse_frame(R"({"type":"slash_commands","envelope_id":7})")));
  CHECK(std::holds_alternative<BadFrame>(parse_frame("")));
}

TEST_CASE("acks carry the payload only when given one") {
  CHECK(make_ack("E1", nullptr) == R"({"envelope_id":"E1"})");
  nlohmann::json p = {{"text", "ok"}};
  CHECK(nlohmann::json::parse(make_ack("E1", &p)) ==
        nlohmann::json({{"envelope_id", "E1"}, {"payload", {{"text", "ok"}}}}));
}

TEST_CASE("a slash command payload becomes a Command, a reply becomes an ack payload") {
  auto cmd = to_command(nlohmann::json::parse(
      R"({"user_id":"U1","channel_id":"C1","team_id":"T1","text":"risk list","response_url":"https://hooks.slack.com/x","trigger_id":"t"})"));
  CHECK(cmd.user_id == "U1");
  CHECK(cmd.text == "risk list");
  CHECK(cmd.response_url == "https://hooks.slack.com/x");
  CHECK(to_command(nlohmann::json(42)).user_id.empty());

  itpm::commands::Reply reply;
  reply.visibility = itpm::commands::Visibility::in_channel;
  reply.text = "hi";
  auto payload = reply_payload(reply);
  CHECK(payload["response_type"] == "in_channel");
  CHECK_FALSE(payload.contains("blocks"));
}

TEST_CASE("the sender's team is read where each kind of envelope carries it") {
  Envelope event;
  event.type = "events_api";
  event.payload = {{"team_id", "T1"},
                   {"event", {{"type", "message"}, {"user", "U1"}, {"team", "T1"}}}};
  CHECK(sender_team(event) == "T1");
  event.payload["event"]["user_team"] = "T2";  // a shared channel's message from another org
  CHECK(sender_team(event) == "T2");
  Envelope press;
  press.type = "interactive";
  press.payload = {{"team", {{"id", "T1"}}}, {"user", {{"id", "U1"}, {"team_id", "T3"}}}};
  CHECK(sender_team(press) == "T3");
  Envelope slash;
  slash.type = "slash_commands";
  slash.payload = {{"team_id", "T1"}, {"user_id", "U1"}};
  CHECK(sender_team(slash).empty());  // users.info says
  slash.payload = nlohmann::json::array();
  CHECK(sender_team(slash).empty());
}
