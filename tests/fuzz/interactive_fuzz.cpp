// Fuzzes the payload of an `interactive` envelope the way the dispatcher takes it: a
// block_actions press (parse_button_press; a poll's button becomes a vote on the seeded store's
// open poll S-1), a form's view_submission (read_form, then the verb's handler when the form
// is valid, or the field errors), and a message shortcut (parse_message_shortcut, then its
// prefilled form). Properties: nothing throws, only Slack user IDs vote, what is shown encodes
// as JSON and broadcasts nothing, and a form stays within Slack's 100 blocks.
#include "bot/slack/envelope.hpp"
#include "commands/areas/survey_commands.hpp"
#include "commands/command_table.hpp"
#include "commands/forms/form.hpp"
#include "commands/registry.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto payload = nlohmann::json::parse(text, nullptr, false);
  if (payload.is_discarded()) return 0;
  try {
    const auto& grammar = itpm::commands::command_grammar();
    if (payload.is_object() && payload.contains("view")) {
      if (auto form = itpm::commands::read_form(payload["view"], grammar)) {
        if (form->errors.empty()) {
          itpm::commands::Command as{"UALICE", form->channel, "", "", "", ""};
          auto outcome = itpm::commands::Registry::handle_parsed(
              form->cmd, as, itpm::fuzz::seeded_store().context());
          itpm::fuzz::check_shown(outcome, "");
          if (outcome.writes.empty()) (void)itpm::commands::field_errors(*form, outcome.reply);
        }
        (void)nlohmann::json(form->errors).dump();
      }
    }
    if (auto shortcut = itpm::bot::parse_message_shortcut(payload)) {
      if (!itpm::bot::is_slack_id(shortcut->user))
        itpm::fuzz::fail("a shortcut comes from a Slack user ID", shortcut->user);
      auto prefill = itpm::commands::shortcut_prefill("decision add", shortcut->message_text,
                                                      shortcut->author, "");
      auto view = itpm::commands::form_view(*itpm::commands::form_named("decision add", grammar),
                                            itpm::fuzz::seeded_store().context(), shortcut->channel,
                                            prefill);
      (void)view.dump();  // throws on invalid UTF-8
      if (view["blocks"].size() > 100) itpm::fuzz::fail("a form has at most 100 blocks", text);
    }
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
