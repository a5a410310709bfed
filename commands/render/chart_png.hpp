#pragma once
// Draws a Chart (chart.hpp) as a PNG with cairo, text in DejaVu Sans (fonts-dejavu-core): pure,
// bytes out. Cairo because Debian packages it with its PNG writer and antialiased text, and
// nothing here sets pixels by hand; the same inputs give the same bytes on the same libraries.

#include "commands/render/chart.hpp"

#include <optional>
#include <string>

namespace itpm::commands {

// The chart as PNG bytes; nullopt when cairo fails (out of memory): the text is posted instead.
std::optional<std::string> render_png(const Chart& chart);

}  // namespace itpm::commands
