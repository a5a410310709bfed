#pragma once
// Jobs in the schedule: typed here, stored as JSON ({"kind": ..., fields}) and parsed once
// at the edge (parse_job); job_runner.hpp fires them.

#include "commands/command.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace itpm::commands {

// The agenda of review V-<review>'s occurrence at `occurrence` (ms), `before` minutes ahead.
struct ReviewReminder {
  std::uint64_t review = 0;
  std::int64_t occurrence = 0;
  int before = 0;
};
// Review V-<review>'s occurrence has passed: schedule the next one.
struct ReviewOccurrence {
  std::uint64_t review = 0;
  std::int64_t occurrence = 0;
};
// Risk R-<risk> climbs to `level` (2, 3) of the ladder that started at `ladder` (ms).
struct LadderStep {
  std::uint64_t risk = 0;
  int level = 0;
  std::int64_t ladder = 0;
};
// Risk R-<risk>'s mitigation was due `due`: start its ladder if it is still open.
struct RiskOverdue {
  std::uint64_t risk = 0;
  std::string due;
};
// Corrective action A-<action> with SLO end `due`: remind its owner at 75%, post the breach,
// escalate a step later.
struct ActionStep {
  enum class Kind { reminder, breach, escalate } kind = Kind::reminder;
  std::uint64_t action = 0;
  std::string due;
};

// Report schedule P-<schedule>'s report at `occurrence` (ms): posted with what changed since
// the previous one, then the next one planned.
struct ReportDue {
  std::uint64_t schedule = 0;
  std::int64_t occurrence = 0;
};

// A DM held while its person is out of office with nobody acting for them (commands.md §6):
// sent when they are back (again routed: held anew if they are still out). `message` is the
// post in its outbox form.
struct HeldDm {
  nlohmann::json message;
};

// std::visit with one lambda per kind.
template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;  // clang 16 does not deduce it for an aggregate

using Job = std::variant<ReviewReminder, ReviewOccurrence, LadderStep, RiskOverdue, ActionStep,
                         HeldDm, ReportDue>;

// The job a stored row holds; nullopt for a row of an unknown kind or with missing or
// mistyped fields.
std::optional<Job> parse_job(const nlohmann::json& row);
// The stored form of `job` (what parse_job reads back).
nlohmann::json job_row(const Job& job);

// Adds `job`, due at `due_ms`, to `out`'s writes.
void schedule(Outcome& out, const Context& ctx, std::int64_t due_ms, const Job& job);

}  // namespace itpm::commands
