#include "commands/areas/program_commands.hpp"

#include "commands/areas/handler_support.hpp"
#include "commands/calendar/dates.hpp"
#include "commands/language/arg_builders.hpp"
#include "commands/render/reply.hpp"
#include "commands/render/slack_text.hpp"

#include <fmt/format.h>

#include <regex>
#include <variant>

namespace itpm::commands {
namespace {

using storage::Change;
using storage::Program;

// "budget 100,000 · spent 52,000 · 48,000 left" (or "over by 2,000"; "no budget set"), or
// "budget 100,000 · nothing spent yet".
std::string money_line(const Program& p) {
  std::string budget = p.budget != 0 ? "budget " + thousands(p.budget) : "no budget set";
  if (p.spent == 0) return budget + " · nothing spent yet";
  std::string left = p.budget == 0        ? std::string()
                     : p.spent > p.budget ? " · *over by " + thousands(p.spent - p.budget) + "*"
                                          : " · " + thousands(p.budget - p.spent) + " left";
  return fmt::format("{} · spent {}{}", budget, thousands(p.spent), left);
}

std::string summary(const Program& p) {
  std::vector<std::string> parts = {"owner " + user_mention(p.owner)};
  if (!p.sponsor.empty()) parts.push_back("sponsor " + user_mention(p.sponsor));
  parts.push_back("channel " + channel_mention(p.channel));
  if (!p.start.empty()) parts.push_back("start " + show_date(p.start));
  if (!p.due.empty()) parts.push_back("due " + show_date(p.due));
  if (p.budget != 0 || p.spent != 0) parts.push_back(money_line(p));
  if (!p.tags.empty()) parts.push_back("tags " + shown_list(p.tags));
  if (!p.zone.empty()) parts.push_back("hours in " + p.zone);
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : " · ") + part;
  return out;
}

// Applies the optional field flags to `p`; returns an error message or "".
std::string apply_fields(const ParsedCommand& cmd, const Context& ctx, Program& p) {
  if (auto v = cmd.get(arg::owner)) p.owner = *v;
  if (auto v = cmd.get(arg::sponsor)) p.sponsor = *v;
  if (auto v = cmd.get(arg::channel)) p.channel = *v;
  std::string error;
  if (!date_flag(cmd, ctx, arg::start, p.start, error) ||
      !date_flag(cmd, ctx, arg::due, p.due, error))
    return error;
  if (!p.start.empty() && !p.due.empty() && p.due < p.start) {
    return fmt::format("The due date {} is before the start {}.", p.due, p.start);
  }
  if (auto v = cmd.get(arg::budget)) p.budget = *v;
  if (auto v = cmd.get(arg::tags)) p.tags = split_list(*v);
  if (auto v = cmd.get(arg::description)) p.description = *v;
  if (auto v = cmd.get(arg::tz)) {
    if (auto err = zone_error(*v); !err.empty()) return err;
    p.zone = *v;
  }
  if (auto err = length_error("name", p.name, 120); !err.empty()) return err;
  return length_error("description", p.description, 2000);
}

std::string who_may(const Program& p) {
  return fmt::format("Only {} or an itpm admin can change {}.", program_leads(p), p.key);
}

Outcome add(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  std::string key = cmd.required(arg::key);
  static const std::regex key_pattern("^[a-z0-9][a-z0-9-]{1,31}$");
  if (!std::regex_match(key, key_pattern)) {
    return mistake(
        cmd,
        fmt::format("A program key is 2-32 lowercase letters, digits and dashes, starting with "
                    "a letter or digit, like dr-2027 (got \"{}\").",
                    shown_text(key, 40)));
  }
  if (auto existing = ctx.repos.find<storage::Program>(key)) {
    return mistake(
        cmd, fmt::format(
                 "Program {} already exists (“{}”, owner {}). See it with `/itpm program show {}`.",
                 key, shown_text(existing->name, 120), user_mention(existing->owner), key));
  }
  Program p;
  p.key = key;
  p.name = cmd.required(arg::name);
  p.owner = command.user_id;
  p.channel = command.channel_id;
  p.created_by = command.user_id;
  p.created_at = millis(ctx.now);
  if (auto err = apply_fields(cmd, ctx, p); !err.empty()) return mistake(cmd, err);

  Outcome out;
  ctx.repos.save(out.writes, p, nullptr, Change{command.user_id, p.created_at, "add"});
  out.reply = text_reply(
      Visibility::in_channel,
      {fmt::format("📁 Program *{}* “{}” created by {}", key, shown_text(p.name, 120),
                   user_mention(command.user_id)),
       summary(p), fmt::format("Next: `/itpm review schedule {} --every \"tue 15:00\"`", key)});
  return out;
}

Outcome list(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  bool all = cmd.get(arg::all);
  auto window = page_window(cmd);
  std::vector<std::string> lines;
  std::size_t total = 0;
  // Counted from keys (the open programs' index, or every program's key); only the page's
  // programs are read.
  auto visit = [&](std::string_view key) {
    if (!window.shows(total++)) return true;
    auto p = ctx.repos.find<storage::Program>(key);
    if (!p) return true;
    lines.push_back(fmt::format("• *{}* {}{} · owner {}{}", p->key, shown_text(p->name, 120),
                                p->status == storage::ProgramStatus::closed ? " _(closed)_" : "",
                                user_mention(p->owner),
                                p->due.empty() ? "" : " · due " + show_date(p->due)));
    return true;
  };
  if (all) {
    ctx.repos.program_keys("", visit);
  } else {
    ctx.repos.open_programs(visit);
  }
  if (total == 0) {
    return reply_only(
        text_reply(query_visibility(cmd), {all ? "No programs yet." : "No open programs.",
                                           "Create one: `/itpm program add <key> \"<name>\"`"}));
  }
  return reply_only(page_reply(cmd, command, query_visibility(cmd),
                               fmt::format("*{} program{}*", total, total == 1 ? "" : "s"), lines,
                               total, "Raise --limit to see more."));
}

Outcome show(const ParsedCommand& cmd, const Command&, const Context& ctx) {
  std::string key = cmd.required(arg::key);
  auto p = ctx.repos.find<storage::Program>(key);
  if (!p) return unknown_program(cmd, ctx, key);
  std::vector<std::string> paragraphs = {
      fmt::format("📁 *{}* “{}”{}", p->key, shown_text(p->name, 120),
                  p->status == storage::ProgramStatus::closed ? " _(closed)_" : ""),
      summary(*p)};
  if (!p->description.empty()) paragraphs.push_back(shown_text(p->description, 2000));
  if (!p->close_note.empty())
    paragraphs.push_back("Closing note: " + shown_text(p->close_note, 600));
  paragraphs.push_back(fmt::format("History: `/itpm audit {}`", p->key));
  return reply_only(text_reply(query_visibility(cmd), paragraphs));
}

// The open program that `command` may change, or the reply that says why not.
std::variant<Program, Outcome> program_to_change(const ParsedCommand& cmd, const Command& command,
                                                 const Context& ctx,
                                                 std::string_view closed_message) {
  std::string key = cmd.required(arg::key);
  auto program = ctx.repos.find<storage::Program>(key);
  if (!program) return unknown_program(cmd, ctx, key);
  if (!runs_program(*program, command.user_id, ctx)) {
    return reply_only(error_reply(who_may(*program) + " Nothing was saved.", ""));
  }
  if (program->status == storage::ProgramStatus::closed)
    return mistake(cmd, fmt::format("Program {} {}.", key, closed_message));
  return std::move(*program);
}

Outcome update(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const Program& before, program_to_change(cmd, command, ctx, "is closed"));
  const std::string& key = before.key;
  if (cmd.flags.empty()) {
    return mistake(
        cmd,
        "Nothing to change: give at least one of --owner, --sponsor, --channel, --start, --due, "
        "--budget, --tags, --description.");
  }
  Program after = before;
  if (auto err = apply_fields(cmd, ctx, after); !err.empty()) return mistake(cmd, err);
  std::string changes;
  auto note = [&](const char* name, const std::string& a, const std::string& b) {
    if (a != b)
      changes += fmt::format("{}{} {} → {}", changes.empty() ? "" : " · ", name,
                             a.empty() ? "none" : a, b);
  };
  note("owner", before.owner.empty() ? "" : user_mention(before.owner), user_mention(after.owner));
  note("sponsor", before.sponsor.empty() ? "" : user_mention(before.sponsor),
       after.sponsor.empty() ? "none" : user_mention(after.sponsor));
  note("channel", before.channel.empty() ? "" : channel_mention(before.channel),
       channel_mention(after.channel));
  note("start", before.start, after.start);
  note("due", before.due, after.due);
  note("budget", thousands(before.budget), thousands(after.budget));
  note("description", shown_text(before.description, 80), shown_text(after.description, 80));
  note("tags", shown_list(before.tags), shown_list(after.tags));
  if (changes.empty())
    return mistake(cmd, fmt::format("Program {} already has those values.", key));

