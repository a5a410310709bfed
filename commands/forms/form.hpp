#pragma once
// Forms (Slack modals) as another front-end to a verb: the form's fields are the verb's
// arguments from the grammar table, and a submission becomes the ParsedCommand the same
// handler runs, so a form has the command's rules, permissions, audit and durability.

#include "commands/command.hpp"
#include "commands/language/parser.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace itpm::commands {

// The callback_id of every form the bot opens.
inline constexpr std::string_view form_callback_id = "itpm_form";

// The message shortcuts (deploy/manifest.yaml): each opens a form prefilled from the message.
inline constexpr std::string_view log_decision_shortcut = "itpm_log_decision";
inline constexpr std::string_view log_risk_shortcut = "itpm_log_risk";

// A verb with a form, and the positionals typed with it (review record's program).
struct FormRequest {
  const AreaSpec* area = nullptr;
  const VerbSpec* verb = nullptr;
  std::map<std::string, std::string, std::less<>> pinned;  // positional -> value as typed
};

// The form that `text` (a bare `risk add`, `decision add`, `milestone add`, `action add`, or
// `review record <program>`) opens; nullopt for any other text, which runs as typed
// (`status <program>` shows the latest status, commands.md §2).
std::optional<FormRequest> form_request(std::string_view text, const Grammar& grammar);

// The form of `verb_path` ("decision add") with nothing pinned; nullopt if it has none.
std::optional<FormRequest> form_named(std::string_view verb_path, const Grammar& grammar);

// What a form shows filled in when it opens: field name -> a value (a user ID for a person).
using Prefill = std::map<std::string, std::string, std::less<>>;

// What the form of `verb_path` ("decision add", "risk add") starts with when opened on a
// message: its first line as the title, its author as the decider or owner, and its text and
// `link` (its permalink, may be empty) where the form has room for them.
Prefill shortcut_prefill(std::string_view verb_path, std::string_view message_text,
                         const std::string& author, const std::string& link);

// The modal (a views.open `view`) for `request`, opened in `channel`: one input per argument
// (a picker of open programs, menus for ranges and choices, a person picker, date pickers,
// text areas); the program picker starts at the channel's program. Within Slack's limits on
// views (at most 100 blocks and 100 options a menu, title 24 characters, metadata 3,000).
nlohmann::json form_view(const FormRequest& request, const Context& ctx, const std::string& channel,
                         const Prefill& prefill = {});

// A submitted form read back: the command to run, or the fields' mistakes (block_id -> what
// is wrong), checked with the parser's rules.
struct FormSubmission {
  ParsedCommand cmd;
  std::string channel;  // where the form was opened; the reply goes there
  std::map<std::string, std::string> errors;
};

// The submission in a view_submission's `view`; nullopt when it is not one of the bot's
// forms or its metadata names no form. Never throws.
std::optional<FormSubmission> read_form(const nlohmann::json& view, const Grammar& grammar);

// The mistake a handler answered a submission with, as the error of the field it concerns
// (the one it names; else the first field shown).
std::map<std::string, std::string> field_errors(const FormSubmission& submission,
                                                const Reply& reply);

}  // namespace itpm::commands
