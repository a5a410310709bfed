#include "commands/areas/kpi_command.hpp"

#include "commands/areas/availability.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/calendar/dates.hpp"
#include "commands/language/arg_builders.hpp"
#include "commands/render/reply.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>

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

// One cell of the trend table: "83%", "4.2", "—".
std::string ratio_cell(int part, int whole) {
  return whole == 0 ? "—" : percent(part, whole);
}

// `kpi --trend`: the four quarters up to `q` side by side, every number of `kpi`, each column
// from the same index rows a quarter's kpi reads.
Outcome trend(const ParsedCommand& cmd, const Command& command, const Context& ctx,
              const Quarter& last, std::chrono::sys_days today) {
  std::array<Quarter, 4> quarters = quarters_up_to(last);
  std::array<Kpis, 4> k;
  for (std::size_t i = 0; i < 4; ++i) k[i] = compute_kpis(ctx.repos, quarters[i], today, ctx.zone);
  std::vector<std::pair<std::string, std::function<std::string(const Kpis&)>>> rows = {
      {"On-time completion",
       [](const Kpis& x) {
         return ratio_cell(x.milestones_on_time + x.programs_on_time,
                           x.milestones_done + x.programs_done);
       }},
      {"  milestones on time",
       [](const Kpis& x) { return fmt::format("{}/{}", x.milestones_on_time, x.milestones_done); }},
      {"  programs on time+budget",
       [](const Kpis& x) { return fmt::format("{}/{}", x.programs_on_time, x.programs_done); }},
      {"  programs late / over",
       [](const Kpis& x) { return fmt::format("{}/{}", x.programs_late, x.programs_over_budget); }},
      {"CA SLO attainment",
       [](const Kpis& x) { return ratio_cell(x.actions_met, x.actions_counted); }},
      {"Satisfaction (n)",
       [](const Kpis& x) {
         return x.votes == 0 ? std::string("—")
                             : fmt::format("{:.1f} ({})", x.satisfaction, x.votes);
       }},
      {"Escalations raised", [](const Kpis& x) { return std::to_string(x.escalations_raised); }},
      {"Escalations resolved",
       [](const Kpis& x) { return std::to_string(x.escalations_resolved); }},
      {"Lowest availability",
       [](const Kpis& x) {
         auto lowest = x.lowest_availability();
         return lowest ? show_percent(*lowest) : std::string("—");
       }},
  };
  constexpr int label_width = 26;
  constexpr int cell_width = 11;
  std::string table = fmt::format("{:<{}}", "", label_width);
  for (const auto& q : quarters) {
    table += fmt::format(
        "{:>{}}", fmt::format("{}Q{}{}", q.year, q.number, q.last >= today ? "*" : ""), cell_width);
  }
  for (const auto& [label, cell] : rows) {
    table += "\n" + fmt::format("{:<{}}", label, label_width);
    for (const auto& x : k) {
      std::string value = cell(x);
      // Width in characters, not bytes ("—" is three bytes).
      int pad = cell_width - static_cast<int>(char_count(value));
      table += std::string(static_cast<std::size_t>(std::max(pad, 1)), ' ') + value;
    }
  }
  std::string header = fmt::format("📈 *KPI trend · {}Q{} → {}Q{}*", quarters[0].year,
                                   quarters[0].number, last.year, last.number);
  std::string footnote = fmt::format(
      "* the quarter so far. Targets: on time {}%, SLO {}%, satisfaction {:.1f}, availability {}. "
      "One quarter in detail: `/itpm kpi --quarter {}Q{}`",
      ctx.policy.target_on_time, ctx.policy.target_slo, ctx.policy.target_satisfaction,
      show_percent(ctx.policy.availability_target), quarters[2].year, quarters[2].number);
  Reply reply;
  reply.visibility = query_visibility(cmd);
  reply.text = header + "\n```\n" + table + "\n```\n" + footnote;
  reply.blocks.push_back(section(header));
  reply.blocks.push_back(section("```\n" + table + "\n```"));
  reply.blocks.push_back(context_line(footnote));
  Outcome out = reply_only(std::move(reply));
  if (cmd.get(arg::image)) {
    // The three rates on one 0–100 scale (satisfaction as a share of 5), each with its target.
    TrendChart chart = kpi_trend_chart(quarters, k, ctx.policy);
    std::string title = fmt::format("KPI trend · {}Q{} → {}Q{}", quarters[0].year,
                                    quarters[0].number, last.year, last.number);
    std::string alt = trend_alt_text(title, chart);
    send_picture(out, cmd, command, {title, alt, header, "kpi-trend", std::move(chart)});
  }
  return out;
}