  Outcome out;
  ctx.repos.save(out.writes, after, &before, Change{command.user_id, millis(ctx.now), "update"});
  out.reply = text_reply(Visibility::in_channel, {fmt::format("✏️ Program *{}* updated by {}",
                                                              key, user_mention(command.user_id)),
                                                  changes});
  return out;
}

// Records actual spend (commands.md §7): the program's running total, with what, when and a
// note in its audit log. A closed program still takes late invoices; --refund takes money
// back (a refund, or a mistake put right), never below nothing spent.
Outcome spend(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  std::string key = cmd.required(arg::key);
  auto before = ctx.repos.find<storage::Program>(key);
  if (!before) return unknown_program(cmd, ctx, key);
  if (!runs_program(*before, command.user_id, ctx))
    return reply_only(error_reply(who_may(*before) + " Nothing was saved.", ""));
  std::int64_t amount = cmd.required(arg::amount);
  bool refund = cmd.get(arg::refund);
  std::string day = iso_date(today_in(ctx.now, ctx.zone));
  std::string error;
  if (!date_flag(cmd, ctx, arg::date, day, error, DateLean::past)) return mistake(cmd, error);
  if (day > iso_date(today_in(ctx.now, ctx.zone))) {
    return mistake(cmd, fmt::format("--date {} is in the future: record spend once it is spent.",
                                    show_date(day)));
  }
  if (refund && amount > before->spent) {
    return mistake(cmd, fmt::format("{} has {} spent in all; a refund of {} would take it below "
                                    "nothing.",
                                    key, thousands(before->spent), thousands(amount)));
  }
  std::string note = cmd.get(arg::note).value_or("");
  if (auto err = length_error("note", note, 300); !err.empty()) return mistake(cmd, err);
  Program after = *before;
  after.spent += refund ? -amount : amount;
  std::string what = fmt::format("{}{} on {}{}", refund ? "refund of " : "", thousands(amount), day,
                                 note.empty() ? "" : ": " + note);
  Outcome out;
  ctx.repos.save(out.writes, after, &*before, Change{command.user_id, millis(ctx.now), "spend"},
                 what);
  out.reply = text_reply(
      Visibility::in_channel,
      {fmt::format("💸 *{}*: {}{} on {} recorded by {}", key, refund ? "refund of " : "",
                   thousands(amount), show_date(day), user_mention(command.user_id)),
       note.empty() ? money_line(after) : shown_text(note, 300) + "\n" + money_line(after)});
  return out;
}

