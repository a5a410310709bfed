#pragma once
// Firing due jobs: one pure function from a stored job row and the current state to the
// writes and posts that follow (commands.md §2: review reminders, the escalation ladder,
// overdue mitigations, corrective-action SLOs).

#include "commands/command.hpp"

#include <string>

namespace itpm::commands {

// Runs the job stored in `row` at ctx.now. The writes always remove the row (an unknown or
// malformed one included); `reply.text` says what happened, for the log.
Outcome fire_job(const storage::ScheduledJob& row, const Context& ctx);

// The item a job reads and changes ("V-2", "R-12", "A-3"; empty for a malformed row): two
// jobs of one item must not be run from the same snapshot, so the scheduler commits between
// them.
std::string job_item(const storage::ScheduledJob& row);

}  // namespace itpm::commands