// `kpi --image`: each number as a bar against its target.
Chart kpi_bars(const std::string& title, const std::string& comment, const Kpis& k,
               const Policy& policy) {
  BarsChart chart;
  int done = k.milestones_done + k.programs_done;
  int on_time = k.milestones_on_time + k.programs_on_time;
  auto bar = [](std::string label, std::optional<double> value, double target, double low,
                double high, std::string shown) {
    return BarsChart::Bar{std::move(label), value, target, low, high, std::move(shown)};
  };
  chart.bars.push_back(bar("On-time completion",
                           done == 0 ? std::nullopt : std::optional<double>(on_time * 100.0 / done),
                           policy.target_on_time, 0, 100, done == 0 ? "" : percent(on_time, done)));
  chart.bars.push_back(
      bar("Corrective-action SLO",
          k.actions_counted == 0 ? std::nullopt
                                 : std::optional<double>(k.actions_met * 100.0 / k.actions_counted),
          policy.target_slo, 0, 100,
          k.actions_counted == 0 ? "" : percent(k.actions_met, k.actions_counted)));
  chart.bars.push_back(
      bar("Satisfaction", k.votes == 0 ? std::nullopt : std::optional<double>(k.satisfaction),
          policy.target_satisfaction, 0, 5, fmt::format("{:.1f} / 5", k.satisfaction)));
  // Availability's lowest month, on a scale that starts a point below it or the target.
  std::optional<double> lowest = k.lowest_availability();
  double floor = std::floor(std::min(lowest.value_or(100.0), policy.availability_target) - 0.5);
  chart.bars.push_back(bar("Availability, lowest month", lowest, policy.availability_target,
                           std::max(0.0, floor), 100, lowest ? show_percent(*lowest) : ""));
  std::string alt = bars_alt_text(title, chart);
  return {title, alt, comment, "kpi", std::move(chart)};
}

