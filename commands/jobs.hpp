#pragma once
// Jobs from the schedule, as the scheduler runs them: one pure function from a due job and
// the current state to the writes and posts that follow (commands.md §2: review reminders,
// the escalation ladder, overdue mitigations).

#include "commands/command.hpp"

#include <string>

namespace itpm::commands {

// Runs `job` at ctx.now. The writes always remove the job (an unknown or malformed one
// included); `reply.text` says what happened, for the log.
Outcome fire_job(const storage::ScheduledJob& job, const Context& ctx);

// The item a job reads and changes ("V-2", "R-12"): two jobs of one item must not be run
// from the same snapshot, so the scheduler commits between them.
std::string job_item(const storage::ScheduledJob& job);

}  // namespace itpm::commands
