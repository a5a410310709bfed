#include "commands/render/chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace itpm::commands {
namespace {

using nlohmann::json;

json optional_number(const std::optional<double>& v) {
  return v ? json(*v) : json(nullptr);
}

std::optional<double> number_or_null(const json& j) {
  if (j.is_number()) return j.get<double>();
  if (j.is_null()) return std::nullopt;
  throw std::invalid_argument("not a number");
}

json grid_json(const std::array<std::array<int, 5>, 5>& grid) {
  json rows = json::array();
  for (const auto& row : grid) rows.push_back(row);
  return rows;
}

std::array<std::array<int, 5>, 5> grid_from(const json& j) {
  std::array<std::array<int, 5>, 5> grid{};
  if (!j.is_array() || j.size() != 5) throw std::invalid_argument("not a 5x5 grid");
  for (std::size_t r = 0; r < 5; ++r) {
    if (!j[r].is_array() || j[r].size() != 5) throw std::invalid_argument("not a 5x5 grid");
    for (std::size_t c = 0; c < 5; ++c) grid[r][c] = j[r][c].get<int>();
  }
  return grid;
}

// "83%" or "4.2": a number as an alt text says it, without noise.
std::string spoken(double v) {
  return std::abs(v - std::round(v)) < 0.05 ? fmt::format("{:.0f}", v) : fmt::format("{:.1f}", v);
}

// Alt text is capped by Slack at 1,000 characters: cut on a character boundary.
std::string capped(std::string text) {
  constexpr std::size_t cap = 1000;
  if (text.size() <= cap) return text;
  std::size_t end = cap - 3;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) --end;
  return text.substr(0, end) + "...";
}

}  // namespace

std::array<HeatmapChart::Cell, 25> HeatmapChart::cells() const {
  std::array<Cell, 25> out{};
  std::size_t k = 0;
  for (int row = 0; row < 5; ++row) {
    auto l = static_cast<std::size_t>(4 - row);  // counts[0] is likelihood 1
    for (int column = 0; column < 5; ++column) {
      auto i = static_cast<std::size_t>(column);
      out[k++] = {row, column, counts[l][i],
                  static_cast<std::size_t>(std::clamp(bands[l][i], 0, 3))};
    }
  }
  return out;
}

std::array<int, 4> HeatmapChart::per_band() const {
  std::array<int, 4> out{};
  for (const auto& cell : cells()) out[cell.band] += cell.count;
  return out;
}

int HeatmapChart::total() const {
  auto bands_of = per_band();
  return bands_of[0] + bands_of[1] + bands_of[2] + bands_of[3];
}

json to_json(const Chart& chart) {
  json j = {{"title", chart.title},
            {"alt", chart.alt_text},
            {"comment", chart.comment},
            {"file", chart.file_stem}};
  if (const auto* h = std::get_if<HeatmapChart>(&chart.data)) {
    j["heatmap"] = {{"counts", grid_json(h->counts)}, {"bands", grid_json(h->bands)}};
  } else if (const auto* b = std::get_if<BarsChart>(&chart.data)) {
    json bars = json::array();
    for (const auto& bar : b->bars) {
      bars.push_back({{"label", bar.label},
                      {"value", optional_number(bar.value)},
                      {"target", bar.target},
                      {"low", bar.low},
                      {"high", bar.high},
                      {"shown", bar.shown}});
    }
    j["bars"] = std::move(bars);
  } else if (const auto* t = std::get_if<TrendChart>(&chart.data)) {
    json series = json::array();
    for (const auto& s : t->series) {
      json values = json::array();
      for (const auto& v : s.values) values.push_back(optional_number(v));
      series.push_back({{"label", s.label}, {"values", values}, {"target", s.target}});
    }
    j["trend"] = {{"periods", t->periods}, {"series", std::move(series)}};
  }
  return j;
}

std::optional<Chart> chart_from_json(const json& j) {
  if (!j.is_object()) return std::nullopt;
  try {
    Chart chart;
    chart.title = j.at("title").get<std::string>();
    chart.alt_text = j.at("alt").get<std::string>();
    chart.comment = j.value("comment", "");
    chart.file_stem = j.at("file").get<std::string>();
    if (j.contains("heatmap")) {
      HeatmapChart h;
      h.counts = grid_from(j["heatmap"].at("counts"));
      h.bands = grid_from(j["heatmap"].at("bands"));
      chart.data = h;
    } else if (j.contains("bars")) {
      BarsChart b;
      for (const auto& bar : j["bars"]) {
        b.bars.push_back({bar.at("label").get<std::string>(), number_or_null(bar.at("value")),
                          bar.at("target").get<double>(), bar.at("low").get<double>(),
                          bar.at("high").get<double>(), bar.value("shown", "")});
      }
      chart.data = std::move(b);
    } else if (j.contains("trend")) {
      TrendChart t;
      t.periods = j["trend"].at("periods").get<std::vector<std::string>>();
      for (const auto& s : j["trend"].at("series")) {
        TrendChart::Series series{
            s.at("label").get<std::string>(), {}, s.at("target").get<double>()};
        for (const auto& v : s.at("values")) series.values.push_back(number_or_null(v));
        t.series.push_back(std::move(series));
      }
      chart.data = std::move(t);
    } else {
      return std::nullopt;
    }
    return chart;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string heatmap_alt_text(const std::string& scope, const HeatmapChart& chart) {
  std::string cells;
  for (int l = 5; l >= 1; --l) {
    for (int i = 5; i >= 1; --i) {
      int n = chart.counts[static_cast<std::size_t>(l - 1)][static_cast<std::size_t>(i - 1)];
      if (n > 0)
        cells += fmt::format("{}likelihood {} impact {}: {}", cells.empty() ? "" : "; ", l, i, n);
    }
  }
  auto per_band = chart.per_band();
  int total = chart.total();
  std::string text = fmt::format(
      "Risk heat map of {}, likelihood by impact: {} open risk{} ({} critical, {} high, {} "
      "medium, {} low).",
      scope, total, total == 1 ? "" : "s", per_band[3], per_band[2], per_band[1], per_band[0]);
  if (!cells.empty()) text += " " + cells + ".";
  return capped(std::move(text));
}

std::string bars_alt_text(const std::string& title, const BarsChart& chart) {
  std::string text = title + ":";
  for (const auto& bar : chart.bars) {
    text +=
        fmt::format(" {} {}{}.", bar.label, bar.value ? bar.shown : "no data",
                    bar.value ? (*bar.value >= bar.target ? ", on target" : ", below target") : "");
  }
  return capped(std::move(text));
}

std::string trend_alt_text(const std::string& title, const TrendChart& chart) {
  std::string text = title + ", by quarter";
  for (const auto& p : chart.periods) text += (&p == chart.periods.data() ? " (" : ", ") + p;
  text += chart.periods.empty() ? ":" : "):";
  for (const auto& s : chart.series) {
    text += " " + s.label;
    for (std::size_t i = 0; i < s.values.size(); ++i) {
      text += (i == 0 ? " " : ", ") + (s.values[i] ? spoken(*s.values[i]) : std::string("none"));
    }
    text += fmt::format(" (target {}).", spoken(s.target));
  }
  return capped(std::move(text));
}

}  // namespace itpm::commands
