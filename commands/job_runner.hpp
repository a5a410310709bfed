#pragma once
// Firing due jobs: one pure function from a stored job row and the current state to the
// writes and posts that follow (commands.md §2: review reminders, the escalation ladder,
// overdue mitigations, corrective-action SLOs).

#include "commands/command.hpp"
#include "commands/job.hpp"

#include <optional>
#include <string>

namespace itpm::commands {

// Runs `job`, parsed from `row` (nullopt: the row is of an unknown kind or malformed, and is
// moved to the quarantine), at ctx.now. The writes always remove the row from the schedule;
// `reply.text` says what happened, for the log.
Outcome fire_job(const storage::ScheduledJob& row, const std::optional<Job>& job,
                 const Context& ctx);

// The item a job reads and changes ("V-2", "R-12", "A-3"): two jobs of one item must not be
// run from the same snapshot, so the scheduler commits between them.
std::string job_item(const Job& job);

}  // namespace itpm::commands
