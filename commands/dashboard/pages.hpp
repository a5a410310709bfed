#pragma once
// The read-only dashboard (commands.md §7): the portfolio, the risk heat map (whole and per
// program), KPI trends and a program's timeline, as HTML with inline SVG. A front-end like a
// form: it reads through the repositories, renders here, and bot/ serves it; it never writes.
// Every page is for a valid link only (link.hpp, access.hpp); anything else is a 403 with none
// of the data.

#include "commands/command.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace itpm::commands::dashboard {

enum class PageKind { portfolio, heatmap, program_heatmap, kpi, program, unknown };

// Where a request goes: /dashboard/<link>/ (portfolio, ?page=N), …/heatmap, …/heatmap/<key>,
// …/kpi, …/program/<key>. `dashboard` is false for a path elsewhere.
struct Route {
  bool dashboard = false;
  std::string token;
  PageKind kind = PageKind::unknown;
  std::string program;
  std::size_t page = 1;
  std::string root;  // relative path from the page back to the link's root ("./", "../")
  bool operator==(const Route&) const = default;
};
Route route(std::string_view target);

struct Page {
  int status = 200;
  std::string html;
  std::string label;  // what was asked, for metrics: portfolio, heatmap, kpi, program, other
};

// How many programs a page of the portfolio shows.
inline constexpr std::size_t portfolio_page_size = 50;

// Answers GET `target` (path and query): checks its link against `key` at ctx.now, then
// renders the page from ctx.repos (ctx.policy's threshold and targets, ctx.zone's dates).
// No link, a forged or expired one, or a program the link does not cover: 403 and none of the
// data; a page or program that does not exist: 404.
Page serve(std::string_view target, std::string_view key, const Context& ctx);

}  // namespace itpm::commands::dashboard
