// The dashboard's KPI trends: the four quarters up to today's, as lines against their targets
// and as a table of every number `/itpm kpi --trend` gives.
#include "commands/areas/handler_support.hpp"
#include "commands/areas/kpi_command.hpp"
#include "commands/calendar/dates.hpp"
#include "commands/dashboard/page_parts.hpp"

#include <fmt/format.h>

namespace itpm::commands::dashboard {
namespace {

std::string cell(const std::optional<double>& v, const char* format = "{:.0f}%") {
  return v ? fmt::format(fmt::runtime(format), *v) : std::string("—");
}

}  // namespace

Page kpi_page(const PageContext& pc) {
  const Context& ctx = pc.ctx;
  auto today = today_in(ctx.now, ctx.zone);
  std::array<Quarter, 4> quarters = quarters_up_to(quarter_of(today));
  std::array<Kpis, 4> k;
  for (std::size_t i = 0; i < 4; ++i) k[i] = compute_kpis(ctx.repos, quarters[i], today, ctx.zone);
  const Policy& policy = ctx.policy;
  TrendChart chart = kpi_trend_chart(quarters, k, policy);
  const auto& on_time = chart.series[0];
  const auto& slo = chart.series[1];
  std::string title =
      fmt::format("KPI trends · {} → {}", chart.periods.front(), chart.periods.back());
  std::string body = "<figure>" + trend_svg(chart, title, trend_alt_text(title, chart)) +
                     "<figcaption>The current quarter so far. Satisfaction is drawn as a share "
                     "of 5.</figcaption></figure>";
  std::string head;
  for (const auto& p : chart.periods) head += "<th scope=\"col\">" + escape(p) + "</th>";
  auto row = [&](const std::string& label, const std::string& target, auto value) {
    std::string cells;
    for (std::size_t i = 0; i < 4; ++i) cells += "<td class=\"n\">" + value(i) + "</td>";
    return fmt::format("<tr><th scope=\"row\">{}</th>{}<td>{}</td></tr>", escape(label), cells,
                       escape(target));
  };
  body +=
      "<table><caption>Every number by quarter</caption><thead><tr><th scope=\"col\">KPI"
      "</th>" +
      head + "<th scope=\"col\">Target</th></tr></thead><tbody>";
  body += row("On-time completion", fmt::format("{}%", policy.target_on_time),
              [&](std::size_t i) { return cell(on_time.values[i]); });
  body += row("Milestones on time", "", [&](std::size_t i) {
    return fmt::format("{}/{}", k[i].milestones_on_time, k[i].milestones_done);
  });
  body += row("Programs on time and within budget", "", [&](std::size_t i) {
    return fmt::format("{}/{}", k[i].programs_on_time, k[i].programs_done);
  });
  body += row("Corrective-action SLO", fmt::format("{}%", policy.target_slo),
              [&](std::size_t i) { return cell(slo.values[i]); });
  body += row(
      "Satisfaction", fmt::format("{:.1f} of 5", policy.target_satisfaction), [&](std::size_t i) {
        return k[i].votes == 0 ? std::string("—")
                               : fmt::format("{:.1f} (n={})", k[i].satisfaction, k[i].votes);
      });
  body += row("Escalations raised / resolved", "", [&](std::size_t i) {
    return fmt::format("{} / {}", k[i].escalations_raised, k[i].escalations_resolved);
  });
  body += row("Lowest month's availability", show_percent(policy.availability_target),
              [&](std::size_t i) {
                auto lowest = k[i].lowest_availability();
                return lowest ? show_percent(*lowest) : "—";
              });
  body += "</tbody></table>";
  return finished(pc, Section::kpi, "kpi", "KPI trends", body);
}

}  // namespace itpm::commands::dashboard
