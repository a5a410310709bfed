#include "commands/areas/dep_commands.hpp"

#include "commands/language/arg_builders.hpp"
#include "common/iso_date.hpp"

#include "commands/areas/absence.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/areas/item_access.hpp"
#include "commands/calendar/dates.hpp"
#include "commands/render/reply.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace itpm::commands {
namespace {

using storage::Change;
using storage::Dependency;
using storage::Program;

// Who or what a dependency is on, as a reader sees it.
std::string provider(const Dependency& d) {
  if (d.on_kind == "user") return user_mention(d.on);
  if (d.on_kind == "channel") return channel_mention(d.on);
  if (d.on_kind == "program") return "program *" + d.on + "*";
  return "“" + shown_text(d.on, 80) + "”";
}

// The person who answers for the other side: the user, or the program's owner.
std::string provider_person(const Dependency& d, const Context& ctx) {
  if (d.on_kind == "user") return d.on;
  if (d.on_kind == "program") {
    if (auto p = ctx.repos.find<storage::Program>(d.on)) return p->owner;
  }
  return "";
}

std::string when(const std::string& need_by, std::chrono::sys_days today) {
  std::int64_t left = common::days_from_date(need_by) - today.time_since_epoch().count();
  auto days = [](std::int64_t n) { return fmt::format("{} day{}", n, n == 1 ? "" : "s"); };
  if (left > 0) return fmt::format("need-by {} (in {})", show_date(need_by), days(left));
  if (left == 0) return fmt::format("need-by today ({})", show_date(need_by));
  return fmt::format("_overdue {}_ (need-by {})", days(-left), show_date(need_by));
}

Outcome add(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const Program& program, open_program(cmd, ctx, cmd.required(arg::program)));
  Dependency d;
  d.program = program.key;
  d.what = cmd.required(arg::what);
  if (auto e = length_error("what", d.what, 200); !e.empty()) return mistake(cmd, e);
  const ParsedValue& on = *cmd.get(arg::on);
  if (on.ref && on.ref->kind == SlackRef::Kind::user) {
    d.on_kind = "user";
    d.on = on.ref->id;
  } else if (on.ref && on.ref->kind == SlackRef::Kind::channel) {
    d.on_kind = "channel";
    d.on = on.ref->id;
  } else if (auto other = ctx.repos.find<storage::Program>(on.text)) {
    if (other->key == program.key)
      return mistake(cmd, fmt::format("{} cannot depend on itself.", program.key));
    d.on_kind = "program";
    d.on = other->key;
  } else {
    d.on_kind = "team";
    d.on = on.text;
    if (auto e = length_error("team name", d.on, 80); !e.empty()) return mistake(cmd, e);
  }
  std::string error;
  if (!date_flag(cmd, ctx, arg::need_by, d.need_by, error)) return mistake(cmd, error);
  d.channel = command.channel_id;
  d.created_by = command.user_id;
  d.created_at = millis(ctx.now);
  Outcome out;
  d.number = ctx.repos.next_number<storage::Dependency>(out.writes);
  ctx.repos.save(out.writes, d, nullptr, Change{command.user_id, d.created_at, "add"});
  std::string id = storage::dependency_id(d.number);
  auto today = today_in(ctx.now, ctx.zone);
  std::vector<std::string> paragraphs = {
      fmt::format("🔗 *{}* · {} needs “{}” from {}", id, d.program, shown_text(d.what, 200),
                  provider(d)),
      fmt::format("{} · resolve with `/itpm dep resolve {}`", when(d.need_by, today), id)};
  std::string person = provider_person(d, ctx);
  if (!person.empty() && person != command.user_id) {
    PostMessage dm;
    dm.to_user = person;
    dm.text = fmt::format(
        "🔗 {} needs “{}” from {} by {} ({}, added by {}). When it is delivered: `/itpm dep "
        "resolve {}`.",
        d.program, shown_text(d.what, 200), d.on_kind == "user" ? "you" : provider(d),
        show_date(d.need_by), id, user_mention(command.user_id), id);
    send_dm(out, ctx, std::move(dm));
    paragraphs.push_back("Told " + user_mention(person) + ".");
  }
  out.reply = text_reply(Visibility::in_channel, paragraphs);
  return out;
}

const ItemRules<Dependency> dependency_rules = {
    "dependency",
    "X-2",
    "See them with `/itpm dep list`.",
    [](const Dependency& d, const Context& ctx) {
      return std::vector<std::string>{d.created_by, provider_person(d, ctx)};
    },
    [](const Dependency& d, const Context& ctx) {
      std::string person = provider_person(d, ctx);
      return user_mention(d.created_by) + " (who added it)" +
             (person.empty() ? std::string() : ", " + user_mention(person) + " (who provides it)");
    },
    [](const Dependency& d, const Context&) {
      return d.status == storage::DependencyStatus::resolved
                 ? fmt::format("{} is resolved already.", storage::dependency_id(d.number))
                 : std::string();
    }};

