#pragma once

#include "commands/command.hpp"
#include "commands/language/parser.hpp"

namespace itpm::commands {

// The grammar and handlers of `report [program] [--since DATE] [--share]`: each program's status
// (and what it was before the period), risks opened and closed, decisions, milestones done and
// slipped, and the corrective actions due within a week or past their SLO.
AreaSpec report_area();

}  // namespace itpm::commands
