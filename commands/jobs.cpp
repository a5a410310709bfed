#include "commands/jobs.hpp"

#include "commands/areas/action_commands.hpp"
#include "commands/areas/risk_ladder.hpp"
#include "commands/calendar/review_cadence.hpp"

namespace itpm::commands {

Outcome fire_job(const storage::ScheduledJob& job, const Context& ctx) {
  std::string kind = job.job.is_object() ? job.job.value("kind", "") : "";
  if (kind == "review_reminder" || kind == "review") return fire_review_job(job, ctx);
  if (kind == "risk_ladder") return climb_ladder(job, ctx);
  if (kind == "risk_overdue") return check_overdue(job, ctx);
  if (kind.starts_with("action_")) return fire_action_job(job, ctx);
  Outcome out;
  ctx.repos.jobs().unschedule(out.writes, job);
  out.reply.text = "a job of unknown kind \"" + kind + "\" was dropped";
  return out;
}

std::string job_item(const storage::ScheduledJob& job) {
  if (!job.job.is_object()) return "";
  if (job.job.contains("review"))
    return storage::review_id(job.job.value("review", std::uint64_t{0}));
  if (job.job.contains("risk")) return storage::risk_id(job.job.value("risk", std::uint64_t{0}));
  if (job.job.contains("action"))
    return storage::action_id(job.job.value("action", std::uint64_t{0}));
  return "";
}

}  // namespace itpm::commands
