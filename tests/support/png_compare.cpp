#include "tests/support/png_compare.hpp"

#include <cairo.h>

#include <cstdlib>
#include <cstring>
#include <memory>

namespace itpm::test {
namespace {

struct Reader {
  const std::string* data;
  std::size_t at = 0;
};

cairo_status_t read(void* closure, unsigned char* out, unsigned int length) {
  auto* r = static_cast<Reader*>(closure);
  if (r->data->size() - r->at < length) return CAIRO_STATUS_READ_ERROR;
  std::memcpy(out, r->data->data() + r->at, length);
  r->at += length;
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

std::uint32_t PngImage::rgb(int x, int y) const {
  std::uint32_t pixel = 0;
  std::memcpy(&pixel, argb.data() + (static_cast<std::size_t>(y) * width + x) * 4, 4);
  return pixel & 0xFFFFFFU;
}

std::optional<PngImage> decode_png(const std::string& png) {
  Reader reader{&png};
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_image_surface_create_from_png_stream(read, &reader), cairo_surface_destroy);
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) return std::nullopt;
  cairo_surface_flush(surface.get());
  PngImage image;
  image.width = cairo_image_surface_get_width(surface.get());
  image.height = cairo_image_surface_get_height(surface.get());
  int stride = cairo_image_surface_get_stride(surface.get());
  const unsigned char* data = cairo_image_surface_get_data(surface.get());
  for (int y = 0; y < image.height; ++y) {
    image.argb.append(reinterpret_cast<const char*>(data + static_cast<std::ptrdiff_t>(y) * stride),
                      static_cast<std::size_t>(image.width) * 4);
  }
  return image;
}

double differing_share(const PngImage& a, const PngImage& b, int channel_tolerance) {
  if (a.width != b.width || a.height != b.height) return 1.0;
  std::size_t differing = 0;
  for (int y = 0; y < a.height; ++y) {
    for (int x = 0; x < a.width; ++x) {
      std::uint32_t p = a.rgb(x, y);
      std::uint32_t q = b.rgb(x, y);
      for (unsigned shift : {0U, 8U, 16U}) {
        int d = static_cast<int>((p >> shift) & 0xFFU) - static_cast<int>((q >> shift) & 0xFFU);
        if (std::abs(d) > channel_tolerance) {
          ++differing;
          break;
        }
      }
    }
  }
  return static_cast<double>(differing) / (static_cast<double>(a.width) * a.height);
}

}  // namespace itpm::test
