#pragma once

#include "commands/command.hpp"
#include "commands/language/parser.hpp"

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace itpm::commands {

// The grammar and handlers of `kpi [--quarter 2026Q4] [--share]`: on-time completion,
// corrective-action SLO attainment, stakeholder satisfaction, escalations and each month's
// availability for a quarter, each against its target (config) with a health word; and
// `kpi availability record|measure ...` (admins; availability.hpp).
AreaSpec kpi_area();

// A calendar quarter: its first and last day.
struct Quarter {
  int year = 0;
  int number = 0;  // 1-4
  std::chrono::sys_days first;
  std::chrono::sys_days last;
};

// The quarter `day` falls in.
Quarter quarter_of(std::chrono::sys_days day);
// "2026Q4", "2026-q4", "Q4 2026", or "q4" (in `this_year`); nullopt for anything else.
std::optional<Quarter> parse_quarter(std::string_view text, int this_year);

// The numbers behind `kpi`, for one quarter up to `today` (the quarter's last day when it
// has ended). Counts rather than rates, so tests can check the arithmetic.
struct Kpis {
  // Milestones done in the quarter, and programs closed in it that had a due date; on time
  // means done by the first planned date (a slip does not move the mark).
  int milestones_done = 0;
  int milestones_on_time = 0;
  // A program counts when done on time and within budget (spent no more than its budget, or
  // no budget set); those that missed either are counted apart.
  int programs_done = 0;
  int programs_on_time = 0;  // on time and within budget
  int programs_late = 0;
  int programs_over_budget = 0;
  // Corrective actions closed in the quarter, plus those whose SLO ended in it (before
  // today) without being closed in time; met: closed by the due date.
  int actions_counted = 0;
  int actions_met = 0;
  int open_s1_s2_past_due = 0;  // now, whatever the quarter
  // Votes on surveys sent in the quarter.
  int votes = 0;
  double satisfaction = 0;
  // Risk escalations (ladder starts) and their ends (ack, close, score drop) in the quarter;
  // risks still on the ladder now.
  int escalations_raised = 0;
  int escalations_resolved = 0;
  int escalations_open = 0;
  // Each month of the quarter: the platform's availability if recorded, else the lowest of the
  // services recorded for it (named); nullopt percent when none was.
  struct Month {
    std::string month;  // YYYY-MM
    std::optional<double> percent;
    std::string service;
    std::string source;
  };
  std::array<Month, 3> availability;
  // The lowest month's availability (nullopt when no month has one).
  [[nodiscard]] std::optional<double> lowest_availability() const {
    std::optional<double> lowest;
    for (const auto& m : availability) {
      if (m.percent && (!lowest || *m.percent < *lowest)) lowest = m.percent;
    }
    return lowest;
  }
};

// The four quarters that end with `last`, oldest first.
std::array<Quarter, 4> quarters_up_to(const Quarter& last);

// The four quarters' rates as lines on one 0–100 scale against their targets: on-time
// completion, corrective-action SLO, satisfaction as a share of 5 (kpi --trend --image, and
// the dashboard's KPI trends).
TrendChart kpi_trend_chart(const std::array<Quarter, 4>& quarters, const std::array<Kpis, 4>& k,
                           const Policy& policy);

Kpis compute_kpis(const storage::Repositories& repos, const Quarter& quarter,
                  std::chrono::sys_days today, const std::string& zone);

}  // namespace itpm::commands
