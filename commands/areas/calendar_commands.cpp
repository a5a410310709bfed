#include "commands/areas/calendar_commands.hpp"

#include "commands/areas/absence.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/areas/working_calendars.hpp"
#include "commands/calendar/dates.hpp"
#include "commands/calendar/review_cadence.hpp"
#include "commands/language/arg_builders.hpp"
#include "commands/render/reply.hpp"
#include "common/iso_date.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace itpm::commands {
namespace {

using storage::Absence;
using storage::Holiday;

// Whose holiday it is: "everyone" or "dr-2027's channels".
std::string holiday_scope(const std::string& program) {
  return program.empty() ? "everyone" : fmt::format("*{}*'s channels", program);
}

// The program --program names (must exist and be open) and whether the caller may change its
// holidays; for the workspace, whether the caller is an admin. The refusal or mistake if not.
std::variant<std::string, Outcome> holiday_scope_for(const ParsedCommand& cmd,
                                                     const Command& command, const Context& ctx) {
  auto key = cmd.get(arg::program);
  if (!key) {
    if (!ctx.is_admin(command.user_id))
      return refusal(
          "Only itpm admins can change the workspace's holidays. A program's owner can add one "
          "for their program: `/itpm holiday add DATE --program <key>`.");
    return std::string();
  }
  ITPM_FOUND(const storage::Program& program, open_program(cmd, ctx, *key));
  if (!runs_program(program, command.user_id, ctx))
    return refusal(fmt::format("Only {} or an itpm admin can change {}'s holidays.",
                               program_leads(program), program.key));
  return program.key;
}

// Re-plans the active review cadences a holiday change touches (the program's, or every one
// for the workspace's): the next occurrence moves off the day, or back onto it. One line per
// cadence that moved, for the reply.
std::vector<std::string> replan_reviews(Outcome& out, const Context& ctx, const Holiday& change) {
  std::vector<std::string> lines;
  auto day = common::parse_date(change.day);
  if (!day) return lines;
  std::int64_t now = millis(ctx.now);
  for (const auto& before : ctx.repos.all<storage::Review>()) {
    if (before.status != storage::ReviewStatus::active) continue;
    if (!change.program.empty() && before.program != change.program) continue;
    DaysOff off = review_days_off(ctx, before);  // as stored, without this change
    if (!change.removed) {
      off.holidays.insert(*day);
    } else if (!ctx.repos.find<Holiday>(change.program.empty() ? before.program : "", change.day)) {
      off.holidays.erase(*day);  // unless the other scope keeps it a holiday
    }
    auto next = next_review_time(before, now, off);
    if (!next || *next == before.next_at) continue;
    move_occurrence(out.writes, ctx.repos, before, *next,
                    storage::Change{std::string(bot_actor), now, "holiday"});
    lines.push_back(fmt::format("*{}* ({}): next review {}", storage::review_id(before.number),
                                before.program, show_occurrence(*next, before.zone)));
  }
  return lines;
}

Outcome add(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const std::string& program, holiday_scope_for(cmd, command, ctx));
  std::string day;
  std::string error;
  if (!date_flag(cmd, ctx, arg::date, day, error)) return mistake(cmd, error);
  std::string name = cmd.get(arg::name).value_or("");
  if (auto e = length_error("name", name, 80); !e.empty()) return mistake(cmd, e);
  if (auto existing = ctx.repos.find<Holiday>(program, day)) {
    return mistake(
        cmd,
        fmt::format(
            "{} is already a holiday for {}{}.", show_date(day), holiday_scope(program),
            existing->name.empty() ? "" : fmt::format(" ({})", shown_text(existing->name, 80))));
  }
  Holiday holiday{program, day, name, command.user_id, millis(ctx.now)};
  Outcome out;
  ctx.repos.save(out.writes, holiday, nullptr, storage::Change{command.user_id, holiday.at, "add"});
  std::vector<std::string> paragraphs = {
      fmt::format("🏖️ {}{} is a holiday for {}, added by {}.", show_date(day),
                  name.empty() ? "" : fmt::format(" ({})", shown_text(name, 80)),
                  holiday_scope(program), user_mention(command.user_id)),
      "Nothing scheduled is sent then; reviews that fall on it are skipped."};
  for (auto& line : replan_reviews(out, ctx, holiday)) paragraphs.push_back(std::move(line));
  out.reply = text_reply(Visibility::in_channel, paragraphs);
  return out;
}

