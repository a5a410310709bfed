#pragma once
// `risk heatmap [--program KEY] [--share] [--image]`: the likelihood × impact grid of open risks,
// as text, and as a picture with --image; the same grid a scheduled report's picture shows.

#include "commands/command.hpp"
#include "commands/language/parser.hpp"
#include "commands/render/chart.hpp"

#include <string>

namespace itpm::commands {

Outcome risk_heatmap(const ParsedCommand& cmd, const Command& command, const Context& ctx);

// Open risks per cell of `program` (empty: every program's, from the register's counters, no
// risk read), each cell's band by `threshold`.
HeatmapChart risk_grid(const storage::Repositories& repos, const std::string& program,
                       int threshold);
// The grid as a chart for `scope` ("PLAT", "all programs"), with its title and alt text;
// `comment` is the line posted with it.
Chart heatmap_chart(const std::string& scope, HeatmapChart grid, std::string comment);

}  // namespace itpm::commands
