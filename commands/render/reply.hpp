#pragma once

#include "commands/command.hpp"

#include <string>

namespace itpm::commands {

// A Block Kit section holding mrkdwn text.
nlohmann::json section(const std::string& mrkdwn);
// A Block Kit context line (small grey text).
nlohmann::json context_line(const std::string& mrkdwn);

// A reply of one or more mrkdwn paragraphs: one section block each; the fallback text joins them.
Reply text_reply(Visibility visibility, const std::vector<std::string>& paragraphs);

// The caller's mistake: ephemeral, says what was wrong and, when known, the usage.
Reply error_reply(const std::string& message, const std::string& usage);

}  // namespace itpm::commands
