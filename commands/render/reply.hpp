#pragma once

#include "commands/command.hpp"

#include <string>

namespace itpm::commands {

// A Block Kit section holding mrkdwn text.
nlohmann::json section(std::string mrkdwn);
// A Block Kit context line (small grey text).
nlohmann::json context_line(const std::string& mrkdwn);

// A reply of one or more mrkdwn paragraphs: one section block each; the fallback text joins them.
Reply text_reply(Visibility visibility, std::vector<std::string> paragraphs);

// The action_id of a button whose value is a command (Slack-escaped, without "/itpm"), run
// as whoever presses it, with their permissions.
inline constexpr std::string_view run_action = "itpm_run";

// An actions block of buttons that run commands: {label, command}.
nlohmann::json command_buttons(const std::vector<std::pair<std::string, std::string>>& buttons);

// The caller's mistake: ephemeral, says what was wrong and, when known, the usage.
Reply error_reply(const std::string& message, const std::string& usage);

}  // namespace itpm::commands
