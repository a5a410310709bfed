#pragma once

#include "commands/registry.hpp"

namespace itpm::commands {

// Registers the `risk` area: add, list, show, update, ack, escalate, close, heatmap
// (commands.md §2). A risk that becomes critical, or is escalated by hand, starts its
// escalation ladder: level 1 (a DM to the owner) is an effect of the command, level 2 a job
// in the schedule.
void add_risk_commands(Registry& registry);

}  // namespace itpm::commands
