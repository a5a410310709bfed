#pragma once
// Decodes PNGs (with cairo, the library that draws them) to compare charts pixel by pixel.

#include <cstdint>
#include <optional>
#include <string>

namespace itpm::test {

struct PngImage {
  int width = 0;
  int height = 0;
  std::string argb;  // 4 bytes a pixel, row by row (cairo's ARGB32/RGB24 in memory)
  // The pixel at (x, y) as 0xRRGGBB.
  [[nodiscard]] std::uint32_t rgb(int x, int y) const;
};

// The image in `png`, or nullopt when it is not a PNG.
std::optional<PngImage> decode_png(const std::string& png);

// The share (0–1) of pixels whose colour differs from the other image's by more than
// `channel_tolerance` in any channel; 1 when the sizes differ.
double differing_share(const PngImage& a, const PngImage& b, int channel_tolerance);

}  // namespace itpm::test
