#include "commands/dashboard/html.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>

namespace itpm::commands::dashboard {
namespace {

// System fonts only: nothing is fetched.
const std::string stylesheet = R"(
body{font-family:"DejaVu Sans",system-ui,sans-serif;margin:0;color:#1f1f1f;background:#fff}
header{background:#1f3a5f;color:#fff;padding:.6rem 1.2rem}
header a{color:#fff;margin-right:1.2rem}
header a[aria-current]{font-weight:bold;text-decoration:none}
main{padding:1rem 1.2rem;max-width:72rem}
h1{font-size:1.5rem;margin:.4rem 0 1rem}
h2{font-size:1.15rem;margin:1.6rem 0 .6rem}
table{border-collapse:collapse;margin:.4rem 0 1rem}
caption{text-align:left;font-weight:bold;padding:.3rem 0}
th,td{border-bottom:1px solid #d0d0d0;padding:.35rem .7rem;text-align:left;vertical-align:top}
th{background:#f2f4f7}
td.n{text-align:right}
a{color:#0b57d0}
.summary{display:flex;gap:1.2rem;flex-wrap:wrap;margin-bottom:1rem}
.summary p{margin:0;padding:.5rem .8rem;border:1px solid #d0d0d0;border-radius:4px}
.dot{display:inline-block;width:.8em;height:.8em;border-radius:50%;margin-right:.35em;vertical-align:-.05em;border:1px solid #555}
.red{background:#c62828}.amber{background:#f9a825}.green{background:#2e7d32}.none{background:#fff}
.muted{color:#555}
nav.pages a{margin-right:.8rem}
footer{padding:1rem 1.2rem;color:#555;border-top:1px solid #d0d0d0;font-size:.9rem}
figure{margin:.4rem 0 1rem}
figcaption{color:#555;font-size:.9rem}
)";

std::string style_hash() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(stylesheet.data(), stylesheet.size(), digest.data(), &length, EVP_sha256(), nullptr);
  // Standard base64 (with padding), as CSP hashes are written.
  std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> b64{};
  int n = EVP_EncodeBlock(b64.data(), digest.data(), static_cast<int>(length));
  return {reinterpret_cast<const char*>(b64.data()), static_cast<std::size_t>(n)};
}

constexpr std::array<std::string_view, 4> band_names = {"low", "medium", "high", "critical"};
constexpr std::array<std::string_view, 4> band_colours = {"#2e7d32", "#f9bf2e", "#e65100",
                                                          "#c62828"};
constexpr std::array<std::string_view, 4> band_inks = {"#ffffff", "#1f1f1f", "#ffffff", "#ffffff"};
constexpr std::array<std::string_view, 4> series_colours = {"#0072b2", "#d55e00", "#009e73",
                                                            "#cc79a7"};

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string_view band_name(int band) {
  return band_names.at(static_cast<std::size_t>(std::clamp(band, 0, 3)));
}

std::string_view band_colour(int band) {
  return band_colours.at(static_cast<std::size_t>(std::clamp(band, 0, 3)));
}

const std::string& content_security_policy() {
  static const std::string policy = fmt::format(
      "default-src 'none'; style-src 'sha256-{}'; img-src 'none'; base-uri 'none'; "
      "form-action 'none'; frame-ancestors 'none'",
      style_hash());
  return policy;
}

std::string page(const Shell& shell, std::string_view body) {
  auto link = [&](Section section, std::string_view href, std::string_view text) {
    return fmt::format("<a href=\"{}{}\"{}>{}</a>", shell.root, href,
                       shell.section == section ? " aria-current=\"page\"" : "", text);
  };
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta name=\"referrer\" content=\"no-referrer\">"
      "<title>{} · itpm</title><style>{}</style></head><body>"
      "<header><nav aria-label=\"Dashboard\">{}{}{}</nav></header>"
      "<main><h1>{}</h1>\n{}\n</main><footer>{}</footer></body></html>\n",
      escape(shell.title), stylesheet, link(Section::portfolio, "", "Portfolio"),
      link(Section::heatmap, "heatmap", "Risk heat map"), link(Section::kpi, "kpi", "KPI trends"),
      escape(shell.title), body, shell.footer);
}

std::string heatmap_svg(const HeatmapChart& grid, const std::string& id, const std::string& label,
                        const std::string& description, int cell) {
  const int left = 48;
  const int top = 8;
  const int width = left + 5 * cell + 12;
  const int height = top + 5 * cell + 48;
  std::string svg = fmt::format(
      "<svg role=\"img\" aria-labelledby=\"{0}t {0}d\" width=\"{1}\" height=\"{2}\" "
      "viewBox=\"0 0 {1} {2}\" xmlns=\"http://www.w3.org/2000/svg\" "
      "font-family=\"DejaVu Sans, sans-serif\"><title id=\"{0}t\">{3}</title>"
      "<desc id=\"{0}d\">{4}</desc>",
      id, width, height, escape(label), escape(description));
  for (const auto& c : grid.cells()) {
    int x = left + c.column * cell;
    int y = top + c.row * cell;
    svg += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" fill-opacity=\"{}\"/>",
        x + 1, y + 1, cell - 2, cell - 2, band_colours[c.band], c.count == 0 ? "0.18" : "1");
    if (c.count > 0) {
      svg += fmt::format(
          "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{}\" font-weight=\"bold\" "
          "fill=\"{}\">{}</text>",
          x + cell / 2, y + cell / 2 + cell / 8, cell * 2 / 5, band_inks[c.band], c.count);
    }
  }
  for (int k = 1; k <= 5; ++k) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"13\">{}</text>",
                       left - 8, top + (5 - k) * cell + cell / 2 + 5, k);
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"13\">{}</text>",
                       left + (k - 1) * cell + cell / 2, top + 5 * cell + 18, k);
  }
  svg += fmt::format(
      "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"13\" "
      "font-weight=\"bold\">Impact</text>",
      left + 5 * cell / 2, top + 5 * cell + 40);
  svg += fmt::format(
      "<text transform=\"translate(14 {}) rotate(-90)\" text-anchor=\"middle\" font-size=\"13\" "
      "font-weight=\"bold\">Likelihood</text></svg>",
      top + 5 * cell / 2);
  return svg;
}

std::string trend_svg(const TrendChart& chart, const std::string& label,
                      const std::string& description) {
  constexpr int width = 720;
  constexpr int height = 300;
  constexpr int left = 52;
  constexpr int top = 12;
  constexpr int plot_width = 460;
  constexpr int plot_height = 240;
  auto y_of = [](double v) { return top + plot_height * (1 - std::clamp(v, 0.0, 100.0) / 100); };
  std::size_t n = std::max<std::size_t>(chart.periods.size(), 1);
  auto x_of = [&](std::size_t i) {
    return n == 1 ? left + plot_width / 2.0
                  : left + 30 +
                        (plot_width - 60) * static_cast<double>(i) / static_cast<double>(n - 1);
  };
  std::string svg = fmt::format(
      "<svg role=\"img\" aria-labelledby=\"trt trd\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" xmlns=\"http://www.w3.org/2000/svg\" "
      "font-family=\"DejaVu Sans, sans-serif\"><title id=\"trt\">{2}</title>"
      "<desc id=\"trd\">{3}</desc>",
      width, height, escape(label), escape(description));
  for (int v = 0; v <= 100; v += 25) {
    svg += fmt::format(
        "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#d0d0d0\"/>"
        "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\" font-size=\"12\" "
        "fill=\"#555\">{5}%</text>",
        left, left + plot_width, y_of(v), left - 6, y_of(v) + 4, v);
  }
  for (std::size_t i = 0; i < chart.periods.size(); ++i) {
    svg +=
        fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" font-size=\"13\">{}</text>",
                    x_of(i), top + plot_height + 22, escape(chart.periods[i]));
  }
  for (std::size_t s = 0; s < chart.series.size(); ++s) {
    const auto& series = chart.series[s];
    auto colour = series_colours[s % series_colours.size()];
    svg += fmt::format(
        "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"{3}\" "
        "stroke-opacity=\"0.7\" stroke-dasharray=\"6 5\"/>",
        left, left + plot_width, y_of(series.target), colour);
    std::string points;
    for (std::size_t i = 0; i < series.values.size() && i < n; ++i) {
      if (!series.values[i]) {
        if (!points.empty()) {
          svg += fmt::format(
              "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" "
              "stroke-width=\"3\"/>",
              points, colour);
        }
        points.clear();
        continue;
      }
      points += fmt::format("{}{:.1f},{:.1f}", points.empty() ? "" : " ", x_of(i),
                            y_of(*series.values[i]));
      svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" fill=\"{}\"/>", x_of(i),
                         y_of(*series.values[i]), colour);
    }
    if (!points.empty()) {
      svg += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"3\"/>",
                         points, colour);
    }
    int ly = top + 16 + static_cast<int>(s) * 26;
    svg += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"16\" height=\"12\" fill=\"{}\"/>"
        "<text x=\"{}\" y=\"{}\" font-size=\"13\">{}</text>",
        left + plot_width + 20, ly - 11, colour, left + plot_width + 42, ly, escape(series.label));
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#555\">dashed: target</text>",
                     left + plot_width + 20, top + 16 + static_cast<int>(chart.series.size()) * 26);
  return svg + "</svg>";
}

}  // namespace itpm::commands::dashboard
