#include "commands/job.hpp"

namespace itpm::commands {
namespace {

using nlohmann::json;

constexpr std::string_view action_kinds[] = {"action_reminder", "action_breach", "action_escalate"};

}  // namespace

std::optional<Job> parse_job(const json& row) {
  if (!row.is_object()) return std::nullopt;
  try {
    std::string kind = row.value("kind", "");
    if (kind == "review_reminder") {
      return ReviewReminder{row.at("review").get<std::uint64_t>(),
                            row.at("occurrence").get<std::int64_t>(), row.value("before", 0)};
    }
    if (kind == "review") {
      return ReviewOccurrence{row.at("review").get<std::uint64_t>(),
                              row.at("occurrence").get<std::int64_t>()};
    }
    if (kind == "risk_ladder") {
      return LadderStep{row.at("risk").get<std::uint64_t>(), row.at("level").get<int>(),
                        row.at("ladder").get<std::int64_t>()};
    }
    if (kind == "risk_overdue") {
      return RiskOverdue{row.at("risk").get<std::uint64_t>(), row.at("due").get<std::string>()};
    }
    if (kind == "report") {
      return ReportDue{row.at("schedule").get<std::uint64_t>(),
                       row.at("occurrence").get<std::int64_t>()};
    }
    if (kind == "held_dm") {
      const json& message = row.at("message");
      if (!message.is_object() || !message.value("to_user", json()).is_string() ||
          !message.value("text", json()).is_string())
        return std::nullopt;
      return HeldDm{message};
    }
    for (std::size_t i = 0; i < std::size(action_kinds); ++i) {
      if (kind == action_kinds[i]) {
        return ActionStep{static_cast<ActionStep::Kind>(i), row.at("action").get<std::uint64_t>(),
                          row.at("due").get<std::string>()};
      }
    }
  } catch (const json::exception&) {
    return std::nullopt;  // a field missing or of the wrong type
  }
  return std::nullopt;
}

json job_row(const Job& job) {
  return std::visit(
      Overloaded{
          [](const ReviewReminder& j) -> json {
            return {{"kind", "review_reminder"},
                    {"review", j.review},
                    {"occurrence", j.occurrence},
                    {"before", j.before}};
          },
          [](const ReviewOccurrence& j) -> json {
            return {{"kind", "review"}, {"review", j.review}, {"occurrence", j.occurrence}};
          },
          [](const LadderStep& j) -> json {
            return {{"kind", "risk_ladder"},
                    {"risk", j.risk},
                    {"level", j.level},
                    {"ladder", j.ladder}};
          },
          [](const RiskOverdue& j) -> json {
            return {{"kind", "risk_overdue"}, {"risk", j.risk}, {"due", j.due}};
          },
          [](const ActionStep& j) -> json {
            return {{"kind", action_kinds[static_cast<std::size_t>(j.kind)]},
                    {"action", j.action},
                    {"due", j.due}};
          },
          [](const HeldDm& j) -> json {
            return {{"kind", "held_dm"}, {"message", j.message}};
          },
          [](const ReportDue& j) -> json {
            return {{"kind", "report"}, {"schedule", j.schedule}, {"occurrence", j.occurrence}};
          },
      },
      job);
}

void schedule(Outcome& out, const Context& ctx, std::int64_t due_ms, const Job& job) {
  ctx.repos.jobs().schedule(out.writes, due_ms, job_row(job));
}

}  // namespace itpm::commands