Outcome kpi(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
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
  if (cmd.get(arg::trend)) return trend(cmd, command, ctx, q, today);
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

  // Availability, month by month against the target.
  std::string availability_value;
  int recorded = 0;
  int below = 0;
  for (const auto& m : k.availability) {
    std::string name = month_name(m.month);
    std::string value = "—";
    if (m.percent) {
      ++recorded;
      if (*m.percent < policy.availability_target) ++below;
      value = show_percent(*m.percent) + (m.service.empty() ? "" : " (" + m.service + ")") +
              (m.source == "measured" ? " measured" : "");
    }
    availability_value += (availability_value.empty() ? "" : " · ") + name + " " + value;
  }
  std::string availability_health =
      recorded == 0 ? no_data
      : below == 0  ? "🟢 on track"
                    : fmt::format("🔴 below target in {} month{}", below, below == 1 ? "" : "s");
  std::string target_availability = "target " + show_percent(policy.availability_target);

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
      {{"type", "mrkdwn"},
       {"text", fmt::format("*Availability*\n{} · {}\n{}", availability_value, target_availability,
                            availability_health)}},
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
      "satisfaction {} ({}) {} · Escalations {} {}\nAvailability {} ({}) {}",
      header, on_time_value, target_on_time, on_time_health, slo_value, past_due, target_slo,
      slo_health, satisfaction_value, target_satisfaction, satisfaction_health, escalation_value,
      escalation_health, availability_value, target_availability, availability_health);
  reply.blocks.push_back(
      {{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", header}}}, {"fields", fields}});
  reply.blocks.push_back(context_line(footnote));
  Outcome out = reply_only(std::move(reply));
  if (cmd.get(arg::image)) {
    send_picture(out, cmd, command,
                 kpi_bars(fmt::format("KPIs · {} Q{}", q.year, q.number), header, k, policy));
  }
  return out;
}

}  // namespace

std::array<Quarter, 4> quarters_up_to(const Quarter& last) {
  std::array<Quarter, 4> quarters;
  quarters[3] = last;
  for (int i = 2; i >= 0; --i) {
    quarters[static_cast<std::size_t>(i)] =
        quarter_of(quarters[static_cast<std::size_t>(i) + 1].first - std::chrono::days(1));
  }
  return quarters;
}

TrendChart kpi_trend_chart(const std::array<Quarter, 4>& quarters, const std::array<Kpis, 4>& k,
                           const Policy& policy) {
  auto rate = [](int part, int whole) {
    return whole == 0 ? std::nullopt : std::optional<double>(part * 100.0 / whole);
  };
  TrendChart chart;
  TrendChart::Series on_time{"On-time completion", {}, double(policy.target_on_time)};
  TrendChart::Series slo{"Corrective-action SLO", {}, double(policy.target_slo)};
  TrendChart::Series satisfaction{"Satisfaction (of 5)", {}, policy.target_satisfaction * 20};
  for (std::size_t i = 0; i < 4; ++i) {
    const Kpis& x = k[i];
    chart.periods.push_back(fmt::format("{}Q{}", quarters[i].year, quarters[i].number));
    on_time.values.push_back(
        rate(x.milestones_on_time + x.programs_on_time, x.milestones_done + x.programs_done));
    slo.values.push_back(rate(x.actions_met, x.actions_counted));
    satisfaction.values.push_back(x.votes == 0 ? std::nullopt
                                               : std::optional<double>(x.satisfaction * 20));
  }
  chart.series = {std::move(on_time), std::move(slo), std::move(satisfaction)};
  return chart;
}

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
  // Availability: three months, each a short prefix scan.
  std::chrono::year_month first_month(std::chrono::year_month_day(q.first).year(),
                                      std::chrono::year_month_day(q.first).month());
  for (std::size_t i = 0; i < k.availability.size(); ++i) {
    auto ym = first_month + std::chrono::months(static_cast<int>(i));
    Kpis::Month& m = k.availability[i];
    m.month =
        fmt::format("{:04}-{:02}", static_cast<int>(ym.year()), static_cast<unsigned>(ym.month()));
    auto records = repos.availability_of(m.month);
    auto chosen = std::find_if(records.begin(), records.end(),
                               [](const auto& a) { return a.service.empty(); });
    if (chosen == records.end()) {
      chosen = std::min_element(records.begin(), records.end(), [](const auto& a, const auto& b) {
        return a.milli_percent < b.milli_percent;
      });
    }
    if (chosen != records.end()) {
      m.percent = chosen->milli_percent / 1000.0;
      m.service = chosen->service;
      m.source = chosen->source;
    }
  }
  return k;
}

AreaSpec kpi_area() {
  using namespace args;
  return {
      "kpi",
      {"kpis"},
      "Program KPIs for a quarter",
      "",
      {{"",
        {},
        "On-time completion, SLO attainment, satisfaction, escalations, availability",
        {},
        {opt(arg::quarter, "2026Q4"), sw(arg::trend), share_flag, image_flag},
        kpi,
        Access::reads_widely},
       {"availability",
        {},
        "Record a month's availability, or measure it with Prometheus (admins)",
        {choice(arg::operation, {"record", "measure"}, true), opt(arg::availability, "<percent>")},
        {opt(arg::month, "YYYY-MM"), opt(arg::service, "name")},
        availability_command,
        Access::writes}}};
}

}  // namespace itpm::commands
