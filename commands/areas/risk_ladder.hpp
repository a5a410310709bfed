#pragma once
// The escalation ladder (commands.md §2, risk). Level 1: a DM to the owner. Level 2, one
// ladder step later if nobody acknowledged: a post in the program channel mentioning owner
// and sponsor. Level 3, one more step later: a post in the escalation channel (the program
// channel when none is configured). Each level after the first is a job in the schedule that
// carries the time the ladder started, so a job of a ladder that was stopped (ack, close, a
// score below the threshold) or started again is dropped when it falls due. A risk whose
// mitigation due date passes while it is still open enters the ladder through a job at the
// end of that day: no scan of the register.

#include "commands/command.hpp"
#include "commands/job.hpp"

#include <string>

namespace itpm::commands {

// “Primary DB failover untested”
std::string quoted_title(const storage::Risk& risk);
// The same, appended to `out` (a list line is built in one buffer).
void append_quoted_title(std::string& out, const storage::Risk& risk);

// Puts `risk` on the ladder at level 1: the DM to the owner is an effect of `out`, the
// level-2 job goes into its writes. `reason` is stored with the risk (plain text); `why` is
// the mrkdwn sentence the owner reads ("" for none).
void start_ladder(Outcome& out, storage::Risk& risk, const Context& ctx, const std::string& reason,
                  const std::string& why);

// When `risk` has a mitigation due date, schedules the check at the end of that day (in the
// context's zone) that starts the ladder if the risk is still open then.
void schedule_overdue_check(Outcome& out, const storage::Risk& risk, const Context& ctx);

// Runs a due ladder step (climbs one level) or overdue check (starts the ladder); both do
// nothing when the risk moved on. `reply.text` says what happened, for the log.
Outcome climb_ladder(const LadderStep& job, const Context& ctx);
Outcome check_overdue(const RiskOverdue& job, const Context& ctx);

}  // namespace itpm::commands
