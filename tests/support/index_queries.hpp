#pragma once
// Questions tests ask of the index rows alone (a quarter's kpi inputs, risks by score, programs
// by health), shared by the repository and migration tests.

#include "storage/repositories.hpp"

#include <string>
#include <vector>

namespace itpm::test {

using namespace itpm::storage;  // NOLINT: the tests name many storage types

// What a quarter's kpi reads for Q4 2026, from the index rows alone.
struct DayCounts {
  int milestones_done = 0;
  int milestones_on_time = 0;
  int actions_closed = 0;
  int actions_met = 0;
  int actions_due_open = 0;
  int actions_due_late = 0;
  int severe_past_due = 0;
};
inline DayCounts q4_counts(const Repositories& repos) {
  DayCounts c;
  repos.work_by_day(day_milestone_done, "2026-10-01", "2026-12-31", [&](const auto& row) {
    ++c.milestones_done;
    c.milestones_on_time += row.flag;
  });
  repos.work_by_day(day_action_closed, "2026-10-01", "2026-12-31", [&](const auto& row) {
    ++c.actions_closed;
    c.actions_met += row.flag;
  });
  repos.work_by_day(day_action_due, "2026-10-01", "2026-12-31", [&](const auto& row) {
    if (row.flag == action_open) ++c.actions_due_open;
    if (row.flag == action_done_late) ++c.actions_due_late;
  });
  repos.work_by_day(day_severe_action_due, "", "2026-11-30",
                    [&](const auto&) { ++c.severe_past_due; });
  return c;
}

inline std::vector<std::uint64_t> by_score(const Repositories& repos, bool closed) {
  std::vector<std::uint64_t> out;
  repos.risks_by_score(closed, [&](const auto& r) {
    out.push_back(r.number);
    return true;
  });
  return out;
}

inline std::vector<std::string> health(const Repositories& repos, std::uint8_t rank) {
  std::vector<std::string> out;
  repos.programs_by_health(rank, [&](std::string_view program) {
    out.emplace_back(program);
    return true;
  });
  return out;
}

}  // namespace itpm::test
