// How long each dashboard page takes to render on a store (issue 30: under 50 ms at ×1 of the
// scale bench), in-process: the render the bot's worker runs for a request, HTTP aside.
//   itpm-dashboard-bench <data dir> [runs]     (a copy: a missing dashboard key is written)
#include "bot/dashboard_site.hpp"
#include "commands/areas/config_commands.hpp"
#include "commands/areas/risk_heatmap.hpp"
#include "commands/dashboard/link.hpp"
#include "commands/render/chart_png.hpp"
#include "storage/database.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iostream>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: itpm-dashboard-bench <data dir> [runs]\n";
    return 2;
  }
  int runs = argc > 2 ? std::stoi(argv[2]) : 20;
  auto store = itpm::storage::open_database(argv[1]);
  itpm::storage::Repositories repos(*store);
  std::string key = itpm::bot::ensure_dashboard_key(repos);
  itpm::commands::Settings settings;
  settings.base.dashboard_url = "http://127.0.0.1:9464";
  itpm::bot::DashboardSite site({}, repos, settings, key);
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  std::string root =
      "/dashboard/" + itpm::commands::dashboard::sign({"UBENCH", "*", now + 3600}, key) + "/";
  // The program with the most risks of the first page, for the per-program pages.
  std::string program;
  repos.open_programs([&](std::string_view key_of) {
    program = std::string(key_of);
    return false;
  });
  fmt::print("page                       p50 ms   p99 ms   max ms   bytes\n");
  for (const std::string& page : {std::string(""), std::string("?page=20"), std::string("heatmap"),
                                  "heatmap/" + program, std::string("kpi"), "program/" + program}) {
    std::vector<double> ms;
    std::size_t bytes = 0;
    for (int i = 0; i < runs; ++i) {
      auto start = std::chrono::steady_clock::now();
      auto rendered = site.render(root + page);
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
      bytes = rendered.html.size();
      if (rendered.status != 200) {
        std::cerr << page << ": HTTP " << rendered.status << "\n";
        return 1;
      }
    }
    std::sort(ms.begin(), ms.end());
    auto at = [&](double q) { return ms[static_cast<std::size_t>(q * (ms.size() - 1))]; };
    fmt::print("{:<26} {:>7.1f}  {:>7.1f}  {:>7.1f}  {:>6}\n", page.empty() ? "portfolio" : page,
               at(0.5), at(0.99), ms.back(), bytes);
  }
  // A chart as the outbox sender draws it when it sends the post (on the I/O thread).
  auto grid = itpm::commands::risk_grid(repos, "", 15);
  auto chart = itpm::commands::heatmap_chart("all programs", grid, "");
  std::vector<double> ms;
  std::size_t bytes = 0;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    bytes = itpm::commands::render_png(chart).value_or("").size();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  fmt::print("{:<26} {:>7.1f}  {:>7.1f}  {:>7.1f}  {:>6}\n", "heat map PNG (cairo)",
             ms[ms.size() / 2], ms[(ms.size() - 1) * 99 / 100], ms.back(), bytes);
  return 0;
}
