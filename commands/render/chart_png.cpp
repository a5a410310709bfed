#include "commands/render/chart_png.hpp"

#include <cairo.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>

namespace itpm::commands {
namespace {

struct Rgb {
  double r, g, b;
};

// Band colours (low, medium, high, critical) with the text colour each needs for contrast.
constexpr std::array<Rgb, 4> band_fill = {
    {{0.18, 0.49, 0.20}, {0.98, 0.75, 0.18}, {0.90, 0.38, 0.00}, {0.78, 0.16, 0.16}}};
constexpr std::array<Rgb, 4> band_ink = {{{1, 1, 1}, {0.13, 0.13, 0.13}, {1, 1, 1}, {1, 1, 1}}};
constexpr Rgb ink = {0.13, 0.13, 0.13};
constexpr Rgb muted = {0.40, 0.40, 0.40};
constexpr Rgb rule = {0.80, 0.80, 0.80};
// Series colours for lines (Okabe–Ito, told apart without colour vision too: dashes differ).
constexpr std::array<Rgb, 4> series_colour = {
    {{0.00, 0.45, 0.70}, {0.84, 0.37, 0.00}, {0.00, 0.62, 0.45}, {0.80, 0.47, 0.65}}};

using Surface = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;
using Context = std::unique_ptr<cairo_t, decltype(&cairo_destroy)>;

void colour(cairo_t* cr, const Rgb& c, double alpha = 1.0) {
  cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

enum class Align { left, centre, right };

// Text at (x, baseline y), aligned on x.
void text(cairo_t* cr, const std::string& s, double x, double y, double size, Align align,
          bool bold = false) {
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
  cairo_text_extents_t e;
  cairo_text_extents(cr, s.c_str(), &e);
  double left = align == Align::left     ? x
                : align == Align::centre ? x - e.x_advance / 2
                                         : x - e.x_advance;
  cairo_move_to(cr, left, y);
  cairo_show_text(cr, s.c_str());
}

void title(cairo_t* cr, const std::string& s, double width) {
  colour(cr, ink);
  text(cr, s, width / 2, 34, 20, Align::centre, true);
}

void heatmap(cairo_t* cr, const HeatmapChart& h) {
  constexpr double cell = 84;
  constexpr double left = 110;
  constexpr double top = 60;
  for (const auto& c : h.cells()) {
    double x = left + c.column * cell;
    double y = top + c.row * cell;
    // Empty cells keep their band's hue, faint, so the grid still reads as bands.
    colour(cr, band_fill[c.band], c.count == 0 ? 0.18 : 1.0);
    cairo_rectangle(cr, x + 2, y + 2, cell - 4, cell - 4);
    cairo_fill(cr);
    if (c.count > 0) {
      colour(cr, band_ink[c.band]);
      text(cr, std::to_string(c.count), x + cell / 2, y + cell / 2 + 10, 28, Align::centre, true);
    }
  }
  colour(cr, ink);
  for (int k = 1; k <= 5; ++k) {
    text(cr, std::to_string(k), left - 16, top + (5 - k) * cell + cell / 2 + 6, 16, Align::right);
    text(cr, std::to_string(k), left + (k - 1) * cell + cell / 2, top + 5 * cell + 24, 16,
         Align::centre);
  }
  text(cr, "Impact", left + 2.5 * cell, top + 5 * cell + 52, 16, Align::centre, true);
  cairo_save(cr);
  cairo_translate(cr, 36, top + 2.5 * cell);
  cairo_rotate(cr, -M_PI / 2);
  text(cr, "Likelihood", 0, 0, 16, Align::centre, true);
  cairo_restore(cr);
  // The legend, one swatch per band.
  static constexpr std::array<const char*, 4> names = {"low", "medium", "high", "critical"};
  double x = left + 5 * cell + 28;
  for (std::size_t b = 4; b-- > 0;) {
    double y = top + 20 + static_cast<double>(3 - b) * 34;
    colour(cr, band_fill[b]);
    cairo_rectangle(cr, x, y - 14, 18, 18);
    cairo_fill(cr);
    colour(cr, ink);
    text(cr, names[b], x + 26, y, 15, Align::left);
  }
}

void bars(cairo_t* cr, const BarsChart& chart, double width) {
  constexpr double top = 64;
  constexpr double row = 64;
  constexpr double label_width = 250;
  const double bar_left = label_width + 20;
  const double bar_width = width - bar_left - 130;
  for (std::size_t k = 0; k < chart.bars.size(); ++k) {
    const auto& bar = chart.bars[k];
    double y = top + static_cast<double>(k) * row;
    colour(cr, ink);
    text(cr, bar.label, label_width, y + 22, 16, Align::right);
    double span = std::max(bar.high - bar.low, 1e-9);
    auto at = [&](double v) {
      return bar_left + std::clamp((v - bar.low) / span, 0.0, 1.0) * bar_width;
    };
    colour(cr, rule, 0.5);
    cairo_rectangle(cr, bar_left, y + 4, bar_width, 26);
    cairo_fill(cr);
    if (bar.value) {
      bool met = *bar.value >= bar.target;
      colour(cr, met ? band_fill[0] : band_fill[3]);
      cairo_rectangle(cr, bar_left, y + 4, at(*bar.value) - bar_left, 26);
      cairo_fill(cr);
      colour(cr, ink);
      text(cr, bar.shown, bar_left + bar_width + 12, y + 23, 16, Align::left, true);
    } else {
      colour(cr, muted);
      text(cr, "no data", bar_left + bar_width + 12, y + 23, 16, Align::left);
    }
    // The target: a dark tick across the bar, named under it.
    colour(cr, ink);
    cairo_set_line_width(cr, 3);
    cairo_move_to(cr, at(bar.target), y);
    cairo_line_to(cr, at(bar.target), y + 34);
    cairo_stroke(cr);
    colour(cr, muted);
    text(cr, "target", at(bar.target), y + 48, 12, Align::centre);
  }
}

void trend(cairo_t* cr, const TrendChart& chart, double width, double height) {
  constexpr double left = 70;
  constexpr double top = 60;
  const double plot_width = width - left - 260;
  const double plot_height = height - top - 60;
  auto y_of = [&](double v) { return top + plot_height * (1 - std::clamp(v, 0.0, 100.0) / 100); };
  std::size_t n = std::max<std::size_t>(chart.periods.size(), 1);
  auto x_of = [&](std::size_t i) {
    // Inset from the axis ends, so that the first and last quarter's names fit.
    constexpr double inset = 36;
    return n == 1
               ? left + plot_width / 2
               : left + inset +
                     (plot_width - 2 * inset) * static_cast<double>(i) / static_cast<double>(n - 1);
  };
  cairo_set_line_width(cr, 1);
  for (int v = 0; v <= 100; v += 25) {
    colour(cr, rule);
    cairo_move_to(cr, left, y_of(v));
    cairo_line_to(cr, left + plot_width, y_of(v));
    cairo_stroke(cr);
    colour(cr, muted);
    text(cr, fmt::format("{}%", v), left - 10, y_of(v) + 5, 13, Align::right);
  }
  colour(cr, ink);
  for (std::size_t i = 0; i < chart.periods.size(); ++i)
    text(cr, chart.periods[i], x_of(i), top + plot_height + 26, 14, Align::centre);
  for (std::size_t s = 0; s < chart.series.size(); ++s) {
    const auto& series = chart.series[s];
    const Rgb& c = series_colour[s % series_colour.size()];
    // The target, dashed in the series' colour.
    std::array<double, 2> dash = {6, 5};
    cairo_set_dash(cr, dash.data(), 2, 0);
    colour(cr, c, 0.6);
    cairo_set_line_width(cr, 1.5);
    cairo_move_to(cr, left, y_of(series.target));
    cairo_line_to(cr, left + plot_width, y_of(series.target));
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
    // The line breaks where a quarter has no data.
    colour(cr, c);
    cairo_set_line_width(cr, 3);
    bool drawing = false;
    for (std::size_t i = 0; i < series.values.size() && i < n; ++i) {
      if (!series.values[i]) {
        drawing = false;
        continue;
      }
      double x = x_of(i);
      double y = y_of(*series.values[i]);
      if (drawing) {
        cairo_line_to(cr, x, y);
      } else {
        cairo_move_to(cr, x, y);
      }
      drawing = true;
    }
    cairo_stroke(cr);
    for (std::size_t i = 0; i < series.values.size() && i < n; ++i) {
      if (!series.values[i]) continue;
      cairo_arc(cr, x_of(i), y_of(*series.values[i]), 5, 0, 2 * M_PI);
      cairo_fill(cr);
    }
    double ly = top + 20 + static_cast<double>(s) * 30;
    cairo_rectangle(cr, left + plot_width + 24, ly - 12, 18, 14);
    cairo_fill(cr);
    colour(cr, ink);
    text(cr, series.label, left + plot_width + 50, ly, 14, Align::left);
  }
  colour(cr, muted);
  text(cr, "dashed: target", left + plot_width + 24,
       top + 20 + static_cast<double>(chart.series.size()) * 30 + 10, 12, Align::left);
}

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

std::optional<std::string> render_png(const Chart& chart) {
  int width = 680;
  int height = 580;
  if (const auto* b = std::get_if<BarsChart>(&chart.data)) {
    width = 760;
    height = 80 + 64 * static_cast<int>(std::max<std::size_t>(b->bars.size(), 1));
  } else if (std::holds_alternative<TrendChart>(chart.data)) {
    width = 820;
    height = 420;
  }
  Surface surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height),
                  cairo_surface_destroy);
  Context cr(cairo_create(surface.get()), cairo_destroy);
  if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) return std::nullopt;
  cairo_set_source_rgb(cr.get(), 1, 1, 1);
  cairo_paint(cr.get());
  title(cr.get(), chart.title, width);
  std::visit(
      [&](const auto& data) {
        using T = std::decay_t<decltype(data)>;
        if constexpr (std::is_same_v<T, HeatmapChart>) {
          heatmap(cr.get(), data);
        } else if constexpr (std::is_same_v<T, BarsChart>) {
          bars(cr.get(), data, width);
        } else {
          trend(cr.get(), data, width, height);
        }
      },
      chart.data);
  cairo_surface_flush(surface.get());
  std::string png;
  if (cairo_surface_write_to_png_stream(surface.get(), append, &png) != CAIRO_STATUS_SUCCESS)
    return std::nullopt;
  return png;
}

}  // namespace itpm::commands