Outcome remove(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const std::string& program, holiday_scope_for(cmd, command, ctx));
  std::string day;
  std::string error;
  if (!date_flag(cmd, ctx, arg::date, day, error)) return mistake(cmd, error);
  auto before = ctx.repos.find<Holiday>(program, day);
  if (!before) {
    return mistake(cmd, fmt::format("{} is not a holiday for {}. See them with `/itpm holiday "
                                    "list{}`.",
                                    show_date(day), holiday_scope(program),
                                    program.empty() ? "" : " --program " + program));
  }
  Holiday after = *before;
  after.removed = true;
  Outcome out;
  ctx.repos.save(out.writes, after, &*before,
                 storage::Change{command.user_id, millis(ctx.now), "remove"});
  std::vector<std::string> paragraphs = {
      fmt::format("🗓️ {} is a working day again for {}, said {}.", show_date(day),
                  holiday_scope(program), user_mention(command.user_id))};
  for (auto& line : replan_reviews(out, ctx, after)) paragraphs.push_back(std::move(line));
  out.reply = text_reply(Visibility::in_channel, paragraphs);
  return out;
}

Outcome list(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  std::vector<Holiday> all = ctx.repos.holidays_of("");
  std::string program;
  if (auto key = cmd.get(arg::program)) {
    auto p = ctx.repos.find<storage::Program>(*key);
    if (!p) return unknown_program(cmd, ctx, *key);
    program = p->key;
    auto own = ctx.repos.holidays_of(program);
    all.insert(all.end(), own.begin(), own.end());
  }
  auto year = cmd.get(arg::year);
  std::string today = iso_date(today_in(ctx.now, ctx.zone));
  std::erase_if(all, [&](const Holiday& h) {
    return year ? !h.day.starts_with(std::to_string(*year) + "-") : h.day < today;
  });
  std::sort(all.begin(), all.end(), [](const Holiday& a, const Holiday& b) {
    return std::tie(a.day, a.program) < std::tie(b.day, b.program);
  });
  std::string when = year ? fmt::format("in {}", *year) : "from today on";
  std::string scope = program.empty() ? "" : fmt::format(" for {}", program);
  if (all.empty()) {
    return reply_only(
        text_reply(query_visibility(cmd),
                   {fmt::format("No holidays{} {}.", scope, when),
                    "Add one: `/itpm holiday add 2026-12-25 \"Christmas Day\"` (admins), or with "
                    "--program for a program's channels."}));
  }
  std::vector<std::string> lines;
  for (const auto& h : all) {
    lines.push_back(fmt::format("• {}{} · {}", show_date(h.day),
                                h.name.empty() ? "" : " " + shown_text(h.name, 80),
                                h.program.empty() ? "everyone" : h.program));
  }
  std::size_t count = lines.size();
  lines = page_of(cmd, std::move(lines));
  return reply_only(page_reply(cmd, command, query_visibility(cmd),
                               fmt::format("*Holidays{} {}*: {}", scope, when, count), lines, count,
                               "Narrow with --year, or raise --limit."));
}

