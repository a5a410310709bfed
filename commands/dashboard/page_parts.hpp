#pragma once
// Shared by the dashboard's page files (pages.cpp, kpi_page.cpp, timeline_page.cpp) only.

#include "commands/dashboard/html.hpp"
#include "commands/dashboard/link.hpp"
#include "commands/dashboard/pages.hpp"

#include <string>

namespace itpm::commands::dashboard {

// What every page is rendered with: the request, its checked link, and the footer naming them.
struct PageContext {
  const Context& ctx;
  Route route;
  Grant grant;
  std::string footer;  // HTML
};

// A page of `section` with `title` and `body`.
Page finished(const PageContext& pc, Section section, const std::string& label,
              const std::string& title, const std::string& body);

// KPI trends over the four quarters up to today's.
Page kpi_page(const PageContext& pc);
// One program's timeline: milestones with their slips, decisions and status changes.
Page timeline_page(const PageContext& pc, const storage::Program& program);

// "🔴 red" as HTML: a coloured dot and the word.
std::string status_html(const std::string& status);

}  // namespace itpm::commands::dashboard
