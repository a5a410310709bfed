#pragma once

#include "commands/command.hpp"
#include "commands/language/parser.hpp"

#include <cstdint>
#include <string>
#include <variant>

namespace itpm::commands {

// The grammar and handlers of `report [program] [--since DATE] [--share]`: each program's status
// (and what it was before the period), risks opened and closed, decisions, milestones done and
// slipped, and the corrective actions due within a week or past their SLO.
AreaSpec report_area();

// The status report of program `only` ("" for every open program) for the period from `since_ms` to
// now, under `header`; for every program it also says what the period saw across the
// workspace (escalations, corrective actions past their SLO). The program's key back when
// there is no such program. `report` and scheduled reports both post it.
std::variant<Reply, std::string> status_report(const std::string& only, std::int64_t since_ms,
                                               const std::string& header, Visibility visibility,
                                               const Context& ctx);

}  // namespace itpm::commands