Outcome close(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const Program& before, program_to_change(cmd, command, ctx, "is already closed"));
  const std::string& key = before.key;
  Program after = before;
  after.status = storage::ProgramStatus::closed;
  after.closed_at = millis(ctx.now);
  if (auto v = cmd.get(arg::note)) after.close_note = *v;
  Outcome out;
  ctx.repos.save(out.writes, after, &before, Change{command.user_id, after.closed_at, "close"});
  std::vector<std::string> paragraphs = {fmt::format("✅ Program *{}* “{}” closed by {}", key,
                                                     shown_text(after.name, 120),
                                                     user_mention(command.user_id))};
  if (!after.close_note.empty()) paragraphs.push_back(shown_text(after.close_note, 600));
  out.reply = text_reply(Visibility::in_channel, paragraphs);
  return out;
}

}  // namespace

AreaSpec program_area() {
  using namespace args;
  std::vector<ArgSpec> program_fields = {
      owner_flag,
      opt(arg::sponsor, "@u"),
      opt(arg::channel, "#c"),
      opt(arg::start, "DATE"),
      opt(arg::due, "DATE"),
      [] {
        ArgSpec budget = opt(arg::budget, "N");
        budget.min = 0;
        budget.max = any_integer;
        return budget;
      }(),
      opt(arg::tags, "a,b"),
      opt(arg::description, "\"...\""),
      opt(arg::tz, "Area/City"),
  };
  std::vector<ArgSpec> program_add_positionals = {req(arg::key, "<key>"),
                                                  req(arg::name, "\"<name>\"")};
  return {"program",
          {"prog", "p", "programs"},
          "Programs: the container for everything else",
          "list",
          {
              {"add",
               {"new", "create"},
               "Create a program",
               program_add_positionals,
               program_fields,
               add,
               Access::writes},
              {"list",
               {"ls"},
               "List open programs",
               {},
               {sw(arg::all), limit_flag, page_flag, share_flag},
               list,
               Access::reads_page},
              {"show", {"get"}, "Show one program", {req(arg::key, "<key>")}, {share_flag}, show},
              {"update",
               {"edit", "set"},
               "Change a program's fields",
               {req(arg::key, "<key>")},
               program_fields,
               update,
               Access::writes},
              {"spend",
               {},
               "Record actual spend against the budget",
               {req(arg::key, "<key>"),
                [] {
                  ArgSpec amount = req(arg::amount, "<amount>");
                  amount.min = 1;
                  amount.max = any_integer;
                  return amount;
                }()},
               {opt(arg::date, "DATE"), opt(arg::note, "\"...\""), sw(arg::refund)},
               spend,
               Access::writes},
              {"close",
               {"done"},
               "Close a program",
               {req(arg::key, "<key>")},
               {opt(arg::note, "\"...\"")},
               close,
               Access::writes},
          }};
}

}  // namespace itpm::commands