Outcome resolve(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const Dependency& before,
             item_to_change(cmd, command, ctx, dependency_rules, "resolve"));
  std::string id = storage::dependency_id(before.number);
  Dependency after = before;
  after.status = storage::DependencyStatus::resolved;
  after.resolved_by = command.user_id;
  after.resolved_at = millis(ctx.now);
  Outcome out;
  ctx.repos.save(out.writes, after, &before, Change{command.user_id, after.resolved_at, "resolve"});
  std::string today = iso_date(today_in(ctx.now, ctx.zone));
  std::int64_t late = common::days_from_date(today) - common::days_from_date(after.need_by);
  out.reply = text_reply(
      Visibility::in_channel,
      {fmt::format("✅ *{}* resolved by {} · {} got “{}” from {}", id, user_mention(command.user_id),
                   after.program, shown_text(after.what, 200), provider(after)),
       late > 0 ? fmt::format("{} day{} after its need-by date ({}).", late, late == 1 ? "" : "s",
                              show_date(after.need_by))
                : fmt::format("In time for its need-by date ({}).", show_date(after.need_by))});
  return out;
}

Outcome list(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  std::string program = cmd.get(arg::program).value_or("");
  if (!program.empty() && !ctx.repos.find<storage::Program>(program))
    return unknown_program(cmd, ctx, program);
  // Counted from the index of open dependencies; only the page's are read.
  auto window = page_window(cmd);
  std::size_t total = 0;
  auto shown = ctx.repos.open_dependencies(program, window, &total);
  std::string scope = program.empty() ? "" : " of " + program;
  if (total == 0) {
    return reply_only(text_reply(
        query_visibility(cmd),
        {fmt::format("No open dependencies{}.", scope),
         "Add one: `/itpm dep add <program> \"<what>\" --on <program|@u|#c|\"team\"> --need-by "
         "DATE`"}));
  }
  auto today = today_in(ctx.now, ctx.zone);
  std::vector<std::string> lines;
  for (const auto& d : shown)
    lines.push_back(fmt::format("{} · {}", dependency_line(d, today), d.program));
  return reply_only(page_reply(cmd, command, query_visibility(cmd),
                               fmt::format("*{} open dependenc{}{}*, soonest need-by first", total,
                                           total == 1 ? "y" : "ies", scope),
                               lines, total, "Narrow with --program, or raise --limit."));
}

}  // namespace

std::string dependency_line(const Dependency& d, std::chrono::sys_days today) {
  return fmt::format("*{}* on {} “{}” {}", storage::dependency_id(d.number), provider(d),
                     shown_text(d.what, 120), when(d.need_by, today));
}

void tell_dependents(Outcome& out, const storage::Milestone& before,
                     const storage::Milestone& after, const Context& ctx) {
  ctx.repos.open_dependencies_on(after.program, [&](const Dependency& d) {
    if (!(before.due <= d.need_by && d.need_by < after.due)) return;
    auto dependent = ctx.repos.find<storage::Program>(d.program);
    if (!dependent) return;
    PostMessage dm;
    dm.to_user = dependent->owner;
    dm.text = fmt::format(
        "⏰ {} milestone {} “{}” slipped to {}, past the need-by date {} of {}: {} needs “{}” "
        "from {}.",
        after.program, storage::milestone_id(after.number), shown_text(after.title, 120),
        show_date(after.due), show_date(d.need_by), storage::dependency_id(d.number), d.program,
        shown_text(d.what, 120), after.program);
    send_dm(out, ctx, std::move(dm));
  });
}

AreaSpec dep_area() {
  using namespace args;
  return {"dep",
          {"dependency", "dependencies", "deps", "x"},
          "Cross-team dependencies",
          "list",
          {
              {"add",
               {"new"},
               "Add a dependency",
               {req(arg::program, "<program>"), req(arg::what, "\"<what>\"")},
               {req(arg::on, "<program-key|@u|#c|\"team\">"), req(arg::need_by, "DATE")},
               add,
               Access::writes},
              {"resolve",
               {"done", "close"},
               "Resolve a dependency",
               {req(arg::id, "X-n")},
               {},
               resolve,
               Access::writes},
              {"list",
               {"ls"},
               "List dependencies",
               {},
               {program_flag, limit_flag, page_flag, share_flag},
               list,
               Access::reads_page},
          }};
}

}  // namespace itpm::commands
