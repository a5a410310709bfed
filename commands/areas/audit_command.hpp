#pragma once

#include "commands/command.hpp"
#include "commands/language/parser.hpp"

namespace itpm::commands {

// The grammar and handlers of `audit <id>`: every change to a program, risk or decision, oldest
// first.
AreaSpec audit_area();

// An item's history as mrkdwn paragraphs of "• when · who · action — what changed" lines (the
// newest `max` entries; times in `zone`), each paragraph short enough for one Slack section.
std::vector<std::string> history_paragraphs(const std::vector<storage::AuditEntry>& entries,
                                            const std::string& zone, std::size_t max);

}  // namespace itpm::commands
