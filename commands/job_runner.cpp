#include "commands/job_runner.hpp"

#include "commands/areas/action_commands.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/areas/risk_ladder.hpp"
#include "commands/calendar/review_cadence.hpp"

namespace itpm::commands {

Outcome fire_job(const storage::ScheduledJob& row, const std::optional<Job>& job,
                 const Context& ctx) {
  Outcome out;
  if (job) {
    out = std::visit(Overloaded{
                         [&](const ReviewReminder& j) {
                           return fire_review_job(row, j.review, j.occurrence, true, ctx);
                         },
                         [&](const ReviewOccurrence& j) {
                           return fire_review_job(row, j.review, j.occurrence, false, ctx);
                         },
                         [&](const LadderStep& j) { return climb_ladder(j, ctx); },
                         [&](const RiskOverdue& j) { return check_overdue(j, ctx); },
                         [&](const ActionStep& j) { return fire_action_job(j, ctx); },
                     },
                     *job);
    ctx.repos.jobs().unschedule(out.writes, row);
    return out;
  }
  std::string why =
      row.job.is_object() && row.job.contains("kind")
          ? "a job of unknown kind or with bad fields (kind " + row.job["kind"].dump() + ")"
          : std::string("a malformed job row");
  ctx.repos.jobs().quarantine(out.writes, row, why, millis(ctx.now));
  out.reply.text = why + " was moved to the quarantine";
  return out;
}

std::string job_item(const Job& job) {
  return std::visit(Overloaded{
                        [](const ReviewReminder& j) { return storage::review_id(j.review); },
                        [](const ReviewOccurrence& j) { return storage::review_id(j.review); },
                        [](const LadderStep& j) { return storage::risk_id(j.risk); },
                        [](const RiskOverdue& j) { return storage::risk_id(j.risk); },
                        [](const ActionStep& j) { return storage::action_id(j.action); },
                    },
                    job);
}

}  // namespace itpm::commands
