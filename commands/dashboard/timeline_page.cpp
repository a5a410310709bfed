// The dashboard's program page: the program, a timeline (status changes, decisions, and each
// milestone from its first planned date to its due date now, so a slip shows as a line), and the
// same as tables.
#include "commands/calendar/dates.hpp"
#include "commands/dashboard/page_parts.hpp"
#include "common/iso_date.hpp"
#include "common/utf8.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace itpm::commands::dashboard {
namespace {

constexpr std::size_t max_milestones = 40;
constexpr std::size_t max_decisions = 200;

std::string day_of(std::int64_t ms, const std::string& zone) {
  auto* z = find_zone(zone);
  return z == nullptr
             ? iso_date(std::chrono::floor<std::chrono::days>(
                   std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms))))
             : iso_date(local_day(ms, *z));
}

std::string_view status_colour(const std::string& status) {
  if (status == "red") return "#c62828";
  if (status == "amber") return "#f9a825";
  if (status == "green") return "#2e7d32";
  return "#999999";
}

struct Timeline {
  std::vector<storage::Milestone> milestones;
  std::vector<storage::Decision> decisions;
  std::vector<storage::StatusUpdate> statuses;  // oldest first
  std::string today;
};

std::string timeline_svg(const Timeline& t, const std::string& label, const std::string& zone) {
  // The span: from the earliest thing shown to the latest, and today.
  std::int64_t first = common::days_from_date(t.today);
  std::int64_t last = first;
  auto take = [&](const std::string& day) {
    if (day.empty()) return;
    std::int64_t d = common::days_from_date(day);
    first = std::min(first, d);
    last = std::max(last, d);
  };
  for (const auto& m : t.milestones) {
    take(m.original_due);
    take(m.due);
    take(m.done_on);
  }
  for (const auto& d : t.decisions) take(d.date);
  for (const auto& s : t.statuses) take(day_of(s.at, zone));
  last = std::max(last, first + 14);
  constexpr int left = 190;
  constexpr int width = 940;
  constexpr int row = 26;
  const int plot = width - left - 20;
  const int rows = 2 + static_cast<int>(t.milestones.size());
  const int height = 30 + rows * row + 30;
  auto x_of = [&](const std::string& day) {
    return left + static_cast<double>(common::days_from_date(day) - first) * plot /
                      static_cast<double>(last - first);
  };
  std::string svg = fmt::format(
      "<svg role=\"img\" aria-labelledby=\"tlt\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} "
      "{1}\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"DejaVu Sans, sans-serif\" "
      "font-size=\"12\"><title id=\"tlt\">{2}</title>",
      width, height, escape(label));
  // Month ticks along the top.
  auto ymd = std::chrono::year_month_day(std::chrono::sys_days(std::chrono::days(first)));
  auto month = ymd.year() / ymd.month() / 1;
  for (int guard = 0; guard < 60; ++guard) {
    month = month + std::chrono::months(1);
    auto day = std::chrono::sys_days(month).time_since_epoch().count();
    if (day > last) break;
    double x = x_of(iso_date(std::chrono::sys_days(month)));
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"20\" y2=\"{1}\" stroke=\"#e3e3e3\"/>"
        "<text x=\"{0:.1f}\" y=\"14\" text-anchor=\"middle\" fill=\"#555\">{2}</text>",
        x, height - 20, iso_date(std::chrono::sys_days(month)).substr(0, 7));
  }
  double today_x = x_of(t.today);
  svg += fmt::format(
      "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"20\" y2=\"{1}\" stroke=\"#1f3a5f\" "
      "stroke-dasharray=\"4 3\"/><text x=\"{0:.1f}\" y=\"{2}\" text-anchor=\"middle\" "
      "fill=\"#1f3a5f\">today</text>",
      today_x, height - 20, height - 6);
  auto row_y = [&](int r) { return 30 + r * row + row / 2; };
  svg += fmt::format("<text x=\"8\" y=\"{}\" font-weight=\"bold\">Status</text>", row_y(0) + 4);
  for (const auto& s : t.statuses) {
    svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{}\" r=\"7\" fill=\"{}\" stroke=\"#333\"/>",
                       x_of(day_of(s.at, zone)), row_y(0), status_colour(s.status));
  }
  svg += fmt::format("<text x=\"8\" y=\"{}\" font-weight=\"bold\">Decisions</text>", row_y(1) + 4);
  for (const auto& d : t.decisions) {
    svg += fmt::format("<rect x=\"{:.1f}\" y=\"{}\" width=\"4\" height=\"14\" fill=\"#5b3e96\"/>",
                       x_of(d.date) - 2, row_y(1) - 7);
  }
  for (std::size_t i = 0; i < t.milestones.size(); ++i) {
    const auto& m = t.milestones[i];
    int y = row_y(2 + static_cast<int>(i));
    // Cut on a character, not a byte: the page stays valid UTF-8.
    std::string name(common::utf8::prefix(m.title, 23));
    if (name.size() < m.title.size()) name += "…";
    svg += fmt::format("<text x=\"8\" y=\"{}\">{} {}</text>", y + 4,
                       storage::milestone_id(m.number), escape(name));
    bool done = m.status == storage::WorkStatus::done;
    bool late = !done && m.due < t.today;
    std::string colour = done   ? (m.done_on <= m.original_due ? "#2e7d32" : "#e65100")
                         : late ? "#c62828"
                                : "#1f3a5f";
    if (!m.original_due.empty() && m.original_due != m.due) {
      // Slipped: from the first plan (hollow) to the due date now.
      svg += fmt::format(
          "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{}\" y2=\"{}\" stroke=\"#e65100\" "
          "stroke-width=\"2\"/><circle cx=\"{:.1f}\" cy=\"{}\" r=\"5\" fill=\"#fff\" "
          "stroke=\"#e65100\" stroke-width=\"2\"/>",
          x_of(m.original_due), x_of(m.due), y, y, x_of(m.original_due), y);
    }
    double x = x_of(done && !m.done_on.empty() ? m.done_on : m.due);
    svg += fmt::format("<path d=\"M{0:.1f} {1} l7 7 l-7 7 l-7 -7 z\" fill=\"{2}\"/>", x, y - 7,
                       colour);
  }
  return svg + "</svg>";
}

}  // namespace

