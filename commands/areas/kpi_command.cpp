#include "commands/areas/kpi_command.hpp"

#include "commands/areas/handler_support.hpp"
#include "commands/calendar/dates.hpp"
#include "commands/language/arg_builders.hpp"
#include "commands/render/reply.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace itpm::commands {
namespace {

using std::chrono::sys_days;

bool within(const std::string& day, const Quarter& q) {
  return !day.empty() && day >= iso_date(q.first) && day <= iso_date(q.last);
}

// A health dot and word: on target, within `slack` of it, or further off.
std::string health(double value, double target, double slack) {
  if (value >= target) return "🟢 on track";
  if (value >= target - slack) return "🟠 at risk";
  return "🔴 off track";
}

const std::string no_data = "⚪ no data";

std::string percent(int part, int whole) {
  return fmt::format("{}%", (part * 100 + whole / 2) / whole);
}

Outcome kpi(const ParsedCommand& cmd, const Command&, const Context& ctx) {
  sys_days today = today_in(ctx.now, ctx.zone);
  Quarter q = quarter_of(today);
  if (auto v = cmd.get(arg::quarter)) {
    int this_year = static_cast<int>(std::chrono::year_month_day(today).year());
    auto parsed = parse_quarter(*v, this_year);
    if (!parsed) {
      return mistake(cmd, fmt::format("--quarter takes a quarter like 2026Q4 or q3 (got \"{}\").",
                                      shown_text(*v, 20)));
    }
    if (parsed->first > today) {
      return mistake(cmd, fmt::format("{}Q{} has not started yet; the current quarter is {}Q{}.",
                                      parsed->year, parsed->number, q.year, q.number));
    }
    q = *parsed;
  }
  bool running = q.last >= today;
  Kpis k = compute_kpis(ctx.repos, q, today, ctx.zone);
  const Policy& policy = ctx.policy;

  int done = k.milestones_done + k.programs_done;
  int on_time = k.milestones_on_time + k.programs_on_time;
  // Programs that missed: late, over budget (either or both).
  std::string missed =
      k.programs_on_time == k.programs_done
          ? std::string()
          : fmt::format("{} late, {} over budget", k.programs_late, k.programs_over_budget);
  std::string on_time_value = done == 0
                                  ? "no milestone or program done yet"
                                  : fmt::format("{} ({}/{}{})", percent(on_time, done), on_time,
                                                done, missed.empty() ? "" : "; programs " + missed);
  std::string on_time_health =
      done == 0 ? no_data : health(on_time * 100.0 / done, policy.target_on_time, 10);

  std::string slo_value = k.actions_counted == 0
                              ? "no action closed or due yet"
                              : fmt::format("{} ({}/{})", percent(k.actions_met, k.actions_counted),
                                            k.actions_met, k.actions_counted);
  std::string slo_health =
      k.actions_counted == 0
          ? no_data
          : health(k.actions_met * 100.0 / k.actions_counted, policy.target_slo, 10);
  // An S1 or S2 past its SLO is never "on track".
  if (k.open_s1_s2_past_due > 0 && slo_health != "🔴 off track") slo_health = "🟠 at risk";
  std::string past_due = fmt::format("{} open S1/S2 past due", k.open_s1_s2_past_due);

  std::string satisfaction_value =
      k.votes == 0 ? "no votes yet" : fmt::format("{:.1f} / 5 (n={})", k.satisfaction, k.votes);
  std::string satisfaction_health =
      k.votes == 0 ? no_data : health(k.satisfaction, policy.target_satisfaction, 0.5);

  std::string escalation_value =
      fmt::format("{} raised, {} resolved", k.escalations_raised, k.escalations_resolved);
  std::string escalation_health = k.escalations_open == 0
                                      ? "🟢 none open"
                                      : fmt::format("🟠 {} still climbing", k.escalations_open);

  std::string header =
      fmt::format("📈 *KPIs · {} Q{}* · {} → {}{}", q.year, q.number, show_date(iso_date(q.first)),
                  show_date(iso_date(running ? today : q.last)), running ? " (so far)" : "");
  std::string target_on_time = fmt::format("target {}%", policy.target_on_time);
  std::string target_slo = fmt::format("target {}%", policy.target_slo);
  std::string target_satisfaction = fmt::format("target {:.1f}", policy.target_satisfaction);
  nlohmann::json fields = nlohmann::json::array({
      {{"type", "mrkdwn"},
       {"text", fmt::format("*On-time completion*\n{} · {}\n{} · milestones {}/{}, programs {}/{}",
                            on_time_value, target_on_time, on_time_health, k.milestones_on_time,
                            k.milestones_done, k.programs_on_time, k.programs_done)}},
      {{"type", "mrkdwn"},
       {"text", fmt::format("*Corrective-action SLO*\n{} · {}\n{} · {}", slo_value, target_slo,
                            slo_health, past_due)}},
      {{"type", "mrkdwn"},
       {"text", fmt::format("*Stakeholder satisfaction*\n{} · {}\n{}", satisfaction_value,
                            target_satisfaction, satisfaction_health)}},
      {{"type", "mrkdwn"},
       {"text", fmt::format("*Escalations*\n{}\n{}", escalation_value, escalation_health)}},
  });
  std::string footnote =
      "On time: done by the first planned date (a slip counts as late); a program also within "
      "its budget (`/itpm program spend`). SLO: actions closed in "
      "the quarter, and those that reached their due date in it unclosed. Targets: `/itpm "
      "config set target-on-time 85` (also target-slo, target-satisfaction).";

  Reply reply;
  reply.visibility = query_visibility(cmd);
  reply.text = fmt::format(
      "{}\nOn-time completion {} ({}) {} · CA SLO attainment {}, {} ({}) {}\nStakeholder "
      "satisfaction {} ({}) {} · Escalations {} {}",
      header, on_time_value, target_on_time, on_time_health, slo_value, past_due, target_slo,
      slo_health, satisfaction_value, target_satisfaction, satisfaction_health, escalation_value,
      escalation_health);
  reply.blocks.push_back(
      {{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", header}}}, {"fields", fields}});
  reply.blocks.push_back(context_line(footnote));
  return reply_only(std::move(reply));
}

}  // namespace

Quarter quarter_of(sys_days day) {
  std::chrono::year_month_day ymd(day);
  int year = static_cast<int>(ymd.year());
  int number = (static_cast<int>(static_cast<unsigned>(ymd.month())) - 1) / 3 + 1;
  std::chrono::year y{year};
  auto first_month = std::chrono::month(static_cast<unsigned>(number * 3 - 2));
  auto last_month = std::chrono::month(static_cast<unsigned>(number * 3));
  return Quarter{year, number, sys_days(y / first_month / 1),
                 sys_days(std::chrono::year_month_day_last(y / last_month / std::chrono::last))};
}

std::optional<Quarter> parse_quarter(std::string_view text, int this_year) {
  std::string t;
  for (char c : text) {
    if (c != ' ' && c != '-') t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  int year = this_year;
  int number = 0;
  auto digits = [](std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (t.size() == 2 && t[0] == 'q') {  // q4
    number = t[1] - '0';
  } else if (t.size() == 6 && digits(t.substr(0, 4)) && t[4] == 'q') {  // 2026q4
    year = std::stoi(t.substr(0, 4));
    number = t[5] - '0';
  } else if (t.size() == 6 && t[0] == 'q' && digits(t.substr(2))) {  // q42026
    number = t[1] - '0';
    year = std::stoi(t.substr(2));
  } else {
    return std::nullopt;
  }
  if (number < 1 || number > 4 || year < 2000 || year > 2200) return std::nullopt;
  std::chrono::year y{year};
  return quarter_of(sys_days(y / std::chrono::month(static_cast<unsigned>(number * 3)) / 1));
}

Kpis compute_kpis(const storage::Repositories& repos, const Quarter& q, sys_days today,
                  const std::string& zone) {
  // Everything but the surveys (a few per quarter) comes from index rows kept by day or
  // time: the cost follows the quarter, not the years of history.
  Kpis k;
  std::string first = iso_date(q.first);
  std::string last = iso_date(q.last);
  std::string today_iso = iso_date(today);
  repos.work_by_day(storage::day_milestone_done, first, last, [&](const auto& row) {
    ++k.milestones_done;
    if (row.flag != 0) ++k.milestones_on_time;
  });
  std::int64_t from = start_of_day_ms(q.first, zone);
  std::int64_t to = start_of_day_ms(q.last + std::chrono::days(1), zone);
  // The few programs closed in the quarter are read for their budget and spend.
  repos.programs_closed(
      from, to, [&](std::int64_t closed_at, std::string_view due, std::string_view key) {
        std::string closed_on = iso_date(today_in(
            std::chrono::system_clock::time_point(std::chrono::milliseconds(closed_at)), zone));
        auto program = repos.find<storage::Program>(key);
        bool late = closed_on > due;
        bool over = program && program->budget > 0 && program->spent > program->budget;
        ++k.programs_done;
        if (late) ++k.programs_late;
        if (over) ++k.programs_over_budget;
        if (!late && !over) ++k.programs_on_time;
      });
  // SLO: the actions closed in the quarter, and those that reached their due date in it
  // (before today) without being closed by then or in the quarter.
  repos.work_by_day(storage::day_action_closed, first, last, [&](const auto& row) {
    ++k.actions_counted;
    if (row.flag != 0) ++k.actions_met;
  });
  repos.work_by_day(storage::day_action_due, first, last, [&](const auto& row) {
    if (row.day >= today_iso || row.flag == storage::action_done_in_time) return;
    if (row.flag == storage::action_done_late && row.done_on <= last) return;  // closed here
    ++k.actions_counted;
  });
  repos.work_by_day(storage::day_severe_action_due, "", iso_date(today - std::chrono::days(1)),
                    [&](const auto&) { ++k.open_s1_s2_past_due; });
  int sum = 0;
  for (const auto& s : repos.all<storage::Survey>()) {
    std::string sent_on = iso_date(today_in(
        std::chrono::system_clock::time_point(std::chrono::milliseconds(s.sent_at)), zone));
    if (!within(sent_on, q)) continue;
    for (const auto& v : repos.votes(s.number)) {
      if (v.score < 1 || v.score > 5) continue;
      ++k.votes;
      sum += v.score;
    }
  }
  if (k.votes > 0) k.satisfaction = static_cast<double>(sum) / k.votes;
  k.escalations_raised =
      static_cast<int>(repos.count_escalations(storage::escalation_raised, from, to));
  k.escalations_resolved =
      static_cast<int>(repos.count_escalations(storage::escalation_resolved, from, to));
  k.escalations_open = static_cast<int>(repos.count_on_ladder());
  return k;
}

AreaSpec kpi_area() {
  using namespace args;
  return {"kpi",
          {"kpis"},
          "Program KPIs for a quarter",
          "",
          {{"",
            {},
            "On-time completion, SLO attainment, satisfaction, escalations",
            {},
            {opt(arg::quarter, "2026Q4"), share_flag},
            kpi,
            Access::reads_widely}}};
}

}  // namespace itpm::commands
