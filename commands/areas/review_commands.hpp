#pragma once

#include "commands/command.hpp"
#include "commands/language/parser.hpp"

namespace itpm::commands {

// The `review` area, grammar and handlers (schedule, list, cancel, skip, now, record) and `status`
// (commands.md §2). Reminders themselves are jobs (review_cadence.hpp).
AreaSpec review_area();
AreaSpec status_area();

}  // namespace itpm::commands
