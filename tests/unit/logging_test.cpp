// What a log line says of an envelope: its ids, who sent it and what it asks for, never the
// words people typed about their work.
#include "bot/ops/logging.hpp"

#include <catch2/catch.hpp>

using itpm::bot::Envelope;
using itpm::bot::envelope_fields;

namespace {

Envelope slash(const std::string& text) {
  return Envelope{"e-1", "slash_commands", true, 0, {{"user_id", "U1"}, {"text", text}}};
}

}  // namespace

TEST_CASE("an envelope's log fields name its verb and sender only") {
  CHECK(envelope_fields(slash(R"(risk add "Secret migration" -l 2)")).verb == "risk add");
  CHECK(envelope_fields(slash("RISK List --program dr")).verb == "risk list");
  CHECK(envelope_fields(slash("decision search failover")).verb == "decision search");
  CHECK(envelope_fields(slash("status dr-2027 red \"vendor gone\"")).verb == "status");
  CHECK(envelope_fields(slash("  ")).verb == "help");
  CHECK(envelope_fields(slash("\"quoted words\"")).verb.empty());
  CHECK(envelope_fields(slash("r1sk add")).verb.empty());
  auto f = envelope_fields(slash("help"));
  CHECK(f.envelope_id == "e-1");
  CHECK(f.user == "U1");
  CHECK_FALSE(f.ms);
  auto event = envelope_fields(Envelope{
      "e-2",
      "events_api",
      false,
      0,
      {{"event_id", "Ev1"}, {"event", {{"type", "app_mention"}, {"user", "U2"}, {"text", "hi"}}}}});
  CHECK(event.event_id == "Ev1");
  CHECK(event.user == "U2");
  CHECK(event.verb == "app_mention");
  auto press = envelope_fields(Envelope{
      "e-3", "interactive", false, 0, {{"type", "block_actions"}, {"user", {{"id", "U3"}}}}});
  CHECK(press.user == "U3");
  CHECK(press.verb == "block_actions");
}
