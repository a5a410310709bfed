#include "commands/audit_command.hpp"

#include "commands/reply.hpp"
#include "commands/slack_text.hpp"

#include <date/date.h>
#include <fmt/format.h>

namespace itpm::commands {
namespace {

std::string when(std::int64_t ms) {
  auto t = std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms));
  return date::format("%a %Y-%m-%d %H:%M UTC", std::chrono::floor<std::chrono::minutes>(t));
}

std::string shown(const nlohmann::json& v) {
  if (v.is_null() || (v.is_string() && v.get<std::string>().empty())) return "none";
  std::string text = v.is_string() ? v.get<std::string>() : v.dump();
  if (text.size() > 80) text = text.substr(0, 77) + "…";
  return escape(text);
}

// "due none → 2027-06-30 · budget 0 → 10" for the fields that differ.
std::string changes(const nlohmann::json& before, const nlohmann::json& after) {
  if (!before.is_object()) return "created";
  std::string out;
  for (const auto& [field, value] : after.items()) {
    if (field == "v") continue;
    nlohmann::json old = before.value(field, nlohmann::json());
    if (old != value)
      out += fmt::format("{}{} {} → {}", out.empty() ? "" : " · ", field, shown(old), shown(value));
  }
  return out.empty() ? "no field changed" : out;
}

Outcome audit(const ParsedCommand& cmd, const Command&, const Context& ctx) {
  if (ctx.repos == nullptr)
    return reply_only(error_reply("The audit log needs the bot's store, which is not open.", ""));
  std::string id = cmd.positional("id")->text;
  auto entries = ctx.repos->audit(id);
  if (entries.empty()) {
    return reply_only(error_reply(
        fmt::format(
            "No history for \"{}\". Give a program key (dr-2027) or an item id (R-12, D-7).",
            escape(id)),
        usage(*cmd.area, *cmd.verb)));
  }
  std::string lines;
  std::size_t first = entries.size() > 30 ? entries.size() - 30 : 0;
  for (std::size_t i = first; i < entries.size(); ++i) {
    const auto& e = entries[i];
    lines += fmt::format("• {} · <@{}> · *{}* — {}\n", when(e.at), e.by, e.action,
                         changes(e.before, e.after));
  }
  std::vector<std::string> paragraphs = {
      fmt::format("*History of {}* ({} change{})", escape(id), entries.size(),
                  entries.size() == 1 ? "" : "s"),
      lines};
  if (first > 0) paragraphs.push_back(fmt::format("The {} oldest changes are not shown.", first));
  return reply_only(text_reply(Visibility::ephemeral, paragraphs));
}

}  // namespace

void add_audit_command(Registry& registry) {
  registry.add("audit", audit);
}

}  // namespace itpm::commands
