// Charts: their data as the outbox keeps it, their alt text, and the PNGs cairo draws, compared
// with checked-in images (tests/golden/charts/) with a small tolerance. After an intended
// change of a picture: ITPM_UPDATE_GOLDEN=1 ./tests/unit_tests "[chart]", then look at the files.

#include "commands/render/chart.hpp"
#include "commands/render/chart_png.hpp"
#include "tests/support/png_compare.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace itpm::commands;
using itpm::test::decode_png;
using itpm::test::differing_share;

namespace {

const std::filesystem::path chart_dir =
    std::filesystem::path(ITPM_SOURCE_DIR) / "tests/golden/charts";

Chart sample_heatmap() {
  HeatmapChart h;
  for (int l = 1; l <= 5; ++l) {
    for (int i = 1; i <= 5; ++i) {
      int s = l * i;
      h.bands[static_cast<std::size_t>(l - 1)][static_cast<std::size_t>(i - 1)] = s >= 15   ? 3
                                                                                  : s >= 10 ? 2
                                                                                  : s >= 5  ? 1
                                                                                            : 0;
    }
  }
  h.counts[4][4] = 2;  // likelihood 5, impact 5
  h.counts[3][2] = 1;
  h.counts[2][2] = 4;
  h.counts[0][1] = 3;
  return {"Risk heat map · PLAT", heatmap_alt_text("PLAT", h), "", "risk-heatmap", h};
}

Chart sample_bars() {
  BarsChart b;
  b.bars = {{"On-time completion", 83, 80, 0, 100, "83%"},
            {"Corrective-action SLO", 70, 90, 0, 100, "70%"},
            {"Satisfaction", 4.2, 4.0, 0, 5, "4.2 / 5"},
            {"Availability, October", std::nullopt, 99.9, 99, 100, ""}};
  return {"KPIs · 2026 Q4", bars_alt_text("KPIs 2026 Q4", b), "", "kpi", b};
}

Chart sample_trend() {
  TrendChart t;
  t.periods = {"2026Q1", "2026Q2", "2026Q3", "2026Q4"};
  t.series = {{"On-time completion", {60, 75, std::nullopt, 83}, 80},
              {"Corrective-action SLO", {90, 85, 95, 70}, 90},
              {"Satisfaction", {80, 82, 84, 84}, 80}};
  return {"KPI trend · 2026Q1 → 2026Q4", trend_alt_text("KPI trend", t), "", "kpi-trend", t};
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Fewer than half a percent of pixels off by more than 24 of 255 in a channel: font hinting
// may move an edge, a changed number or colour may not.
constexpr double tolerated_share = 0.005;
constexpr int channel_tolerance = 24;

void check_against_golden(const std::string& name, const Chart& chart) {
  auto png = render_png(chart);
  REQUIRE(png);
  REQUIRE(png->substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
  auto path = chart_dir / (name + ".png");
  if (std::getenv("ITPM_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << *png;
    WARN("wrote " << path);
    return;
  }
  auto expected = decode_png(read_file(path));
  REQUIRE(expected);
  auto got = decode_png(*png);
  REQUIRE(got);
  INFO(name << ": " << differing_share(*expected, *got, channel_tolerance) * 100
            << "% of pixels differ");
  CHECK(differing_share(*expected, *got, channel_tolerance) <= tolerated_share);
}

}  // namespace

TEST_CASE("charts render as the checked-in PNGs", "[chart]") {
  check_against_golden("risk-heatmap", sample_heatmap());
  check_against_golden("kpi-bars", sample_bars());
  check_against_golden("kpi-trend", sample_trend());
}

TEST_CASE("the golden comparison notices a changed count or colour", "[chart]") {
  auto golden = decode_png(read_file(chart_dir / "risk-heatmap.png"));
  REQUIRE(golden);
  Chart changed = sample_heatmap();
  std::get<HeatmapChart>(changed.data).counts[2][2] = 7;
  auto one_number = decode_png(*render_png(changed));
  REQUIRE(one_number);
  CHECK(differing_share(*golden, *one_number, channel_tolerance) > tolerated_share / 10);
  changed = sample_heatmap();
  std::get<HeatmapChart>(changed.data).bands[2][2] = 3;
  auto one_colour = decode_png(*render_png(changed));
  REQUIRE(one_colour);
  CHECK(differing_share(*golden, *one_colour, channel_tolerance) > tolerated_share);
}

TEST_CASE("a heat map cell is filled with its band's colour and faint when empty", "[chart]") {
  auto image = decode_png(*render_png(sample_heatmap()));
  REQUIRE(image);
  CHECK(image->width == 680);
  // Cells are 84 px from (110, 60), likelihood 5 on top; look near each cell's corner.
  auto cell = [&](int likelihood, int impact) {
    return image->rgb(110 + (impact - 1) * 84 + 10, 60 + (5 - likelihood) * 84 + 10);
  };
  auto near = [](std::uint32_t rgb, int r, int g, int b) {
    auto channel = [&](unsigned shift) { return static_cast<int>((rgb >> shift) & 0xFFU); };
    return std::abs(channel(16) - r) <= 2 && std::abs(channel(8) - g) <= 2 &&
           std::abs(channel(0) - b) <= 2;
  };
  CHECK(near(cell(5, 5), 199, 41, 41));   // 25: critical, 2 risks
  CHECK(near(cell(4, 3), 230, 97, 0));    // 12: high, 1 risk
  CHECK(near(cell(3, 3), 250, 191, 46));  // 9: medium, 4 risks
  CHECK(near(cell(1, 2), 46, 125, 51));   // 2: low, 3 risks
  // 5 (likelihood 5, impact 1) is medium with nobody in it: the band's hue, faint.
  std::uint32_t empty = cell(5, 1);
  CHECK_FALSE(near(empty, 250, 191, 46));
  CHECK(((empty >> 16) & 0xFFU) > 240);
  CHECK((empty & 0xFFU) > 200);
  CHECK((empty & 0xFFU) < 250);
}

TEST_CASE("a chart is kept as JSON and read back the same", "[chart]") {
  for (const Chart& chart : {sample_heatmap(), sample_bars(), sample_trend()}) {
    auto back = chart_from_json(nlohmann::json::parse(to_json(chart).dump()));
    REQUIRE(back);
    CHECK(*back == chart);
  }
  CHECK_FALSE(chart_from_json(nlohmann::json::parse(R"({"title":"x","alt":"","file":"f"})")));
  CHECK_FALSE(chart_from_json(
      nlohmann::json::parse(R"({"title":"x","alt":"","file":"f","heatmap":{"counts":[[1]]}})")));
  CHECK_FALSE(chart_from_json(nlohmann::json::parse(R"([1,2])")));
}

TEST_CASE("a chart's alt text says in words what it shows", "[chart]") {
  CHECK(sample_heatmap().alt_text ==
        "Risk heat map of PLAT, likelihood by impact: 10 open risks (2 critical, 1 high, 4 "
        "medium, 3 low). likelihood 5 impact 5: 2; likelihood 4 impact 3: 1; likelihood 3 impact "
        "3: 4; likelihood 1 impact 2: 3.");
  CHECK(sample_bars().alt_text ==
        "KPIs 2026 Q4: On-time completion 83%, on target. Corrective-action SLO 70%, below "
        "target. Satisfaction 4.2 / 5, on target. Availability, October no data.");
  CHECK(sample_trend().alt_text ==
        "KPI trend, by quarter (2026Q1, 2026Q2, 2026Q3, 2026Q4): On-time completion 60, 75, none, "
        "83 (target 80). Corrective-action SLO 90, 85, 95, 70 (target 90). Satisfaction 80, 82, "
        "84, 84 (target 80).");
  HeatmapChart crowded;
  for (auto& row : crowded.counts) row.fill(100);
  CHECK(heatmap_alt_text(std::string(990, 'x'), crowded).size() <= 1000);
}
