// Fuzzes the payload of an `interactive` envelope (a block_actions press) the way the
// dispatcher takes it: parse_button_press, then a press of a poll's button becomes a vote on
// the seeded store's open poll S-1. Properties: nothing throws, only Slack user IDs vote, and
// the presser's reply encodes as JSON and broadcasts nothing.
#include "bot/slack/envelope.hpp"
#include "commands/areas/survey_commands.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto payload = nlohmann::json::parse(text, nullptr, false);
  if (payload.is_discarded()) return 0;
  try {
    auto press = itpm::bot::parse_button_press(payload);
    if (!press || !press->action_id.starts_with(itpm::commands::vote_action_prefix) ||
        press->value.empty())
      return 0;
    if (!itpm::bot::is_slack_id(press->user))
      itpm::fuzz::fail("a press comes from a Slack user ID", press->user);
    auto outcome = itpm::commands::vote(itpm::commands::VotePress{press->user, press->value},
                                        itpm::fuzz::seeded_store().context());
    itpm::fuzz::check_shown(outcome, "");
  } catch (const std::exception& e) {
    itpm::fuzz::fail("a press never throws", std::string(text) + "\n" + e.what());
  }
  return 0;
}
