#pragma once

#include "commands/registry.hpp"

namespace itpm::commands {

// Registers `report [program] [--since DATE] [--share]`: each program's status (and what it
// was before the period), risks opened and closed, decisions, milestones done and slipped,
// and the corrective actions due within a week or past their SLO.
void add_report_command(Registry& registry);

}  // namespace itpm::commands
