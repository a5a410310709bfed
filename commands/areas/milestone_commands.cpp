#include "commands/areas/milestone_commands.hpp"

#include "commands/language/arg_builders.hpp"
#include "common/iso_date.hpp"

#include "commands/areas/dep_commands.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/areas/item_access.hpp"
#include "commands/calendar/dates.hpp"
#include "commands/render/reply.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace itpm::commands {
namespace {

using storage::Change;
using storage::Milestone;
using storage::Program;

std::int64_t days_between(const std::string& from, const std::string& to) {
  return common::days_from_date(to) - common::days_from_date(from);
}

std::string plural_days(std::int64_t n) {
  return fmt::format("{} day{}", n, n == 1 ? "" : "s");
}

std::string line(const Milestone& m, std::chrono::sys_days today) {
  std::string out =
      fmt::format("{} *{}* {} · “{}” · ", m.status == storage::WorkStatus::done ? "✅" : "🎯",
                  storage::milestone_id(m.number), m.program, shown_text(m.title, 120));
  if (m.status == storage::WorkStatus::done) {
    out += "done " + show_date(m.done_on);
  } else {
    out += milestone_due(m, today);
  }
  out += " · owner " + user_mention(m.owner);
  if (!m.slips.empty()) out += fmt::format(" · slipped {}×", m.slips.size());
  return out;
}

const ItemRules<Milestone> milestone_rules = {
    "milestone",
    "M-3",
    "See them with `/itpm milestone list`.",
    [](const Milestone& m, const Context&) { return std::vector<std::string>{m.owner}; },
    [](const Milestone& m, const Context&) {
      return "the milestone owner " + user_mention(m.owner);
    },
    [](const Milestone& m, const Context&) {
      return m.status == storage::WorkStatus::done
                 ? fmt::format("{} is done since {}.", storage::milestone_id(m.number),
                               show_date(m.done_on))
                 : std::string();
    }};

Outcome add(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const Program& program, open_program(cmd, ctx, cmd.required(arg::program)));
  Milestone m;
  m.program = program.key;
  m.title = cmd.required(arg::title);
  if (auto e = length_error("title", m.title, 200); !e.empty()) return mistake(cmd, e);
  std::string error;
  if (!date_flag(cmd, ctx, arg::due, m.due, error)) return mistake(cmd, error);
  m.original_due = m.due;
  m.owner = cmd.get(arg::owner).value_or(command.user_id);
  m.channel = command.channel_id;
  m.created_by = command.user_id;
  m.created_at = millis(ctx.now);
  Outcome out;
  m.number = ctx.repos.next_number<storage::Milestone>(out.writes);
  ctx.repos.save(out.writes, m, nullptr, Change{command.user_id, m.created_at, "add"});
  auto today = today_in(ctx.now, ctx.zone);
  out.reply = text_reply(
      Visibility::in_channel,
      {fmt::format("🎯 *{}* · {} · “{}”", storage::milestone_id(m.number), m.program,
                   shown_text(m.title, 200)),
       fmt::format("{} · owner {}", milestone_due(m, today), user_mention(m.owner)),
       fmt::format("Done: `/itpm milestone done {}` · moved: `/itpm milestone slip {} --due DATE "
                   "--reason \"...\"`",
                   storage::milestone_id(m.number), storage::milestone_id(m.number))});
  return out;
}

Outcome done(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const Milestone& before,
             item_to_change(cmd, command, ctx, milestone_rules, "complete"));
  auto today = today_in(ctx.now, ctx.zone);
  Milestone after = before;
  after.done_on = iso_date(today);
  std::string error;
  if (!date_flag(cmd, ctx, arg::date, after.done_on, error)) return mistake(cmd, error);
  if (after.done_on > iso_date(today))
    return mistake(cmd, fmt::format("{} is in the future.", show_date(after.done_on)));
  after.status = storage::WorkStatus::done;
  after.done_at = millis(ctx.now);
  Outcome out;
  ctx.repos.save(out.writes, after, &before, Change{command.user_id, after.done_at, "done"});
  std::int64_t early = days_between(after.done_on, after.due);
  std::string timing = early > 0    ? plural_days(early) + " early"
                       : early == 0 ? "on its due date"
                                    : plural_days(-early) + " late";
  std::vector<std::string> paragraphs = {
      fmt::format("✅ *{}* done · {} · “{}”", storage::milestone_id(after.number), after.program,
                  shown_text(after.title, 200)),
      fmt::format("{} by {}, {} (due {})", show_date(after.done_on), user_mention(command.user_id),
                  timing, show_date(after.due))};
  if (!after.slips.empty()) {
    paragraphs.push_back(fmt::format("Slipped {}× from {} first planned.", after.slips.size(),
                                     show_date(after.original_due)));
  }
  out.reply = text_reply(Visibility::in_channel, paragraphs);
  return out;
}

