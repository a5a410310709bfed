#include "commands/dashboard/pages.hpp"

#include "commands/areas/handler_support.hpp"
#include "commands/areas/risk_heatmap.hpp"
#include "commands/calendar/dates.hpp"
#include "commands/dashboard/access.hpp"
#include "commands/dashboard/page_parts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

namespace itpm::commands::dashboard {
namespace {

// A program key as the grammar allows them (program add): anything else is not one.
bool program_key(std::string_view s) {
  return !s.empty() && s.size() <= 32 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// A page without data: what is wrong and what to do.
Page refusal(int status, const std::string& label, const std::string& title,
             const std::string& what) {
  Shell shell{title, "", Section::none, "itpm-bot · read-only dashboard"};
  std::string body = "<p>" + escape(what) +
                     "</p><p>Ask the bot for a new link: type <code>/itpm dashboard</code> (or "
                     "<code>/itpm dashboard &lt;program&gt;</code>) in Slack.</p>";
  // No navigation: its links would lead nowhere either.
  std::string html = page(shell, body);
  auto nav = html.find("<header>");
  auto end = html.find("</header>");
  if (nav != std::string::npos && end != std::string::npos)
    html.erase(nav, end + std::string_view("</header>").size() - nav);
  return {status, std::move(html), label};
}

std::string label_of(PageKind kind) {
  switch (kind) {
    case PageKind::portfolio:
      return "portfolio";
    case PageKind::heatmap:
    case PageKind::program_heatmap:
      return "heatmap";
    case PageKind::kpi:
      return "kpi";
    case PageKind::program:
      return "program";
    case PageKind::unknown:
      break;
  }
  return "other";
}

// "7" -> 7; anything else (or 0) -> 1.
std::size_t page_number(std::string_view query) {
  auto at = query.find("page=");
  if (at == std::string_view::npos || (at > 0 && query[at - 1] != '&')) return 1;
  auto value = query.substr(at + 5, query.find('&', at) - at - 5);
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size() || n == 0 || n > 100000) return 1;
  return n;
}

Page portfolio(const PageContext& pc) {
  const Context& ctx = pc.ctx;
  // Red first, then amber, green and programs without a status; by key within each.
  std::vector<std::string> order;
  std::set<std::string, std::less<>> seen;
  std::array<std::size_t, 4> by_health{};
  for (std::string_view colour : {"red", "amber", "green"}) {
    ctx.repos.programs_by_health(storage::health_rank(std::string(colour)),
                                 [&](std::string_view key) {
                                   if (seen.emplace(key).second) {
                                     order.emplace_back(key);
                                     ++by_health[colour == "red" ? 0 : colour == "amber" ? 1 : 2];
                                   }
                                   return true;
                                 });
  }
  ctx.repos.open_programs([&](std::string_view key) {
    if (!seen.contains(key)) {
      order.emplace_back(key);
      ++by_health[3];
    }
    return true;
  });
  // Open critical risks in the whole register, from its counters.
  HeatmapChart whole = risk_grid(ctx.repos, "", ctx.policy.escalation_threshold);
  int critical_total = whole.per_band()[3];
  auto dot = [](std::string_view cls) {
    return fmt::format("<span class=\"dot {}\" aria-hidden=\"true\"></span>", cls);
  };
  std::string body = fmt::format(
      "<div class=\"summary\"><p><strong>{}</strong> open programs</p>"
      "<p>{}<strong>{}</strong> red</p><p>{}<strong>{}</strong> amber</p>"
      "<p>{}<strong>{}</strong> green</p><p>{}<strong>{}</strong> without a status</p>"
      "<p><strong>{}</strong> open critical risks</p></div>",
      thousands(static_cast<std::int64_t>(order.size())), dot("red"), by_health[0], dot("amber"),
      by_health[1], dot("green"), by_health[2], dot("none"), by_health[3], critical_total);
  if (order.empty()) {
    body +=
        "<p>No open programs yet. Create one in Slack: <code>/itpm program add &lt;key&gt; "
        "\"&lt;name&gt;\"</code>.</p>";
    return finished(pc, Section::portfolio, "portfolio", "Portfolio", body);
  }
  std::size_t pages = (order.size() + portfolio_page_size - 1) / portfolio_page_size;
  std::size_t page = std::min(pc.route.page, pages);
  std::size_t first = (page - 1) * portfolio_page_size;
  std::size_t last = std::min(order.size(), first + portfolio_page_size);
  // The next review of each program: the soonest active cadence.
  std::map<std::string, std::pair<std::int64_t, std::string>, std::less<>> next_review;
  for (const auto& review : ctx.repos.all<storage::Review>()) {
    if (review.status != storage::ReviewStatus::active || review.next_at == 0) continue;
    auto [it, added] = next_review.try_emplace(review.program, review.next_at, review.zone);
    if (!added && review.next_at < it->second.first) it->second = {review.next_at, review.zone};
  }
  body += fmt::format(
      "<table><caption>Programs {}–{} of {}, red and amber first</caption><thead><tr>"
      "<th scope=\"col\">Program</th><th scope=\"col\">Name</th><th scope=\"col\">Status</th>"
      "<th scope=\"col\">Owner</th><th scope=\"col\">Next review</th>"
      "<th scope=\"col\">Open critical risks</th></tr></thead><tbody>",
      first + 1, last, thousands(static_cast<std::int64_t>(order.size())));
  for (std::size_t k = first; k < last; ++k) {
    auto p = ctx.repos.find<storage::Program>(order[k]);
    if (!p || !covers(pc.grant, *p)) continue;
    auto updates = ctx.repos.status_updates(p->key, 1);
    std::string status = updates.empty() ? std::string() : updates.front().status;
    int critical = 0;
    auto risks = ctx.repos.risks_of_program(p->key);
    for (const auto& r : *risks) {
      if (r.status != storage::RiskStatus::closed && r.score() >= ctx.policy.escalation_threshold)
        ++critical;
    }
    std::string review = "—";
    if (auto it = next_review.find(p->key); it != next_review.end())
      review =
          show_time(it->second.first, it->second.second.empty() ? ctx.zone : it->second.second);
    body += fmt::format(
        "<tr><th scope=\"row\"><a href=\"{0}program/{1}\">{1}</a></th><td>{2}</td><td>{3}</td>"
        "<td>{4}</td><td>{5}</td><td class=\"n\">{6}</td></tr>",
        pc.route.root, escape(p->key), escape(p->name), status_html(status), escape(p->owner),
        escape(review),
        critical == 0 ? std::string("0")
                      : fmt::format("<a href=\"{}heatmap/{}\">{}</a>", pc.route.root,
                                    escape(p->key), critical));
  }
  body += "</tbody></table>";
  if (pages > 1) {
    body += "<nav class=\"pages\" aria-label=\"Pages\">";
    if (page > 1) body += fmt::format("<a href=\"?page={}\">Previous</a>", page - 1);
    body += fmt::format("<span>Page {} of {}</span> ", page, pages);
    if (page < pages) body += fmt::format("<a href=\"?page={}\">Next</a>", page + 1);
    body += "</nav>";
  }
  return finished(pc, Section::portfolio, "portfolio", "Portfolio", body);
}

std::string band_table(const HeatmapChart& grid) {
  auto per_band = grid.per_band();
  std::string rows;
  for (int b = 3; b >= 0; --b) {
    rows += fmt::format("<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td></tr>", band_name(b),
                        per_band[static_cast<std::size_t>(b)]);
  }
  return "<table><caption>Open risks by band</caption><thead><tr><th scope=\"col\">Band</th>"
         "<th scope=\"col\">Risks</th></tr></thead><tbody>" +
         rows + "</tbody></table>";
}

Page heatmap(const PageContext& pc, const storage::Program* program) {
  const Context& ctx = pc.ctx;
  std::string scope = program != nullptr ? program->key : "all programs";
  HeatmapChart grid =
      risk_grid(ctx.repos, program != nullptr ? program->key : "", ctx.policy.escalation_threshold);
  std::string title = "Risk heat map · " + scope;
  std::string body;
  if (grid.total() == 0) {
    body = "<p>No open risks in " + escape(scope) + ": the heat map is empty.</p>";
  } else {
    body = "<figure>" + heatmap_svg(grid, "hm", title, heatmap_alt_text(scope, grid)) +
           "<figcaption>Likelihood (rows) by impact (columns); colours are bands: critical from "
           "a score of " +
           std::to_string(ctx.policy.escalation_threshold) + "</figcaption></figure>" +
           band_table(grid);
  }
  if (program != nullptr) {
    // The program's open risks, highest first (at most 50).
    auto risks = ctx.repos.risks_of_program(program->key);
    std::string rows;
    int shown = 0;
    for (const auto& r : *risks) {
      if (r.status == storage::RiskStatus::closed || shown == 50) continue;
      ++shown;
      rows += fmt::format(
          "<tr><th scope=\"row\">{}</th><td>{}</td><td class=\"n\">{}</td><td>{}</td>"
          "<td>{}</td></tr>",
          storage::risk_id(r.number), escape(r.title), r.score(),
          band_name(band_index(r.score(), ctx.policy.escalation_threshold)), escape(r.owner));
    }
    if (!rows.empty()) {
      body +=
          "<table><caption>Open risks, highest score first</caption><thead><tr>"
          "<th scope=\"col\">Risk</th><th scope=\"col\">Title</th><th scope=\"col\">Score"
          "</th><th scope=\"col\">Band</th><th scope=\"col\">Owner</th></tr></thead><tbody>" +
          rows + "</tbody></table>";
    }
    body += fmt::format("<p><a href=\"{}program/{}\">{}'s timeline</a></p>", pc.route.root,
                        escape(program->key), escape(program->key));
  }
  return finished(pc, Section::heatmap, "heatmap", title, body);
}

}  // namespace

std::string status_html(const std::string& status) {
  std::string cls = status == "red" || status == "amber" || status == "green" ? status : "none";
  return fmt::format("<span class=\"dot {}\" aria-hidden=\"true\"></span>{}", cls,
                     status.empty() ? "no status" : escape(status));
}

Page finished(const PageContext& pc, Section section, const std::string& label,
              const std::string& title, const std::string& body) {
  Shell shell{title, pc.route.root, section, pc.footer};
  return {200, page(shell, body), label};
}

Route route(std::string_view target) {
  Route r;
  std::string_view query;
  if (auto q = target.find('?'); q != std::string_view::npos) {
    query = target.substr(q + 1);
    target = target.substr(0, q);
  }
  constexpr std::string_view prefix = "/dashboard/";
  if (!target.starts_with(prefix)) return r;
  r.dashboard = true;
  target.remove_prefix(prefix.size());
  auto slash = target.find('/');
  r.token = std::string(target.substr(0, slash));
  // Without the slash after the link, relative links would resolve one level up.
  if (slash == std::string_view::npos) return r;
  std::string_view rest = target.substr(slash + 1);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  auto next = rest.find('/');
  std::string_view first = rest.substr(0, next);
  std::string_view second = next == std::string_view::npos ? "" : rest.substr(next + 1);
  r.root = second.empty() ? "./" : "../";
  if (first.empty()) {
    r.kind = PageKind::portfolio;
    r.page = page_number(query);
  } else if (first == "heatmap" && second.empty()) {
    r.kind = PageKind::heatmap;
  } else if (first == "heatmap" && program_key(second)) {
    r.kind = PageKind::program_heatmap;
    r.program = std::string(second);
  } else if (first == "kpi" && second.empty()) {
    r.kind = PageKind::kpi;
  } else if (first == "program" && program_key(second)) {
    r.kind = PageKind::program;
    r.program = std::string(second);
  }
  return r;
}

Page serve(std::string_view target, std::string_view key, const Context& ctx) {
  Route r = route(target);
  if (!r.dashboard) return refusal(404, "other", "Not found", "There is no page here.");
  std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(ctx.now.time_since_epoch()).count();
  // The link first: without a valid one, nothing (not even whether a page exists) is said.
  Checked checked = check(r.token, key, now);
  if (checked.problem == LinkProblem::expired) {
    return refusal(
        403, label_of(r.kind), "Link expired",
        "This dashboard link expired " + show_time(checked.expired_at * 1000, ctx.zone) + ".");
  }
  if (!checked.grant) {
    return refusal(403, label_of(r.kind), "Link not valid",
                   "This is not a valid dashboard link (it may have been cut short, changed, or "
                   "made before the bot's key was rotated).");
  }
  PageContext pc{ctx, r, *checked.grant,
                 fmt::format("Read-only. This link is for {} and expires {}; do not share it.",
                             escape(checked.grant->user),
                             escape(show_time(checked.grant->expires * 1000, ctx.zone)))};
  if (r.kind == PageKind::unknown) {
    return refusal(404, label_of(r.kind), "Not found",
                   "There is no such page: the dashboard has the portfolio, the risk heat map, "
                   "KPI trends and each program's timeline.");
  }
  bool whole = checked.grant->scope == all_programs;
  if (r.kind == PageKind::program || r.kind == PageKind::program_heatmap) {
    auto program = ctx.repos.find<storage::Program>(r.program);
    // Whether it exists is data too: a link for another program learns nothing.
    if (!whole && checked.grant->scope != r.program) {
      return refusal(403, label_of(r.kind), "Not covered by this link",
                     "This link shows " + checked.grant->scope + " only.");
    }
    if (!program) {
      return refusal(404, label_of(r.kind), "No such program",
                     "There is no program " + r.program + ". The portfolio lists them all.");
    }
    if (!covers(*checked.grant, *program)) {
      return refusal(403, label_of(r.kind), "Not covered by this link",
                     "This link does not show " + r.program + ".");
    }
    return r.kind == PageKind::program ? timeline_page(pc, *program) : heatmap(pc, &*program);
  }
  if (!whole) {
    return refusal(403, label_of(r.kind), "Not covered by this link",
                   "This link shows " + checked.grant->scope +
                       " only: open its timeline at "
                       "program/" +
                       checked.grant->scope + ".");
  }
  switch (r.kind) {
    case PageKind::portfolio:
      return portfolio(pc);
    case PageKind::heatmap:
      return heatmap(pc, nullptr);
    case PageKind::kpi:
      return kpi_page(pc);
    default:
      break;
  }
  return refusal(404, label_of(r.kind), "Not found", "There is no page here.");
}

}  // namespace itpm::commands::dashboard
