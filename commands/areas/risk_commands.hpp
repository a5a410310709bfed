#pragma once

#include "commands/command.hpp"
#include "commands/language/parser.hpp"

namespace itpm::commands {

// The `risk` area, grammar and handlers: add, list, show, update, ack, escalate, close, heatmap
// (commands.md §2). A risk that becomes critical, or is escalated by hand, starts its
// escalation ladder: level 1 (a DM to the owner) is an effect of the command, level 2 a job
// in the schedule.
AreaSpec risk_area();

}  // namespace itpm::commands
