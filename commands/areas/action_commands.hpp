#pragma once
// Corrective actions (commands.md §2): due within the SLO of their severity (config slo-s1..4,
// default 7/30/60/90 days). The owner is reminded when 75% of the SLO time has passed; at the
// end of the due day an action still open is posted as breached in its channel, and one
// ladder step later in the escalation channel. All three are jobs in the schedule.

#include "commands/command.hpp"
#include "commands/job.hpp"
#include "commands/language/parser.hpp"

namespace itpm::commands {

AreaSpec action_area();

// Runs a due corrective-action job (reminder, breach, escalation); each does nothing when the
// action was done or its due date changed meanwhile.
Outcome fire_action_job(const ActionStep& job, const Context& ctx);

}  // namespace itpm::commands
