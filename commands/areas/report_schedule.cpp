#include "commands/areas/report_schedule.hpp"

#include "commands/areas/handler_support.hpp"
#include "commands/areas/item_access.hpp"
#include "commands/areas/report_command.hpp"
#include "commands/areas/risk_heatmap.hpp"
#include "commands/calendar/dates.hpp"
#include "commands/calendar/recurrence.hpp"
#include "commands/calendar/review_cadence.hpp"
#include "commands/language/arg_builders.hpp"
#include "commands/render/reply.hpp"

#include <fmt/format.h>

namespace itpm::commands {
namespace {

using storage::Change;
using storage::ReportSchedule;

// The first report of `schedule` strictly after `after_ms`: the review cadence engine, read
// without holidays (a report on a day off waits for the channel's working time instead).
std::optional<std::int64_t> next_report_time(const ReportSchedule& schedule,
                                             std::int64_t after_ms) {
  storage::Review cadence;
  cadence.every = schedule.every;
  cadence.zone = schedule.zone;
  cadence.anchor = schedule.anchor;
  return next_review_time(cadence, after_ms);
}

std::string cadence_of(const ReportSchedule& s) {
  return describe_cadence(s.every, s.zone);
}

std::string scope_of(const ReportSchedule& s) {
  return s.program.empty() ? std::string("every program") : "*" + s.program + "*";
}

const ItemRules<ReportSchedule> report_rules{
    "report schedule",
    "P-2",
    "See them with `/itpm report schedules`.",
    [](const ReportSchedule& s, const Context&) { return std::vector<std::string>{s.created_by}; },
    [](const ReportSchedule& s, const Context&) {
      return "whoever scheduled it (" + user_mention(s.created_by) + ")";
    },
    [](const ReportSchedule& s, const Context&) {
      return s.status == storage::ReviewStatus::cancelled
                 ? fmt::format("{} was already unscheduled.", storage::report_id(s.number))
                 : std::string();
    },
};

// Makes `at` the schedule's next report and puts its job in the schedule.
void plan(Outcome& out, const Context& ctx, ReportSchedule& s, std::int64_t at) {
  s.next_at = at;
  schedule(out, ctx, at, ReportDue{s.number, at});
}

Outcome schedule_report(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ReportSchedule s;
  if (auto key = cmd.get(arg::program)) {
    ITPM_FOUND(const storage::Program& program, open_program(cmd, ctx, *key));
    if (!runs_program(program, command.user_id, ctx)) {
      return refusal(fmt::format("Only {} or an itpm admin can schedule {}'s report.",
                                 program_leads(program), program.key));
    }
    s.program = program.key;
  } else if (!ctx.is_admin(command.user_id)) {
    return refusal(
        "Only itpm admins can schedule the report of every program; a program's owner or "
        "sponsor can schedule theirs with --program.");
  }
  auto spec = parse_recurrence(cmd.required(arg::every));
  if (auto* error = std::get_if<std::string>(&spec)) return mistake(cmd, *error);
  s.every = to_spec(std::get<Recurrence>(spec));
  s.zone = cmd.get(arg::tz).value_or(ctx.zone);
  if (auto err = zone_error(s.zone); !err.empty()) return mistake(cmd, err);
  s.channel = cmd.required(arg::channel);
  for (const auto& other : ctx.repos.all<ReportSchedule>()) {
    if (other.status == storage::ReviewStatus::active && other.program == s.program &&
        other.channel == s.channel && other.every == s.every && other.zone == s.zone) {
      return mistake(cmd, fmt::format("That report is already scheduled: {}.",
                                      storage::report_id(other.number)));
    }
  }
  s.created_by = command.user_id;
  s.created_at = millis(ctx.now);
  s.anchor = iso_date(today_in(ctx.now, s.zone));
  auto next = next_report_time(s, s.created_at);
  if (!next) return mistake(cmd, "That cadence has no occurrence in the next ten years.");

  Outcome out;
  s.number = ctx.repos.next_number<ReportSchedule>(out.writes);
  plan(out, ctx, s, *next);
  ctx.repos.save(out.writes, s, nullptr, Change{command.user_id, s.created_at, "add"});
  std::string id = storage::report_id(s.number);
  out.reply = text_reply(
      Visibility::in_channel,
      {fmt::format("📊 *{}* report of {} scheduled by {}: {}, in {}", id, scope_of(s),
                   user_mention(command.user_id), cadence_of(s), channel_mention(s.channel)),
       fmt::format("First report {}; each says what changed since the one before. Stop it: "
                   "`/itpm report unschedule {}`",
                   show_occurrence(s.next_at, s.zone), id)});
  return out;
}

Outcome list_schedules(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  std::vector<std::string> lines;
  for (const auto& s : ctx.repos.all<ReportSchedule>()) {
    if (s.status != storage::ReviewStatus::active) continue;
    lines.push_back(
        fmt::format("• *{}* {} · {} · {} · next {}{}", storage::report_id(s.number), scope_of(s),
                    cadence_of(s), channel_mention(s.channel), show_occurrence(s.next_at, s.zone),
                    s.last_at != 0 ? " · last " + show_time(s.last_at, ctx.zone) : std::string()));
  }
  if (lines.empty()) {
    return reply_only(text_reply(
        query_visibility(cmd),
        {"No report is scheduled.",
         "Schedule one: `/itpm report schedule --every \"mon 09:00\" --channel #leadership`"}));
  }
  std::size_t count = lines.size();
  lines = page_of(cmd, std::move(lines));
  return reply_only(page_reply(cmd, command, query_visibility(cmd),
                               fmt::format("*Scheduled reports*: {}", count), lines, count,
                               "Raise --limit to see more."));
}

Outcome unschedule(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const ReportSchedule& before,
             item_to_change(cmd, command, ctx, report_rules, "unschedule"));
  Outcome out = cancel_cadence(before, ctx, command.user_id);
  out.reply =
      text_reply(Visibility::in_channel,
                 {fmt::format("🛑 *{}* unscheduled by {}: no more reports of {} in {}.",
                              storage::report_id(before.number), user_mention(command.user_id),
                              scope_of(before), channel_mention(before.channel))});
  return out;
}

}  // namespace

