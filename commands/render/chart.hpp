#pragma once
// A picture's data, not its pixels (style.md, charts): a handler or job fills one of these,
// the outbox keeps it as JSON, and chart_png.hpp draws it when the post is sent.

#include <nlohmann/json.hpp>

#include <array>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace itpm::commands {

// The 5×5 risk grid: open risks per cell and each cell's band (0 low … 3 critical, the one rule
// of handler_support's band_index), likelihood rows and impact columns, [likelihood-1][impact-1].
struct HeatmapChart {
  std::array<std::array<int, 5>, 5> counts{};
  std::array<std::array<int, 5>, 5> bands{};
  // A cell as drawn: `row` 0 is likelihood 5 (the top), `column` 0 is impact 1; `band` 0–3.
  struct Cell {
    int row = 0;
    int column = 0;
    int count = 0;
    std::size_t band = 0;
  };
  // Every cell, the top row first, each left to right.
  [[nodiscard]] std::array<Cell, 25> cells() const;
  // Open risks per band (low, medium, high, critical), and in all.
  [[nodiscard]] std::array<int, 4> per_band() const;
  [[nodiscard]] int total() const;
  bool operator==(const HeatmapChart&) const = default;
};

// Numbers against their targets, one horizontal bar each on its own scale (a bullet chart):
// "On-time completion 83% (target 80%)". A bar without a value is drawn as "no data".
struct BarsChart {
  struct Bar {
    std::string label;
    std::optional<double> value;
    double target = 0;
    double low = 0;  // the scale's ends
    double high = 100;
    std::string shown;  // the value as the text says it ("83%", "4.2 / 5")
    bool operator==(const Bar&) const = default;
  };
  std::vector<Bar> bars;
  bool operator==(const BarsChart&) const = default;
};

// Lines over a few periods (four quarters) on one 0–100 scale, each with a dashed target.
struct TrendChart {
  struct Series {
    std::string label;
    std::vector<std::optional<double>> values;  // one per period; nullopt: no data
    double target = 0;
    bool operator==(const Series&) const = default;
  };
  std::vector<std::string> periods;
  std::vector<Series> series;
  bool operator==(const TrendChart&) const = default;
};

struct Chart {
  std::string title;      // drawn at the top; the file's title in Slack
  std::string alt_text;   // for screen readers (Slack's alt_txt: at most 1,000 characters)
  std::string comment;    // the mrkdwn line posted with the picture
  std::string file_stem;  // "risk-heatmap": the file's name without the key and ".png"
  std::variant<HeatmapChart, BarsChart, TrendChart> data;
  bool operator==(const Chart&) const = default;
};

// The JSON form kept in the outbox, and back; chart_from_json returns nullopt for anything that
// is not a chart to_json wrote (a row from a newer version, a damaged row).
nlohmann::json to_json(const Chart& chart);
std::optional<Chart> chart_from_json(const nlohmann::json& j);

// Alt text that says what the picture shows, in words: "Risk heat map, 7 open risks: …".
std::string heatmap_alt_text(const std::string& scope, const HeatmapChart& chart);
std::string bars_alt_text(const std::string& title, const BarsChart& chart);
std::string trend_alt_text(const std::string& title, const TrendChart& chart);

}  // namespace itpm::commands
