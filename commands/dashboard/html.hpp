#pragma once
// The dashboard's HTML: an escaper, the page around each page's body (one stylesheet, allowed by
// its hash in the Content-Security-Policy, no script, nothing from elsewhere), and SVG charts
// with titles and descriptions for screen readers.

#include "commands/render/chart.hpp"

#include <string>
#include <string_view>

namespace itpm::commands::dashboard {

// Text for HTML element content and attribute values: & < > " ' escaped.
std::string escape(std::string_view text);

enum class Section { portfolio, heatmap, kpi, program, none };

struct Shell {
  std::string title;  // the page's <title> and <h1>
  std::string root;   // relative path from this page to the link's root ("./" or "../")
  Section section = Section::none;
  std::string footer;  // who the link is for and until when (already escaped HTML)
};

// A whole page: doctype, head, the navigation, `body` (HTML) and the footer.
std::string page(const Shell& shell, std::string_view body);

// The Content-Security-Policy every answer carries: nothing loads, runs or frames; only the
// stylesheet page() embeds, by its SHA-256.
const std::string& content_security_policy();

// The heat map as inline SVG: cells coloured by band with their counts, axes named; `label`
// says what it is for (its <title>), and the description lists the cells in words. `id` makes
// the title's and description's element IDs unique on the page.
std::string heatmap_svg(const HeatmapChart& grid, const std::string& id, const std::string& label,
                        const std::string& description, int cell = 56);
// Lines over periods on a 0–100 scale with dashed targets, a legend, and a <title>/<desc>.
std::string trend_svg(const TrendChart& chart, const std::string& label,
                      const std::string& description);

// The band's name and colour (low … critical) shared by tables and charts.
std::string_view band_name(int band);
std::string_view band_colour(int band);

}  // namespace itpm::commands::dashboard
