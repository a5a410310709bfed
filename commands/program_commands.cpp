#include "commands/program_commands.hpp"

#include "commands/dates.hpp"
#include "commands/reply.hpp"
#include "commands/slack_text.hpp"
#include "commands/suggest.hpp"

#include <fmt/format.h>

#include <regex>
#include <variant>

namespace itpm::commands {
namespace {

using storage::Change;
using storage::Program;

std::int64_t millis(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string user(const std::string& id) {
  return id.empty() ? "nobody" : "<@" + id + ">";
}
std::string channel(const std::string& id) {
  return id.empty() ? "no channel" : "<#" + id + ">";
}

std::string thousands(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (n < 0 ? "-" : "") + out;
}

Outcome mistake(const ParsedCommand& cmd, const std::string& message) {
  return reply_only(error_reply(message + (mutates(*cmd.verb) ? " Nothing was saved." : ""),
                                usage(*cmd.area, *cmd.verb)));
}

std::string summary(const Program& p) {
  std::vector<std::string> parts = {"owner " + user(p.owner)};
  if (!p.sponsor.empty()) parts.push_back("sponsor " + user(p.sponsor));
  parts.push_back("channel " + channel(p.channel));
  if (!p.start.empty()) parts.push_back("start " + show_date(p.start));
  if (!p.due.empty()) parts.push_back("due " + show_date(p.due));
  if (p.budget != 0) parts.push_back("budget " + thousands(p.budget));
  if (!p.tags.empty()) {
    std::string tags;
    for (const auto& t : p.tags) tags += (tags.empty() ? "" : ", ") + escape(t);
    parts.push_back("tags " + tags);
  }
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : " · ") + part;
  return out;
}

// Not found: says so and suggests the nearest existing key.
Outcome unknown_program(const ParsedCommand& cmd, const Context& ctx, const std::string& key) {
  std::vector<std::string> keys;
  for (const auto& p : ctx.repos->programs()) keys.push_back(p.key);
  std::vector<std::string_view> views(keys.begin(), keys.end());
  auto near = nearest(key, views);
  return mistake(cmd, fmt::format("No program \"{}\".{}", escape(key),
                                  near ? " Did you mean `" + *near + "`?"
                                       : " See them with `/itpm program list --all`."));
}

// Applies the optional field flags to `p`; returns an error message or "".
std::string apply_fields(const ParsedCommand& cmd, const Context& ctx, Program& p) {
  auto today = today_in(ctx.now, ctx.zone);
  if (const auto* v = cmd.flag("owner")) p.owner = v->ref->id;
  if (const auto* v = cmd.flag("sponsor")) p.sponsor = v->ref->id;
  if (const auto* v = cmd.flag("channel")) p.channel = v->ref->id;
  for (auto [flag, field] : {std::pair{"start", &p.start}, std::pair{"due", &p.due}}) {
    if (const auto* v = cmd.flag(flag)) {
      auto date = resolve_date(v->text, today);
      if (!date) {
        return fmt::format("--{} must be a date like 2027-06-30, today, +2w or fri (got \"{}\").",
                           flag, escape(v->text));
      }
      *field = *date;
    }
  }
  if (!p.start.empty() && !p.due.empty() && p.due < p.start) {
    return fmt::format("The due date {} is before the start {}.", p.due, p.start);
  }
  if (const auto* v = cmd.flag("budget")) p.budget = std::stoll(v->text);
  if (const auto* v = cmd.flag("tags")) {
    p.tags.clear();
    std::string rest = v->text;
    for (std::size_t start = 0; start <= rest.size();) {
      auto comma = rest.find(',', start);
      std::string tag =
          rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      tag.erase(0, tag.find_first_not_of(' '));
      tag.erase(tag.find_last_not_of(' ') + 1);
      if (!tag.empty()) p.tags.push_back(tag);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  if (const auto* v = cmd.flag("description")) p.description = v->text;
  return "";
}

bool may_change(const Program& p, const Command& command, const Context& ctx) {
  return command.user_id == p.owner || command.user_id == p.sponsor ||
         ctx.is_admin(command.user_id);
}

std::string who_may(const Program& p) {
  return fmt::format("Only the owner {}{} or an itpm admin can change {}.", user(p.owner),
                     p.sponsor.empty() ? "" : ", the sponsor " + user(p.sponsor), p.key);
}

Outcome add(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  std::string key = cmd.positional("key")->text;
  static const std::regex key_pattern("^[a-z0-9][a-z0-9-]{1,31}$");
  if (!std::regex_match(key, key_pattern)) {
    return mistake(
        cmd,
        fmt::format("A program key is 2-32 lowercase letters, digits and dashes, starting with "
                    "a letter or digit, like dr-2027 (got \"{}\").",
                    escape(key)));
  }
  if (auto existing = ctx.repos->program(key)) {
    return mistake(
        cmd, fmt::format(
                 "Program {} already exists (“{}”, owner {}). See it with `/itpm program show {}`.",
                 key, escape(existing->name), user(existing->owner), key));
  }
  Program p;
  p.key = key;
  p.name = cmd.positional("name")->text;
  p.owner = command.user_id;
  p.channel = command.channel_id;
  p.created_by = command.user_id;
  p.created_at = millis(ctx.now);
  if (auto err = apply_fields(cmd, ctx, p); !err.empty()) return mistake(cmd, err);

  Outcome out;
  ctx.repos->save(out.writes, p, nullptr, Change{command.user_id, p.created_at, "add"});
  out.reply = text_reply(
      Visibility::in_channel,
      {fmt::format("📁 Program *{}* “{}” created by {}", key, escape(p.name), user(command.user_id)),
       summary(p), fmt::format("Next: `/itpm review schedule {} --every \"tue 15:00\"`", key)});
  return out;
}

Outcome list(const ParsedCommand& cmd, const Command&, const Context& ctx) {
  bool all = cmd.flag("all") != nullptr;
  std::vector<std::string> lines;
  std::size_t shown = 0;
  std::size_t total = 0;
  for (const auto& p : ctx.repos->programs()) {
    if (!all && p.status != "open") continue;
    ++total;
    if (shown >= 20) continue;
    ++shown;
    lines.push_back(fmt::format("• *{}* {}{} · owner {}{}", p.key, escape(p.name),
                                p.status == "closed" ? " _(closed)_" : "", user(p.owner),
                                p.due.empty() ? "" : " · due " + show_date(p.due)));
  }
  Visibility visibility = cmd.flag("share") ? Visibility::in_channel : Visibility::ephemeral;
  if (total == 0) {
    return reply_only(text_reply(visibility, {all ? "No programs yet." : "No open programs.",
                                              "Create one: `/itpm program add <key> \"<name>\"`"}));
  }
  std::string body;
  for (const auto& l : lines) body += l + "\n";
  std::vector<std::string> paragraphs = {
      fmt::format("*{} program{}*", total, total == 1 ? "" : "s"), body};
  if (total > shown) paragraphs.push_back(fmt::format("… and {} more.", total - shown));
  return reply_only(text_reply(visibility, paragraphs));
}

Outcome show(const ParsedCommand& cmd, const Command&, const Context& ctx) {
  std::string key = cmd.positional("key")->text;
  auto p = ctx.repos->program(key);
  if (!p) return unknown_program(cmd, ctx, key);
  std::vector<std::string> paragraphs = {fmt::format("📁 *{}* “{}”{}", p->key, escape(p->name),
                                                     p->status == "closed" ? " _(closed)_" : ""),
                                         summary(*p)};
  if (!p->description.empty()) paragraphs.push_back(escape(p->description));
  if (!p->close_note.empty()) paragraphs.push_back("Closing note: " + escape(p->close_note));
  paragraphs.push_back(fmt::format("History: `/itpm audit {}`", p->key));
  return reply_only(
      text_reply(cmd.flag("share") ? Visibility::in_channel : Visibility::ephemeral, paragraphs));
}

// The open program that `command` may change, or the reply that says why not.
std::variant<Program, Outcome> program_to_change(const ParsedCommand& cmd, const Command& command,
                                                 const Context& ctx,
                                                 std::string_view closed_message) {
  std::string key = cmd.positional("key")->text;
  auto program = ctx.repos->program(key);
  if (!program) return unknown_program(cmd, ctx, key);
  if (!may_change(*program, command, ctx)) {
    return reply_only(error_reply(who_may(*program) + " Nothing was saved.", ""));
  }
  if (program->status == "closed")
    return mistake(cmd, fmt::format("Program {} {}.", key, closed_message));
  return std::move(*program);
}

Outcome update(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  auto found = program_to_change(cmd, command, ctx, "is closed");
  if (auto* refusal = std::get_if<Outcome>(&found)) return std::move(*refusal);
  const Program* before = &std::get<Program>(found);
  const std::string& key = before->key;
  if (cmd.flags.empty()) {
    return mistake(
        cmd,
        "Nothing to change: give at least one of --owner, --sponsor, --channel, --start, --due, "
        "--budget, --tags, --description.");
  }
  Program after = *before;
  if (auto err = apply_fields(cmd, ctx, after); !err.empty()) return mistake(cmd, err);
  std::string changes;
  auto note = [&](const char* name, const std::string& a, const std::string& b) {
    if (a != b)
      changes += fmt::format("{}{} {} → {}", changes.empty() ? "" : " · ", name,
                             a.empty() ? "none" : a, b);
  };
  note("owner", before->owner.empty() ? "" : user(before->owner), user(after.owner));
  note("sponsor", before->sponsor.empty() ? "" : user(before->sponsor),
       after.sponsor.empty() ? "none" : user(after.sponsor));
  note("channel", before->channel.empty() ? "" : channel(before->channel), channel(after.channel));
  note("start", before->start, after.start);
  note("due", before->due, after.due);
  note("budget", thousands(before->budget), thousands(after.budget));
  note("description", escape(before->description), escape(after.description));
  if (before->tags != after.tags)
    changes += (changes.empty() ? "" : " · ") + std::string("tags changed");
  if (changes.empty())
    return mistake(cmd, fmt::format("Program {} already has those values.", key));

  Outcome out;
  ctx.repos->save(out.writes, after, before, Change{command.user_id, millis(ctx.now), "update"});
  out.reply = text_reply(
      Visibility::in_channel,
      {fmt::format("✏️ Program *{}* updated by {}", key, user(command.user_id)), changes});
  return out;
}

Outcome close(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  auto found = program_to_change(cmd, command, ctx, "is already closed");
  if (auto* refusal = std::get_if<Outcome>(&found)) return std::move(*refusal);
  const Program* before = &std::get<Program>(found);
  const std::string& key = before->key;
  Program after = *before;
  after.status = "closed";
  after.closed_at = millis(ctx.now);
  if (const auto* v = cmd.flag("note")) after.close_note = v->text;
  Outcome out;
  ctx.repos->save(out.writes, after, before, Change{command.user_id, after.closed_at, "close"});
  std::vector<std::string> paragraphs = {fmt::format("✅ Program *{}* “{}” closed by {}", key,
                                                     escape(after.name), user(command.user_id))};
  if (!after.close_note.empty()) paragraphs.push_back(escape(after.close_note));
  out.reply = text_reply(Visibility::in_channel, paragraphs);
  return out;
}

}  // namespace

void add_program_commands(Registry& registry) {
  registry.add(
      "program",
      [](const ParsedCommand& cmd, const Command& command, const Context& ctx) -> Outcome {
        if (ctx.repos == nullptr)
          return reply_only(error_reply("Programs need the bot's store, which is not open.", ""));
        std::string_view verb = cmd.verb->name;
        if (verb == "add") return add(cmd, command, ctx);
        if (verb == "list") return list(cmd, command, ctx);
        if (verb == "show") return show(cmd, command, ctx);
        if (verb == "update") return update(cmd, command, ctx);
        return close(cmd, command, ctx);
      });
}

}  // namespace itpm::commands