Outcome ooo_set(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  std::string today = iso_date(today_in(ctx.now, ctx.zone));
  Absence absence{command.user_id, today, "", "", command.user_id, millis(ctx.now)};
  std::string error;
  if (!date_flag(cmd, ctx, arg::from, absence.from, error) ||
      !date_flag(cmd, ctx, arg::until, absence.until, error))
    return mistake(cmd, error);
  if (absence.until < absence.from)
    return mistake(cmd, fmt::format("--until {} is before --from {}.", show_date(absence.until),
                                    show_date(absence.from)));
  if (absence.until < today)
    return mistake(cmd, fmt::format("--until {} has passed; say when you are back.",
                                    show_date(absence.until)));
  auto from_day = common::days_from_date(absence.from);
  auto until_day = common::days_from_date(absence.until);
  if (until_day - from_day > 365)
    return mistake(cmd, "An absence lasts at most a year; set it again when it is over.");
  absence.delegate = cmd.get(arg::delegate).value_or("");
  if (absence.delegate == command.user_id)
    return mistake(cmd, "Your delegate is someone else: leave --delegate out to have nobody.");
  auto before = ctx.repos.find<Absence>(command.user_id);
  Outcome out;
  ctx.repos.save(out.writes, absence, before ? &*before : nullptr,
                 storage::Change{command.user_id, absence.at, "set"});
  std::vector<std::string> paragraphs = {fmt::format(
      "🌴 You are out from {} until {}.", show_date(absence.from), show_date(absence.until))};
  paragraphs.push_back(
      absence.delegate.empty()
          ? "Nobody acts for you: escalations that would DM you go straight to the next level, "
            "and reminders wait until you are back. Name someone with --delegate @u."
          : fmt::format("What the bot would DM you goes to {} meanwhile, saying it is for you.",
                        user_mention(absence.delegate)));
  out.reply = text_reply(Visibility::ephemeral, paragraphs);
  return out;
}

Outcome ooo_clear(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  auto before = ctx.repos.find<Absence>(command.user_id);
  if (!before) return mistake(cmd, "You are not out of office; nothing to clear.");
  Absence after = *before;
  after.until.clear();
  Outcome out;
  ctx.repos.save(out.writes, after, &*before,
                 storage::Change{command.user_id, millis(ctx.now), "clear"});
  out.reply = text_reply(Visibility::ephemeral,
                         {"👋 Welcome back: the bot DMs you again, and what waited for you comes "
                          "in your working hours."});
  return out;
}

Outcome ooo_list(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  std::vector<std::string> lines;
  for (const auto& a : out_today_all(ctx)) lines.push_back(out_of_office_line(a));
  if (lines.empty()) {
    return reply_only(text_reply(query_visibility(cmd),
                                 {"Nobody is out of office today.",
                                  "Going away? `/itpm ooo set --until DATE [--delegate @u]`"}));
  }
  std::size_t count = lines.size();
  lines = page_of(cmd, std::move(lines));
  return reply_only(page_reply(cmd, command, query_visibility(cmd),
                               fmt::format("*Out of office today*: {}", count), lines, count,
                               "Raise --limit to see more."));
}

}  // namespace

AreaSpec holiday_area() {
  using namespace args;
  auto year = range(arg::year, 2000, 2100, false);
  return {"holiday",
          {"holidays"},
          "Days nobody works: nothing scheduled is sent, reviews skip them",
          "list",
          {
              {"add",
               {"new"},
               "Declare a holiday (admins; a program's owner with --program)",
               {req(arg::date, "DATE"), opt(arg::name, "[\"name\"]")},
               {program_flag},
               add,
               Access::writes},
              {"list",
               {"ls"},
               "Holidays from today on, or of a year",
               {},
               {program_flag, year, limit_flag, page_flag, share_flag},
               list,
               Access::reads_widely},
              {"remove",
               {"rm", "delete"},
               "Make a holiday a working day again",
               {req(arg::date, "DATE")},
               {program_flag},
               remove,
               Access::writes},
          }};
}

AreaSpec ooo_area() {
  using namespace args;
  return {"ooo",
          {"away"},
          "Out of office: who acts for you while you are away",
          "list",
          {
              {"set",
               {},
               "Say you are away, and who acts for you",
               {},
               {opt(arg::from, "DATE"), req(arg::until, "DATE"), opt(arg::delegate, "@u")},
               ooo_set,
               Access::writes},
              {"clear", {"back"}, "Say you are back", {}, {}, ooo_clear, Access::writes},
              {"list",
               {"ls"},
               "Who is out today",
               {},
               {limit_flag, page_flag, share_flag},
               ooo_list,
               Access::reads_widely},
          }};
}

}  // namespace itpm::commands
