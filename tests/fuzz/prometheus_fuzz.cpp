// Fuzzes the reading of Prometheus' answers (availability, commands.md §7). The first byte
// picks the HTTP status, the rest is the body. Properties: an answer gives a percentage (above
// 1 and at most 100, in thousandths) and no error, or an error and no percentage; the error is
// one line of valid UTF-8 that cannot form a Slack mention or link.
#include "commands/areas/availability.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

using itpm::fuzz::fail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr std::array<int, 8> statuses = {200, 200, 400, 422, 404, 401, 503, 302};
  int status = statuses[data[0] % statuses.size()];
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  auto answer = itpm::commands::read_prometheus_answer(status, body);
  if (answer.percent) {
    if (!answer.error.empty()) fail("a percentage comes without an error", answer.error);
    double p = *answer.percent;
    if (!(p > 1 && p <= 100)) fail("a percentage is above 1 and at most 100", body);
    if (std::abs(p * 1000 - std::round(p * 1000)) > 1e-6) fail("thousandths at most", body);
    return 0;
  }
  if (answer.error.empty()) fail("no percentage comes with an error", body);
  if (answer.error.find('\n') != std::string::npos) fail("the error is one line", answer.error);
  if (answer.error.find('<') != std::string::npos || answer.error.find('>') != std::string::npos)
    fail("the error forms no mention or link", answer.error);
  try {
    (void)nlohmann::json(answer.error).dump();
  } catch (const nlohmann::json::exception&) {
    fail("the error is valid UTF-8", answer.error);
  }
  return 0;
}
