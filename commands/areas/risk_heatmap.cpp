#include "commands/areas/risk_heatmap.hpp"

#include "commands/areas/handler_support.hpp"
#include "commands/language/arg_builders.hpp"
#include "commands/render/reply.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace itpm::commands {

HeatmapChart risk_grid(const storage::Repositories& repos, const std::string& program,
                       int threshold) {
  HeatmapChart grid;
  for (std::size_t l = 0; l < 5; ++l) {
    for (std::size_t i = 0; i < 5; ++i)
      grid.bands[l][i] = band_index(static_cast<int>((l + 1) * (i + 1)), threshold);
  }
  auto count = [&](int likelihood, int impact, std::int64_t n) {
    grid.counts[static_cast<std::size_t>(std::clamp(likelihood, 1, 5) - 1)]
               [static_cast<std::size_t>(std::clamp(impact, 1, 5) - 1)] += static_cast<int>(n);
  };
  if (program.empty()) {
    // Every program's: the counters of the risks that are not closed, not the risks.
    for (auto status : storage::risk_statuses) {
      if (status == storage::RiskStatus::closed) continue;
      auto cells = repos.risk_cells(status);
      for (int l = 1; l <= 5; ++l) {
        for (int i = 1; i <= 5; ++i)
          count(l, i, cells[static_cast<std::size_t>(l - 1)][static_cast<std::size_t>(i - 1)]);
      }
    }
    return grid;
  }
  auto risks = repos.risks_of_program(program);
  for (const auto& r : *risks) {
    if (r.status != storage::RiskStatus::closed) count(r.likelihood, r.impact, 1);
  }
  return grid;
}

Chart heatmap_chart(const std::string& scope, HeatmapChart grid, std::string comment) {
  Chart chart;
  chart.title = "Risk heat map · " + scope;
  chart.alt_text = heatmap_alt_text(scope, grid);
  chart.comment = std::move(comment);
  chart.file_stem = "risk-heatmap";
  chart.data = grid;
  return chart;
}

Outcome risk_heatmap(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const std::string& program, program_in_scope(cmd, ctx));
  HeatmapChart grid = risk_grid(ctx.repos, program, ctx.policy.escalation_threshold);
  auto per_band = grid.per_band();  // low, medium, high, critical
  int total = grid.total();
  std::string scope = program.empty() ? "all programs" : program;
  if (total == 0) {
    return reply_only(
        text_reply(query_visibility(cmd),
                   {fmt::format("No open risks in {}: the heat map is empty{}.", scope,
                                cmd.get(arg::image) ? ", so there is no picture to send" : "")}));
  }
  // A fixed-width grid in a code block: likelihood rows (5 at the top), impact columns.
  std::string rows = "Likelihood\n";
  for (std::size_t l = 5; l >= 1; --l) {
    rows += fmt::format("    {} │", l);
    for (std::size_t i = 1; i <= 5; ++i) {
      int n = grid.counts[l - 1][i - 1];
      rows += n == 0 ? "   ·" : fmt::format("{:>4}", n);
    }
    rows += "\n";
  }
  rows += "      └────────────────────\n         1   2   3   4   5  Impact";
  std::string headline = fmt::format("🌡️ *Risk heat map* · {} · {} open risk{}", scope,
                                     total, total == 1 ? "" : "s");
  std::vector<std::string> paragraphs = {
      headline, "```\n" + rows + "\n```",
      fmt::format("🔴 critical {} · 🟠 high {} · 🟡 medium {} · 🟢 low {}", per_band[3],
                  per_band[2], per_band[1], per_band[0])};
  Outcome out;
  out.reply = text_reply(query_visibility(cmd), paragraphs);
  out.reply.blocks[2] = context_line(paragraphs[2]);
  if (cmd.get(arg::image)) {
    send_picture(out, cmd, command, heatmap_chart(scope, grid, headline + "\n" + paragraphs[2]));
  }
  return out;
}

}  // namespace itpm::commands
