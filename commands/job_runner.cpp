#include "commands/job_runner.hpp"

#include "commands/areas/absence.hpp"
#include "commands/areas/action_commands.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/areas/report_schedule.hpp"
#include "commands/areas/risk_ladder.hpp"
#include "commands/areas/working_calendars.hpp"
#include "commands/calendar/dates.hpp"
#include "commands/calendar/review_cadence.hpp"
#include "commands/render/reply.hpp"

#include <fmt/format.h>

namespace itpm::commands {
namespace {

// A job that runs this much after its due time says so in what it posts.
constexpr std::int64_t late_after_ms = 5 * 60'000;

// The program whose channel a job posts in outside any DM (ladder levels 2 and 3, SLO breach
// notices and their escalation, scheduled reports), when it is one: such a post keeps that
// channel's working time. nullopt for jobs whose time is their own (a review's reminder, the team
// chose it) or whose post is a DM.
std::optional<std::string> posting_program(const Job& job, const Context& ctx) {
  return std::visit(Overloaded{
                        [&](const LadderStep& j) -> std::optional<std::string> {
                          auto risk = ctx.repos.find<storage::Risk>(j.risk);
                          if (!risk || !risk->on_ladder()) return std::nullopt;
                          return risk->program;
                        },
                        [&](const ActionStep& j) -> std::optional<std::string> {
                          if (j.kind == ActionStep::Kind::reminder) return std::nullopt;
                          auto action = ctx.repos.find<storage::Action>(j.action);
                          if (!action || action->status != storage::WorkStatus::open)
                            return std::nullopt;
                          return action->program;
                        },
                        [&](const ReportDue& j) { return report_program(j, ctx); },
                        [](const auto&) -> std::optional<std::string> { return std::nullopt; },
                    },
                    job);
}

// When the job of `row` first came due: a job held for working time after downtime keeps that
// (`was_due`), so its post can still say it.
std::int64_t first_due(const storage::ScheduledJob& row) {
  auto was = row.job.is_object() ? row.job.find("was_due") : row.job.end();
  return was != row.job.end() && was->is_number_integer() ? was->get<std::int64_t>() : row.due_ms;
}

}  // namespace

Outcome fire_job(const storage::ScheduledJob& row, const std::optional<Job>& job,
                 const Context& ctx) {
  Outcome out;
  if (job) {
    // Due outside its channel's working time (a weekend, a holiday, the night, or while the
    // bot was down): the same job moves to the next working instant, once, with a note in the
    // item's history.
    if (auto program = posting_program(*job, ctx)) {
      WorkCalendar calendar = channel_calendar(ctx, *program);
      std::int64_t now = millis(ctx.now);
      if (!calendar.is_working(now)) {
        std::int64_t next = calendar.next_working(now);
        ctx.repos.jobs().unschedule(out.writes, row);
        nlohmann::json moved = job_row(*job);
        // Held after downtime: when it fires, its post says when it was first due.
        if (std::int64_t due = first_due(row); now - due >= late_after_ms) moved["was_due"] = due;
        ctx.repos.jobs().schedule(out.writes, next, std::move(moved));
        std::string held = fmt::format("held until {}: outside {}'s working time",
                                       show_time(next, calendar.zone()),
                                       program->empty() ? std::string("the workspace") : *program);
        ctx.repos.note(out.writes, job_item(*job),
                       storage::Change{std::string(bot_actor), now, "held"}, held);
        out.reply.text = job_item(*job) + " " + held;
        return out;
      }
    }
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
                         [&](const HeldDm& j) { return fire_held_dm(j, ctx); },
                         [&](const ReportDue& j) { return fire_report_job(j, ctx); },
                     },
                     *job);
    // Came due while the bot was down (commands.md §6): sent once, now, saying when it was due.
    // A review's reminder says so itself, within its grace window.
    std::int64_t due = first_due(row);
    if (millis(ctx.now) - due >= late_after_ms && !std::holds_alternative<ReviewReminder>(*job) &&
        !std::holds_alternative<ReviewOccurrence>(*job)) {
      std::string said =
          fmt::format("_This was due {}; the bot was offline then._", show_time(due, ctx.zone));
      for (auto& effect : out.effects) {
        if (auto* post = std::get_if<PostMessage>(&effect)) {
          post->text += "\n" + said;
          post->blocks.push_back(section(said));
        }
      }
    }
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
                        [](const ReportDue& j) { return storage::report_id(j.schedule); },
                        [](const HeldDm& j) {
                          std::string item = j.message.value("about_item", "");
                          return item.empty() ? std::string("ooo") : item;
                        },
                    },
                    job);
}

}  // namespace itpm::commands