std::vector<VerbSpec> report_schedule_verbs() {
  using namespace args;
  return {
      {"schedule",
       {},
       "Post the report on a cadence",
       {},
       {req(arg::every, "\"<spec>\""), req(arg::channel, "#c"), program_flag,
        opt(arg::tz, "Area/City")},
       schedule_report,
       Access::writes},
      {"schedules",
       {},
       "List the scheduled reports",
       {},
       {limit_flag, page_flag, share_flag},
       list_schedules,
       Access::reads_widely},
      {"unschedule",
       {},
       "Stop a scheduled report",
       {req(arg::id, "P-n")},
       {},
       unschedule,
       Access::writes},
  };
}

std::optional<std::string> report_program(const ReportDue& job, const Context& ctx) {
  auto s = ctx.repos.find<ReportSchedule>(job.schedule);
  if (!s || s->status != storage::ReviewStatus::active || s->next_at != job.occurrence)
    return std::nullopt;
  return s->program;
}

Outcome fire_report_job(const ReportDue& job, const Context& ctx) {
  Outcome out;
  std::string id = storage::report_id(job.schedule);
  auto before = ctx.repos.find<ReportSchedule>(job.schedule);
  if (!before || before->status != storage::ReviewStatus::active ||
      before->next_at != job.occurrence) {
    out.reply.text = id + ": a stale report job was dropped";
    return out;
  }
  ReportSchedule after = *before;
  std::int64_t now = millis(ctx.now);
  // The period since the previous report (the first: since the schedule was made).
  std::int64_t since = before->last_at != 0 ? before->last_at : before->created_at;
  std::string header = fmt::format("📊 *Scheduled report {}* · {} · since {}", id, scope_of(*before),
                                   show_time(since, before->zone));
  auto built = status_report(before->program, since, header, Visibility::in_channel, ctx);
  if (std::holds_alternative<std::string>(built)) {
    // Its program is gone: the schedule ends.
    out = cancel_cadence(*before, ctx, std::string(bot_actor));
    out.reply.text = id + " ended: its program is gone";
    return out;
  }
  Reply report = std::move(std::get<Reply>(built));
  PostMessage post;
  post.channel = before->channel;
  post.text = std::move(report.text);
  post.blocks = std::move(report.blocks);
  // The risk picture follows the text, when there are open risks to show.
  HeatmapChart grid = risk_grid(ctx.repos, before->program, ctx.policy.escalation_threshold);
  if (grid.total() > 0) {
    post.chart =
        heatmap_chart(before->program.empty() ? "all programs" : before->program, grid, "");
    post.text_too = true;
  }
  std::vector<std::string> tell = {before->created_by};
  if (auto program = ctx.repos.find<storage::Program>(before->program))
    tell.push_back(program->owner);
  concerns(post, id, "the scheduled report", tell);
  out.effects.emplace_back(std::move(post));
  after.last_at = now;
  // The next one after now: after downtime, one report covers the whole gap.
  auto next = next_report_time(after, std::max(now, job.occurrence));
  if (next) {
    plan(out, ctx, after, *next);
  } else {
    after.status = storage::ReviewStatus::cancelled;
    after.cancelled_at = now;
  }
  ctx.repos.save(out.writes, after, &*before, Change{std::string(bot_actor), now, "reported"});
  out.reply.text = fmt::format("{} report posted; next {}", id,
                               next ? show_occurrence(*next, after.zone) : std::string("none"));
  return out;
}

std::map<std::string, ReportSchedule> next_reports(const storage::Repositories& repos) {
  std::map<std::string, ReportSchedule> soonest;
  for (auto& s : repos.all<ReportSchedule>()) {
    if (s.status != storage::ReviewStatus::active) continue;
    auto [it, added] = soonest.try_emplace(s.program, s);
    if (!added && s.next_at < it->second.next_at) it->second = std::move(s);
  }
  return soonest;
}

}  // namespace itpm::commands