Outcome slip(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const Milestone& before, item_to_change(cmd, command, ctx, milestone_rules, "move"));
  std::string id = storage::milestone_id(before.number);
  std::string due;
  std::string error;
  if (!date_flag(cmd, ctx, arg::due, due, error)) return mistake(cmd, error);
  if (due <= before.due) {
    return mistake(cmd, fmt::format("{} is due {}; a slip moves it later (got {}).", id,
                                    show_date(before.due), show_date(due)));
  }
  std::string reason = cmd.required(arg::reason);
  if (auto e = length_error("reason", reason, 500); !e.empty()) return mistake(cmd, e);
  Milestone after = before;
  after.due = due;
  auto now = millis(ctx.now);
  after.slips.push_back(storage::Slip{before.due, due, reason, command.user_id, now});
  Outcome out;
  ctx.repos.save(out.writes, after, &before, Change{command.user_id, now, "slip"});
  tell_dependents(out, before, after, ctx);
  std::vector<std::string> paragraphs = {
      fmt::format("⏰ *{}* slipped by {} · {} · “{}”", id, user_mention(command.user_id),
                  after.program, shown_text(after.title, 200)),
      fmt::format("{} → {} (+{}) · Reason: {}", show_date(before.due), show_date(due),
                  plural_days(days_between(before.due, due)), shown_text(reason, 500))};
  if (after.slips.size() > 1) {
    paragraphs.push_back(fmt::format("Slip {} since first planned for {}.", after.slips.size(),
                                     show_date(after.original_due)));
  }
  out.reply = text_reply(Visibility::in_channel, paragraphs);
  return out;
}

Outcome list(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  std::string program = cmd.get(arg::program).value_or("");
  if (!program.empty() && !ctx.repos.find<storage::Program>(program))
    return unknown_program(cmd, ctx, program);
  bool overdue = cmd.get(arg::overdue);
  bool done = cmd.get(arg::done);
  bool all = cmd.get(arg::all);
  if (done && all) return mistake(cmd, "Give --done or --all, not both.");
  if (overdue && (done || all))
    return mistake(cmd, "--overdue lists open milestones; leave out --done and --all.");
  auto today = today_in(ctx.now, ctx.zone);
  std::string today_iso = iso_date(today);
  auto window = page_window(cmd);
  // Open ones soonest first, then (--all) done ones most recently done first.
  std::size_t open_total = 0;
  std::size_t done_total = 0;
  std::vector<Milestone> shown;
  if (!done)
    shown = ctx.repos.open_milestones(overdue ? today_iso : "", program, window, &open_total);
  if (done || all) {
    // The page continues into the done ones where the open ones end.
    storage::Window rest{window.skip > open_total ? window.skip - open_total : 0,
                         window.take - shown.size()};
    for (auto& m :
         ctx.repos.done_work<Milestone>(storage::day_milestone_done, program, rest, &done_total))
      shown.push_back(std::move(m));
  }
  std::size_t total = open_total + done_total;
  std::string what = overdue ? "overdue milestone"
                     : done  ? "done milestone"
                     : all   ? "milestone"
                             : "open milestone";
  std::string scope = program.empty() ? "" : " in " + program;
  if (total == 0) {
    return reply_only(
        text_reply(query_visibility(cmd),
                   {fmt::format("No {}s{}.", what, scope),
                    "Add one: `/itpm milestone add <program> \"<title>\" --due DATE`"}));
  }
  std::vector<std::string> lines;
  for (const auto& m : shown) lines.push_back(line(m, today));
  std::string order = done  ? "most recently done first"
                      : all ? "open ones soonest first, then the most recently done"
                            : "soonest first";
  return reply_only(
      page_reply(cmd, command, query_visibility(cmd),
                 fmt::format("*{} {}{}{}*, {}", total, what, total == 1 ? "" : "s", scope, order),
                 lines, total,
                 done || all ? "Narrow with --program, or raise --limit."
                             : "Narrow with --program or --overdue, or raise --limit."));
}

}  // namespace

std::string milestone_due(const Milestone& m, std::chrono::sys_days today) {
  std::int64_t left = common::days_from_date(m.due) - today.time_since_epoch().count();
  if (left == 0) return "due today";
  if (left == 1) return "due tomorrow (" + show_date(m.due) + ")";
  if (left > 1) return fmt::format("due {} (in {})", show_date(m.due), plural_days(left));
  return fmt::format("_overdue {}_ (due {})", plural_days(-left), show_date(m.due));
}

AreaSpec milestone_area() {
  using namespace args;
  return {"milestone",
          {"ms", "milestones"},
          "Milestones and their due dates",
          "list",
          {
              {"add",
               {"new"},
               "Add a milestone",
               {req(arg::program, "<program>"), req(arg::title, "\"<title>\"")},
               {req(arg::due, "DATE"), owner_flag},
               add,
               Access::writes},
              {"done",
               {"complete"},
               "Mark a milestone done",
               {req(arg::id, "M-n")},
               {opt(arg::date, "DATE")},
               done,
               Access::writes},
              {"slip",
               {},
               "Move a milestone's due date",
               {req(arg::id, "M-n")},
               {req(arg::due, "DATE"), req(arg::reason, "\"...\"")},
               slip,
               Access::writes},
              {"list",
               {"ls"},
               "List milestones (open ones unless --done or --all)",
               {},
               {program_flag, sw(arg::overdue), sw(arg::done), sw(arg::all), limit_flag, page_flag,
                share_flag},
               list,
               Access::reads_page},
          }};
}

}  // namespace itpm::commands