Page timeline_page(const PageContext& pc, const storage::Program& program) {
  const Context& ctx = pc.ctx;
  Timeline t;
  t.today = iso_date(today_in(ctx.now, ctx.zone));
  // Open milestones (soonest due first), then done ones (from the program's milestone events).
  t.milestones = ctx.repos.open_milestones("", program.key, max_milestones);
  for (auto number : ctx.repos.event_numbers(storage::Family::milestone_events, program.key,
                                             storage::milestone_done, 0)) {
    if (t.milestones.size() >= max_milestones) break;
    if (auto m = ctx.repos.find<storage::Milestone>(number)) t.milestones.push_back(std::move(*m));
  }
  std::sort(t.milestones.begin(), t.milestones.end(),
            [](const auto& a, const auto& b) { return a.due < b.due; });
  storage::DecisionFilter filter;
  filter.program = program.key;
  std::size_t decisions_total = 0;
  t.decisions = ctx.repos.decisions(filter, max_decisions, &decisions_total);
  t.statuses = ctx.repos.status_updates(program.key, 100);
  std::reverse(t.statuses.begin(), t.statuses.end());

  std::string latest = t.statuses.empty() ? std::string() : t.statuses.back().status;
  std::string body = fmt::format(
      "<div class=\"summary\"><p>{}</p><p>Owner {}</p><p>{}</p><p>{}</p>"
      "<p><a href=\"{}heatmap/{}\">Risk heat map</a></p></div>",
      status_html(latest), escape(program.owner),
      program.due.empty() ? "No due date" : "Due " + escape(show_date(program.due)),
      program.status == storage::ProgramStatus::closed ? "Closed" : "Open", pc.route.root,
      escape(program.key));
  if (!program.description.empty()) body += "<p>" + escape(program.description) + "</p>";
  std::size_t slipped = std::count_if(t.milestones.begin(), t.milestones.end(), [](const auto& m) {
    return !m.original_due.empty() && m.original_due != m.due;
  });
  std::string label =
      fmt::format("Timeline of {}: {} milestones ({} slipped), {} decisions, {} status changes",
                  program.key, t.milestones.size(), slipped, t.decisions.size(), t.statuses.size());
  body += "<figure>" + timeline_svg(t, label, ctx.zone) +
          "<figcaption>Diamonds: milestones at their due date (green done on time, orange done "
          "late, red overdue); a hollow circle and a line: where a slipped milestone was first "
          "planned. Purple ticks: decisions. Dots: status changes.</figcaption></figure>";

  std::string rows;
  for (const auto& m : t.milestones) {
    std::int64_t slip_days = m.original_due.empty() ? 0
                                                    : common::days_from_date(m.due) -
                                                          common::days_from_date(m.original_due);
    rows += fmt::format(
        "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "</tr>",
        storage::milestone_id(m.number), escape(m.title),
        escape(show_date(m.original_due.empty() ? m.due : m.original_due)),
        escape(show_date(m.due)),
        slip_days == 0 ? std::string("—")
                       : fmt::format("+{}d ({} slip{})", slip_days, m.slips.size(),
                                     m.slips.size() == 1 ? "" : "s"),
        m.status == storage::WorkStatus::done ? "done " + escape(show_date(m.done_on)) : "open");
  }
  body += rows.empty() ? "<h2>Milestones</h2><p>No milestones yet.</p>"
                       : "<h2>Milestones</h2><table><caption>Milestones by due date</caption>"
                         "<thead><tr><th scope=\"col\">Milestone</th><th scope=\"col\">Title</th>"
                         "<th scope=\"col\">First planned</th><th scope=\"col\">Due</th>"
                         "<th scope=\"col\">Slipped</th><th scope=\"col\">State</th></tr></thead>"
                         "<tbody>" +
                             rows + "</tbody></table>";
  rows.clear();
  for (std::size_t i = 0; i < t.decisions.size() && i < 30; ++i) {
    const auto& d = t.decisions[i];
    rows += fmt::format("<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td></tr>",
                        storage::decision_id(d.number), escape(show_date(d.date)), escape(d.title));
  }
  body += rows.empty() ? "<h2>Decisions</h2><p>No decisions yet.</p>"
                       : fmt::format(
                             "<h2>Decisions</h2><table><caption>The newest {} of {}"
                             "</caption><thead><tr><th scope=\"col\">Decision</th>"
                             "<th scope=\"col\">Date</th><th scope=\"col\">Title</th></tr>"
                             "</thead><tbody>",
                             std::min<std::size_t>(30, t.decisions.size()), decisions_total) +
                             rows + "</tbody></table>";
  rows.clear();
  for (auto it = t.statuses.rbegin(); it != t.statuses.rend(); ++it) {
    rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                        escape(show_time(it->at, ctx.zone)), status_html(it->status),
                        escape(it->summary));
  }
  body += rows.empty() ? "<h2>Status</h2><p>No status recorded yet.</p>"
                       : "<h2>Status</h2><table><caption>Status changes, newest first</caption>"
                         "<thead><tr><th scope=\"col\">When</th><th scope=\"col\">Status</th>"
                         "<th scope=\"col\">Summary</th></tr></thead><tbody>" +
                             rows + "</tbody></table>";
  return finished(pc, Section::program, "program", program.key + " · " + program.name, body);
}

}  // namespace itpm::commands::dashboard
