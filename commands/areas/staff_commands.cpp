#include "commands/areas/staff_commands.hpp"

#include "commands/areas/handler_support.hpp"
#include "commands/language/arg_builders.hpp"
#include "commands/render/reply.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace itpm::commands {
namespace {

using storage::Allocation;

// Each person's allocations, in the order of allocations() (by person, then program).
std::map<std::string, std::vector<Allocation>> by_person(const storage::Repositories& repos) {
  std::map<std::string, std::vector<Allocation>> out;
  for (auto& a : repos.all<storage::Allocation>()) out[a.user].push_back(std::move(a));
  return out;
}

int total(const std::vector<Allocation>& list) {
  int sum = 0;
  for (const auto& a : list) sum += a.percent;
  return sum;
}

std::string person_line(const std::string& user, const std::vector<Allocation>& list) {
  std::string parts;
  for (const auto& a : list)
    parts += fmt::format("{}{} {}%", parts.empty() ? "" : " · ", a.program, a.percent);
  int sum = total(list);
  return fmt::format("{} {} · {} · total *{}%*{}", sum > 100 ? "⚠️" : "•", user_mention(user),
                     parts, sum, sum > 100 ? " _over-allocated_" : "");
}

Outcome assign(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const storage::Program& program, open_program(cmd, ctx, cmd.required(arg::program)));
  std::string user = cmd.required(arg::user);
  int percent = static_cast<int>(cmd.required(arg::percent));
  if (command.user_id != user && !runs_program(program, command.user_id, ctx)) {
    return refusal(fmt::format("Only {}, {} or an itpm admin can change who works on {}.",
                               user_mention(user), program_leads(program), program.key));
  }
  // Two changes to one person's staffing at once: the second runs again on the first's result.
  Outcome out;
  (void)ctx.repos.claim(out.writes, "staffing", user, std::to_string(millis(ctx.now)),
                        user_mention(user) + "'s staffing");
  std::vector<Allocation> mine = ctx.repos.allocations_of(user);
  const Allocation* before = nullptr;
  for (const auto& a : mine) {
    if (a.program == program.key) before = &a;
  }
  if (before == nullptr && percent == 0)
    return mistake(cmd,
                   fmt::format("{} has no allocation to {}.", user_mention(user), program.key));
  if (before != nullptr && before->percent == percent)
    return mistake(
        cmd, fmt::format("{} is already at {}% on {}.", user_mention(user), percent, program.key));
  Allocation after{user, program.key, percent, command.user_id, millis(ctx.now)};
  ctx.repos.save(out.writes, after, before,
                 storage::Change{command.user_id, after.at, percent == 0 ? "unassign" : "assign"});
  std::vector<Allocation> updated;
  for (const auto& a : mine) {
    if (a.program != program.key) updated.push_back(a);
  }
  if (percent > 0) updated.push_back(after);
  std::sort(updated.begin(), updated.end(),
            [](const Allocation& a, const Allocation& b) { return a.program < b.program; });
  std::vector<std::string> paragraphs = {
      percent == 0
          ? fmt::format("👥 {} no longer works on *{}* (was {}%).", user_mention(user), program.key,
                        before->percent)
          : fmt::format("👥 {} on *{}*: {}%{}", user_mention(user), program.key, percent,
                        before != nullptr ? fmt::format(" (was {}%)", before->percent) : "")};
  if (!updated.empty()) paragraphs.push_back(person_line(user, updated));
  if (total(updated) > 100) {
    paragraphs.push_back(fmt::format("⚠️ {} is over-allocated: {}% in all.", user_mention(user),
                                     total(updated)));
  }
  out.reply = text_reply(Visibility::in_channel, paragraphs);
  return out;
}

Outcome list(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  std::string program = cmd.get(arg::program).value_or("");
  std::string user = cmd.get(arg::user).value_or("");
  if (!program.empty() && !user.empty()) return mistake(cmd, "Give --program or --user, not both.");
  if (!program.empty() && !ctx.repos.find<storage::Program>(program))
    return unknown_program(cmd, ctx, program);
  std::vector<std::string> lines;
  std::size_t over = 0;
  for (const auto& [person, list] : by_person(ctx.repos)) {
    if (!user.empty() && person != user) continue;
    if (!program.empty() && std::none_of(list.begin(), list.end(),
                                         [&](const Allocation& a) { return a.program == program; }))
      continue;
    if (total(list) > 100) ++over;
    lines.push_back(person_line(person, list));
  }
  std::string scope = !program.empty() ? " on " + program
                      : !user.empty()  ? " for " + user_mention(user)
                                       : "";
  if (lines.empty()) {
    return reply_only(text_reply(query_visibility(cmd),
                                 {fmt::format("No allocations{}.", scope),
                                  "Add one: `/itpm staff assign @u <program> <percent>`"}));
  }
  std::size_t count = lines.size();
  lines = page_of(cmd, std::move(lines));
  return reply_only(page_reply(
      cmd, command, query_visibility(cmd),
      fmt::format("*Staffing{}*: {} {}{}", scope, count, count == 1 ? "person" : "people",
                  over > 0 ? fmt::format(", ⚠️ {} over 100%", over) : ""),
      lines, count, "Narrow with --program or --user, or raise --limit."));
}

}  // namespace

std::vector<std::string> over_allocated(const storage::Repositories& repos,
                                        const std::string& program) {
  std::vector<std::string> out;
  for (const auto& [person, list] : by_person(repos)) {
    bool here = std::any_of(list.begin(), list.end(),
                            [&](const Allocation& a) { return a.program == program; });
    if (!here || total(list) <= 100) continue;
    std::string parts;
    for (const auto& a : list)
      parts += fmt::format("{}{} {}%", parts.empty() ? "" : ", ", a.program, a.percent);
    out.push_back(fmt::format("{} is at {}% ({})", user_mention(person), total(list), parts));
  }
  return out;
}

AreaSpec staff_area() {
  using namespace args;
  return {"staff",
          {"staffing"},
          "Staffing allocations",
          "list",
          {
              {"assign",
               {"set"},
               "Allocate a person to a program",
               {req(arg::user, "@u"), req(arg::program, "<program>"),
                range(arg::percent, 0, 100, true)},
               {},
               assign,
               Access::writes},
              {"list",
               {"ls"},
               "List allocations, flagging anyone over 100%",
               {},
               {program_flag, opt(arg::user, "@u"), limit_flag, page_flag, share_flag},
               list,
               Access::reads_page},
          }};
}

}  // namespace itpm::commands
