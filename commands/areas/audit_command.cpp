#include "commands/areas/audit_command.hpp"

#include "commands/areas/handler_support.hpp"
#include "commands/calendar/dates.hpp"
#include "commands/language/arg_builders.hpp"
#include "commands/render/reply.hpp"
#include "commands/render/slack_text.hpp"

#include <fmt/format.h>

#include <cctype>

namespace itpm::commands {
namespace {

// A field's value as a reader wants it: people and channels as mentions, instants as times.
std::string shown(std::string_view field, const nlohmann::json& v, const std::string& zone) {
  if (v.is_null() || (v.is_string() && v.get<std::string>().empty())) return "none";
  if (v.is_string() && (field == "owner" || field == "sponsor" || field.ends_with("_by"))) {
    return user_mention(v.get<std::string>());
  }
  if (v.is_string() && field == "channel") return channel_mention(v.get<std::string>());
  if (v.is_number_integer() && field.ends_with("_at")) {
    auto ms = v.get<std::int64_t>();
    return ms == 0 ? "none" : show_time(ms, zone);
  }
  if (v.is_array() && field == "decided_by") {
    return user_mentions(v.get<std::vector<std::string>>());
  }
  return shown_text(v.is_string() ? v.get<std::string>() : v.dump(), 80);
}

// "due none → 2027-06-30 · budget 0 → 10" for the fields that differ.
std::string changes(const nlohmann::json& before, const nlohmann::json& after,
                    const std::string& zone) {
  if (!before.is_object()) return "created";
  std::string out;
  for (const auto& [field, value] : after.items()) {
    if (field == "v") continue;
    nlohmann::json old = before.value(field, nlohmann::json());
    if (old != value) {
      out += fmt::format("{}{} {} → {}", out.empty() ? "" : " · ", field, shown(field, old, zone),
                         shown(field, value, zone));
    }
  }
  return out.empty() ? "no field changed" : out;
}

Outcome audit(const ParsedCommand& cmd, const Command&, const Context& ctx) {
  const std::string& typed = cmd.required(arg::id);
  std::string id = typed;
  // Item ids are found however they were typed (r12, R-12, m-3, a5).
  auto spelled = [&](char prefix) {
    if (id.size() > 1 && std::toupper(static_cast<unsigned char>(id[0])) == prefix) {
      if (auto n = item_number(id, prefix)) id = std::string(1, prefix) + "-" + std::to_string(*n);
    }
  };
  storage::for_each_record_type([&]<class R>() {
    if constexpr (requires { storage::RecordTraits<R>::prefix; })
      spelled(storage::RecordTraits<R>::prefix);
  });
  spelled('Q');                          // a survey's id before schema 5
  id = storage::current_audit_item(id);  // Q-<n> -> S-<n>
  auto entries = ctx.repos.audit(id);
  if (entries.empty() && id != typed) {
    // A program key can look like an id (a5): its own history, if it has one.
    entries = ctx.repos.audit(typed);
    if (!entries.empty()) id = typed;
  }
  if (entries.empty()) {
    return reply_only(error_reply(
        fmt::format(
            "No history for \"{}\". Give a program key (dr-2027) or an item id (R-12, D-7, S-2).",
            shown_text(id, 40)),
        usage(*cmd.area, *cmd.verb)));
  }
  constexpr std::size_t shown_max = 30;
  std::vector<std::string> paragraphs = {fmt::format(
      "*History of {}* ({} change{})", escape(id), entries.size(), entries.size() == 1 ? "" : "s")};
  for (auto& p : history_paragraphs(entries, ctx.zone, shown_max)) paragraphs.push_back(p);
  if (entries.size() > shown_max) {
    paragraphs.push_back(
        fmt::format("The {} oldest changes are not shown.", entries.size() - shown_max));
  }
  return reply_only(text_reply(Visibility::ephemeral, paragraphs));
}

}  // namespace

std::vector<std::string> history_paragraphs(const std::vector<storage::AuditEntry>& entries,
                                            const std::string& zone, std::size_t max) {
  std::vector<std::string> out;
  std::string body;
  std::size_t first = entries.size() > max ? entries.size() - max : 0;
  for (std::size_t i = first; i < entries.size(); ++i) {
    const auto& e = entries[i];
    std::string line =
        fmt::format("• {} · {} · *{}* — {}", show_time(e.at, zone), actor_mention(e.by), e.action,
                    e.note.empty() ? changes(e.before, e.after, zone) : e.note);
    // Sections hold at most 3,000 characters.
    if (!body.empty() && body.size() + line.size() > 2900) out.push_back(std::move(body));
    body = body.empty() ? line : body + "\n" + line;
  }
  if (!body.empty()) out.push_back(std::move(body));
  return out;
}

AreaSpec audit_area() {
  using namespace args;
  return {"audit",
          {"history"},
          "Every change to an item",
          "",
          {{"",
            {},
            "Every change to an item: who, when, what",
            {req(arg::id, "<id>")},
            {},
            audit,
            Access::reads_widely}}};
}

}  // namespace itpm::commands
