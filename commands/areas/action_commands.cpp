#include "commands/areas/action_commands.hpp"

#include "commands/job.hpp"

#include "commands/language/arg_builders.hpp"
#include "common/iso_date.hpp"

#include "commands/areas/absence.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/areas/item_access.hpp"
#include "commands/areas/working_calendars.hpp"
#include "commands/calendar/dates.hpp"
#include "commands/render/reply.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace itpm::commands {
namespace {

using storage::Action;
using storage::Change;

std::string days(std::int64_t n) {
  return fmt::format("{} day{}", n, n == 1 ? "" : "s");
}

std::string quoted(const Action& a) {
  return "“" + shown_text(a.title, 200) + "”";
}

// "due Sat 2026-12-27 (in 30 days)" or "_past its SLO by 3 days_ (due …)"
std::string due_text(const Action& a, std::chrono::sys_days today) {
  std::int64_t left = common::days_from_date(a.due) - today.time_since_epoch().count();
  if (left >= 0) {
    return fmt::format("due {} ({})", show_date(a.due),
                       left == 0 ? std::string("today") : "in " + days(left));
  }
  return fmt::format("_past its SLO by {}_ (due {})", days(-left), show_date(a.due));
}

std::string line(const Action& a, std::chrono::sys_days today) {
  std::string out = fmt::format("🛠 *{}* {} {} · owner {} · {}", storage::action_id(a.number),
                                a.severity, quoted(a), user_mention(a.owner), due_text(a, today));
  if (!a.program.empty()) out += " · " + a.program;
  if (!a.incident.empty()) out += " · " + shown_text(a.incident, 60);
  return out;
}

// Where an action's alerts go: its program's channel, else where it was added.
std::string alert_channel(const Action& a, const Context& ctx) {
  if (!a.program.empty()) {
    if (auto p = ctx.repos.find<storage::Program>(a.program)) return p->channel;
  }
  return a.channel;
}

Outcome add(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  Action a;
  a.title = cmd.required(arg::title);
  if (auto e = length_error("title", a.title, 200); !e.empty()) return mistake(cmd, e);
  a.severity = cmd.required(arg::severity);
  std::transform(a.severity.begin(), a.severity.end(), a.severity.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  if (auto v = cmd.get(arg::incident)) a.incident = *v;
  if (auto e = length_error("incident", a.incident, 200); !e.empty()) return mistake(cmd, e);
  if (auto v = cmd.get(arg::program)) {
    ITPM_FOUND(const storage::Program& program, open_program(cmd, ctx, *v));
    a.program = program.key;
  }
  a.owner = cmd.get(arg::owner).value_or(command.user_id);
  a.slo_days = ctx.policy.slo_days[static_cast<std::size_t>(a.severity[1] - '1')];
  auto today = today_in(ctx.now, ctx.zone);
  a.due = iso_date(today + std::chrono::days(a.slo_days));
  a.channel = command.channel_id;
  a.created_by = command.user_id;
  a.created_at = millis(ctx.now);

  Outcome out;
  a.number = ctx.repos.next_number<storage::Action>(out.writes);
  std::string id = storage::action_id(a.number);
  ctx.repos.save(out.writes, a, nullptr, Change{command.user_id, a.created_at, "add"});
  // The SLO is calendar days (its breach at the end of the due day); the reminder comes when
  // three quarters of its working days have passed (commands.md §6).
  std::int64_t breach = start_of_day_ms(today + std::chrono::days(a.slo_days + 1), ctx.zone);
  schedule(out, ctx,
           share_of_working_days(channel_calendar(ctx, a.program), a.created_at, breach, 3, 4),
           ActionStep{ActionStep::Kind::reminder, a.number, a.due});
  schedule(out, ctx, breach, ActionStep{ActionStep::Kind::breach, a.number, a.due});

  std::vector<std::string> paragraphs = {
      fmt::format("🛠 *{}* · {} · {}{}", id, a.severity, quoted(a),
                  a.incident.empty() ? "" : " · from " + shown_text(a.incident, 200)),
      fmt::format("owner {} · {} ({}-day SLO){}", user_mention(a.owner), due_text(a, today),
                  a.slo_days, a.program.empty() ? "" : " · " + a.program)};
  if (a.owner != command.user_id) {
    PostMessage dm;
    dm.to_user = a.owner;
    dm.text = fmt::format(
        "🛠 {} gave you corrective action {} ({}) {}, due {} ({}-day SLO). When done: `/itpm "
        "action done {}`.",
        user_mention(command.user_id), id, a.severity, quoted(a), show_date(a.due), a.slo_days, id);
    send_dm(out, ctx, std::move(dm));
  }
  out.reply = text_reply(Visibility::in_channel, paragraphs);
  return out;
}

const ItemRules<Action> action_rules = {
    "action",
    "A-5",
    "See them with `/itpm action list`.",
    [](const Action& a, const Context&) {
      return std::vector<std::string>{a.owner, a.created_by};
    },
    [](const Action& a, const Context&) {
      return "the action owner " + user_mention(a.owner) + ", " + user_mention(a.created_by) +
             " (who added it)";
    },
    [](const Action& a, const Context&) {
      return a.status == storage::WorkStatus::done
                 ? fmt::format("{} is done since {}.", storage::action_id(a.number),
                               show_date(a.done_on))
                 : std::string();
    }};

Outcome done(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const Action& before, item_to_change(cmd, command, ctx, action_rules, "complete"));
  std::string id = storage::action_id(before.number);
  Action after = before;
  after.status = storage::WorkStatus::done;
  after.done_on = iso_date(today_in(ctx.now, ctx.zone));
  after.done_at = millis(ctx.now);
  Outcome out;
  ctx.repos.save(out.writes, after, &before, Change{command.user_id, after.done_at, "done"});
  std::int64_t spare = common::days_from_date(after.due) - common::days_from_date(after.done_on);
  out.reply = text_reply(
      Visibility::in_channel,
      {fmt::format("✅ *{}* done by {} · {} {}", id, user_mention(command.user_id), after.severity,
                   quoted(after)),
       spare >= 0 ? fmt::format("Within its {}-day SLO ({} to spare).", after.slo_days, days(spare))
                  : fmt::format("{} past its {}-day SLO.", days(-spare), after.slo_days)});
  return out;
}

Outcome list(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  bool overdue = cmd.get(arg::overdue);
  bool done = cmd.get(arg::done);
  bool all = cmd.get(arg::all);
  if (done && all) return mistake(cmd, "Give --done or --all, not both.");
  if (overdue && (done || all))
    return mistake(cmd, "--overdue lists open actions; leave out --done and --all.");
  std::string owner = cmd.get(arg::owner).value_or("");
  auto today = today_in(ctx.now, ctx.zone);
  std::string today_iso = iso_date(today);
  auto window = page_window(cmd);
  std::function<bool(const Action&)> of_owner;
  if (!owner.empty()) of_owner = [&](const Action& a) { return a.owner == owner; };
  // Open ones soonest due first, then (--all) done ones most recently done first.
  std::size_t open_total = 0;
  std::size_t done_total = 0;
  std::vector<Action> shown;
  if (!done) {
    shown = ctx.repos.open_actions(overdue ? today_iso : std::string(), "", window, &open_total,
                                   of_owner);
  }
  if (done || all) {
    // The page continues into the done ones where the open ones end.
    storage::Window rest{window.skip > open_total ? window.skip - open_total : 0,
                         window.take - shown.size()};
    for (auto& a :
         ctx.repos.done_work<Action>(storage::day_action_closed, "", rest, &done_total, of_owner))
      shown.push_back(std::move(a));
  }
  std::size_t total = open_total + done_total;
  std::string for_owner = owner.empty() ? "" : " for " + user_mention(owner);
  if (total == 0) {
    std::string none = overdue ? "corrective actions past their SLO"
                       : done  ? "done corrective actions"
                       : all   ? "corrective actions"
                               : "open corrective actions";
    return reply_only(text_reply(
        query_visibility(cmd),
        {fmt::format("No {}{}.", none, for_owner),
         "Add one: `/itpm action add \"<title>\" --severity S1|S2|S3|S4 [--incident REF]`"}));
  }
  std::vector<std::string> lines;
  for (const auto& a : shown) lines.push_back(line(a, today));
  std::string s = total == 1 ? "" : "s";
  std::string header =
      overdue ? fmt::format("*{} corrective action{} past {} SLO*", total, s,
                            total == 1 ? "its" : "their")
      : done  ? fmt::format("*{} done corrective action{}{}*, most recently done first", total, s,
                            for_owner)
      : all
          ? fmt::format(
                "*{} corrective action{}{}*, open ones soonest due first, then the "
                "most recently done",
                total, s, for_owner)
          : fmt::format("*{} open corrective action{}{}*, soonest due first", total, s, for_owner);
  return reply_only(page_reply(cmd, command, query_visibility(cmd), header, lines, total,
                               done || all
                                   ? "Narrow with --owner, or raise --limit."
                                   : "Narrow with --owner or --overdue, or raise --limit."));
}

Outcome note(Outcome out, std::string text) {
  out.reply.text = std::move(text);
  return out;
}

}  // namespace

