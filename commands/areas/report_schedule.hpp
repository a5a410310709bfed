#pragma once
// Reports on a cadence (commands.md §7): `report schedule --every "<spec>" --channel #c
// [--program key] [--tz Area/City]`, `report schedules`, `report unschedule P-n`. A schedule
// keeps one live occurrence (`next_at`) with one "report" job in the schedule, as a review
// cadence does; the job posts the status report of the period since the previous report and
// plans the next one, so a report is posted exactly once however often the bot restarts.

#include "commands/command.hpp"
#include "commands/job.hpp"
#include "commands/language/grammar.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace itpm::commands {

// The verbs `report schedule`, `report schedules` and `report unschedule`.
std::vector<VerbSpec> report_schedule_verbs();

// Runs report schedule P-<job.schedule>'s job for `job.occurrence` at ctx.now: a stale job (the
// schedule was cancelled, or moved on) is dropped; otherwise the report is posted in its
// channel and the next occurrence planned. `reply.text` says what happened, for the log.
Outcome fire_report_job(const ReportDue& job, const Context& ctx);

// The program whose channel hours a report keeps: its own, or the workspace's ("") for a
// report of every program. nullopt when the schedule is gone or no longer active.
std::optional<std::string> report_program(const ReportDue& job, const Context& ctx);

// The soonest active report schedule of each program, "" for the reports of every program (one
// scan of the schedules), for the Home tab.
std::map<std::string, storage::ReportSchedule> next_reports(const storage::Repositories& repos);

}  // namespace itpm::commands
