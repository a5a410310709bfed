// Fuzzes one Socket Mode text frame as the client reads it: parse_frame, then what the client
// does with each kind of envelope (the slash command, the event, the button press) and the ack
// it sends back. Properties: nothing throws, and the ack is JSON naming the same envelope.
#include "bot/slack/envelope.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <variant>

namespace {

void check_ack(const itpm::bot::Envelope& envelope, const nlohmann::json* payload) {
  auto ack =
      nlohmann::json::parse(itpm::bot::make_ack(envelope.envelope_id, payload), nullptr, false);
  if (ack.is_discarded() || !ack.is_object() ||
      ack.value("envelope_id", "") != envelope.envelope_id)
    itpm::fuzz::fail("the ack is JSON naming the envelope", envelope.envelope_id);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto frame = itpm::bot::parse_frame(text);
    auto* envelope = std::get_if<itpm::bot::Envelope>(&frame);
    if (envelope == nullptr) return 0;
    if (envelope->envelope_id.empty()) itpm::fuzz::fail("an envelope has an id", text);
    if (envelope->type == "slash_commands") {
      auto command = itpm::bot::to_command(envelope->payload);
      auto reply = itpm::bot::reply_payload(itpm::commands::Reply{
          itpm::commands::Visibility::ephemeral, command.text, nlohmann::json::array()});
      check_ack(*envelope, &reply);
    } else if (envelope->type == "events_api") {
      (void)itpm::bot::parse_event(envelope->payload);
      check_ack(*envelope, nullptr);
    } else if (envelope->type == "interactive") {
      if (auto press = itpm::bot::parse_button_press(envelope->payload);
          press && !itpm::bot::is_slack_id(press->user))
        itpm::fuzz::fail("a press comes from a Slack user ID", press->user);
      check_ack(*envelope, nullptr);
    }
  } catch (const std::exception& e) {
    itpm::fuzz::fail("reading a frame never throws", std::string(text) + "\n" + e.what());
  }
  return 0;
}
