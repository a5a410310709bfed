#include "commands/areas/risk_ladder.hpp"

#include "commands/job.hpp"

#include "common/iso_date.hpp"

#include "commands/areas/absence.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/areas/working_calendars.hpp"
#include "commands/calendar/dates.hpp"

#include <fmt/format.h>

namespace itpm::commands {
namespace {

using storage::Risk;

// "R-1 “Primary DB failover untested” (dr-2027, critical, score 20)"
std::string summary(const Risk& risk, const Context& ctx) {
  return fmt::format("*{}* {} ({}, {}, score {})", storage::risk_id(risk.number),
                     quoted_title(risk), risk.program,
                     band(risk.score(), ctx.policy.escalation_threshold), risk.score());
}

Outcome note(Outcome out, std::string text) {
  out.reply.text = std::move(text);
  return out;
}

}  // namespace

void append_quoted_title(std::string& out, const Risk& risk) {
  out += "“";
  out += shown_text(risk.title, 200);
  out += "”";
}

std::string quoted_title(const Risk& risk) {
  std::string out;
  append_quoted_title(out, risk);
  return out;
}

void start_ladder(Outcome& out, Risk& risk, const Context& ctx, const std::string& reason,
                  const std::string& why) {
  risk.escalation_level = 1;
  risk.escalated_at = millis(ctx.now);
  risk.acked_at = 0;
  risk.escalation_reason = reason;
  std::string id = storage::risk_id(risk.number);
  auto absence = out_today(ctx, risk.owner);
  if (absence && absence->delegate.empty()) {
    // Nobody would read level 1: the ladder goes straight on to level 2 (commands.md §6).
    schedule(out, ctx, risk.escalated_at, LadderStep{risk.number, 2, risk.escalated_at});
    return;
  }
  PostMessage dm;
  dm.to_user = risk.owner;
  dm.text = fmt::format(
      "🔺 You own a {} risk: {} {} ({}, score {}).{}\nAcknowledge with `/itpm risk ack {}`, "
      "or lower it with `/itpm risk update {} --likelihood 2`.",
      band(risk.score(), ctx.policy.escalation_threshold), id, quoted_title(risk), risk.program,
      risk.score(), why.empty() ? "" : " " + why, id, id);
  // A DM Slack refuses (the owner left the workspace) goes to the program's owner instead.
  auto program = ctx.repos.find<storage::Program>(risk.program);
  concerns(dm, id, "escalation level 1 (a DM to the owner)",
           {program ? program->owner : std::string()});
  send_dm(out, ctx, std::move(dm), {{"Acknowledge", "risk ack " + id}});
  schedule(out, ctx, step_end(channel_calendar(ctx, risk.program), risk.escalated_at, ctx),
           LadderStep{risk.number, 2, risk.escalated_at});
}

void schedule_overdue_check(Outcome& out, const Risk& risk, const Context& ctx) {
  auto due = common::parse_date(risk.due);
  if (!due) return;
  schedule(out, ctx, start_of_day_ms(*due + std::chrono::days(1), ctx.zone),
           RiskOverdue{risk.number, risk.due});
}

Outcome climb_ladder(const LadderStep& job, const Context& ctx) {
  Outcome out;
  auto number = job.risk;
  int level = job.level;
  auto ladder = job.ladder;
  auto before = ctx.repos.find<storage::Risk>(number);
  if (!before || !before->on_ladder() || before->escalated_at != ladder ||
      before->escalation_level != level - 1 || level < 2 || level > 3) {
    return note(std::move(out), fmt::format("ladder step {} of {} dropped: the risk moved on",
                                            level, storage::risk_id(number)));
  }
  auto program = ctx.repos.find<storage::Program>(before->program);
  Risk after = *before;
  after.escalation_level = level;
  std::string id = storage::risk_id(number);
  auto waited =
      std::chrono::duration_cast<std::chrono::minutes>(ctx.policy.ladder_step) * (level - 1);
  // Reached early only when the owner is out with nobody acting for them.
  std::string unacked =
      millis(ctx.now) - ladder <
              std::chrono::duration_cast<std::chrono::milliseconds>(ctx.policy.ladder_step).count()
          ? std::string("cannot be acknowledged now")
          : "has not been acknowledged for " + spelled_duration(waited.count());
  std::string away = away_note(ctx, after.owner);
  if (!away.empty()) away = "\n" + away + ".";
  PostMessage post;
  post.channel = program ? program->channel : before->channel;
  if (level == 2) {
    std::string who = user_mention(after.owner);
    if (program && !program->sponsor.empty() && program->sponsor != after.owner)
      who += " and sponsor " + user_mention(program->sponsor);
    post.text = fmt::format(
        "🔺 Escalation level 2: {} {}.{}\nOwner {}: acknowledge with `/itpm risk ack {}`, or "
        "lower it with `/itpm risk update {} --likelihood 2`.",
        summary(after, ctx), unacked, away, who, id, id);
  } else {
    if (!ctx.policy.escalation_channel.empty()) post.channel = ctx.policy.escalation_channel;
    std::string leads = program ? " · " + program_leads(*program) : std::string();
    post.text = fmt::format(
        "🚨 Escalation level 3: {} {}.{}\nOwner {}{}. Why: {}\n"
        "See it with `/itpm risk show {}`; the owner stops this with `/itpm risk ack {}`.",
        summary(after, ctx), unacked, away, user_mention(after.owner), leads,
        shown_text(after.escalation_reason, 300), id, id);
  }
  // Refused (a private channel the bot is not in, an archived one): the risk's owner and the
  // program's owner hear of it, and the ladder still moves on.
  concerns(post, id, fmt::format("escalation level {}", level),
           {after.owner, program ? program->owner : std::string()});
  send(out, std::move(post));
  if (level == 2) {
    // The people just alerted get a whole step to answer, even when this one ran late.
    schedule(out, ctx, step_end(channel_calendar(ctx, after.program), millis(ctx.now), ctx),
             LadderStep{number, 3, ladder});
  }
  ctx.repos.save(out.writes, after, &*before,
                 storage::Change{std::string(bot_actor), millis(ctx.now), "escalate"});
  return note(std::move(out), fmt::format("{} escalated to level {}", id, level));
}

Outcome check_overdue(const RiskOverdue& job, const Context& ctx) {
  Outcome out;
  auto number = job.risk;
  const std::string& due = job.due;
  auto before = ctx.repos.find<storage::Risk>(number);
  std::string id = storage::risk_id(number);
  if (!before || before->due != due || before->on_ladder() ||
      (before->status != storage::RiskStatus::open &&
       before->status != storage::RiskStatus::mitigating)) {
    return note(std::move(out), fmt::format("overdue check of {} dropped: nothing to do", id));
  }
  Risk after = *before;
  start_ladder(out, after, ctx, "mitigation overdue since " + show_date(due),
               fmt::format("Its mitigation was due {} and it is still {}.", show_date(due),
                           storage::status_name(before->status)));
  ctx.repos.save(out.writes, after, &*before,
                 storage::Change{std::string(bot_actor), millis(ctx.now), "escalate"});
  return note(std::move(out), fmt::format("{} is overdue: escalation ladder started", id));
}

}  // namespace itpm::commands