Outcome fire_action_job(const ActionStep& job, const Context& ctx) {
  Outcome out;
  std::string id = storage::action_id(job.action);
  auto before = ctx.repos.find<storage::Action>(job.action);
  if (!before || before->status != storage::WorkStatus::open || before->due != job.due) {
    return note(std::move(out), fmt::format("{} job of {} dropped: nothing to do",
                                            job_row(job)["kind"].get<std::string>(), id));
  }
  const Action& a = *before;
  if (job.kind == ActionStep::Kind::reminder) {
    PostMessage dm;
    dm.to_user = a.owner;
    dm.text = fmt::format(
        "⏳ Corrective action {} ({}) {} is due {}: 75% of its {}-day SLO has passed. When done: "
        "`/itpm action done {}`.",
        id, a.severity, quoted(a), show_date(a.due), a.slo_days, id);
    send_dm(out, ctx, std::move(dm), {{"Mark done", "action done " + id}});
    return note(std::move(out), id + ": owner reminded");
  }
  Action after = a;
  PostMessage post;
  if (job.kind == ActionStep::Kind::breach) {
    after.breach_level = 1;
    post.channel = alert_channel(a, ctx);
    post.text = fmt::format(
        "🚨 *{}* ({}) {} breached its {}-day SLO (due {}). Owner {}: close it with `/itpm "
        "action done {}`.",
        id, a.severity, quoted(a), a.slo_days, show_date(a.due), user_mention(a.owner), id);
    // A ladder step later, counting working days of the program's channels only.
    schedule(out, ctx, step_end(channel_calendar(ctx, a.program), millis(ctx.now), ctx),
             ActionStep{ActionStep::Kind::escalate, a.number, a.due});
  } else {
    if (ctx.policy.escalation_channel.empty() || a.breach_level != 1) {
      return note(std::move(out), id + ": no escalation channel configured; not escalated");
    }
    after.breach_level = 2;
    post.channel = ctx.policy.escalation_channel;
    post.text = fmt::format(
        "🚨 Escalation: corrective action *{}* ({}) {} is still open after its {}-day SLO ended "
        "(due {}). Owner {}.{}",
        id, a.severity, quoted(a), a.slo_days, show_date(a.due), user_mention(a.owner),
        a.incident.empty() ? "" : " Incident: " + shown_text(a.incident, 200) + ".");
  }
  auto program = a.program.empty() ? std::nullopt : ctx.repos.find<storage::Program>(a.program);
  concerns(post, id,
           job.kind == ActionStep::Kind::breach ? "SLO breach notice" : "SLO breach escalation",
           {a.owner, program ? program->owner : std::string()});
  send(out, std::move(post));
  ctx.repos.save(out.writes, after, &a,
                 Change{std::string(bot_actor), millis(ctx.now), "escalate"});
  return note(std::move(out), fmt::format("{}: breach level {}", id, after.breach_level));
}

AreaSpec action_area() {
  using namespace args;
  return {"action",
          {"actions", "ca", "a"},
          "Corrective actions from incidents",
          "list",
          {
              {"add",
               {"new"},
               "Add a corrective action",
               {req(arg::title, "\"<title>\"")},
               {choice(arg::severity, {"S1", "S2", "S3", "S4"}, true), opt(arg::incident, "REF"),
                owner_flag, program_flag},
               add,
               Access::writes},
              {"done",
               {"complete", "close"},
               "Mark an action done",
               {req(arg::id, "A-n")},
               {},
               done,
               Access::writes},
              {"list",
               {"ls"},
               "List corrective actions (open ones unless --done or --all)",
               {},
               {sw(arg::overdue), sw(arg::done), sw(arg::all), owner_flag, limit_flag, page_flag,
                share_flag},
               list,
               Access::reads_page},
          }};
}

}  // namespace itpm::commands
