// Fuzzes what a browser sends the dashboard: the request target (path and query), its link
// and the HTML escaper. Properties: routing never throws and yields only program keys of the
// grammar's shape; a link passes the check only if it is exactly what sign() makes of its grant
// (nothing unsigned is believed); escaped text holds no markup characters.
#include "commands/dashboard/html.hpp"
#include "commands/dashboard/link.hpp"
#include "commands/dashboard/pages.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

using itpm::fuzz::fail;
namespace dashboard = itpm::commands::dashboard;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string target(reinterpret_cast<const char*>(data), size);
  static const std::string key = "fuzz-key-0123456789abcdef";
  auto r = dashboard::route(target);
  if (r.dashboard) {
    if (r.token.find('/') != std::string::npos) fail("a link holds no slash", target);
    bool key_shape = std::all_of(r.program.begin(), r.program.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
    if (!key_shape || r.program.size() > 32) fail("only program keys are routed", target);
    if (r.page == 0) fail("pages count from 1", target);
  }
  for (const std::string& token : {r.token, target}) {
    auto checked = dashboard::check(token, key, 1'700'000'000);
    if (checked.grant && dashboard::sign(*checked.grant, key) != token)
      fail("only what sign() makes passes", token);
    if (checked.grant && checked.grant->expires <= 1'700'000'000)
      fail("an expired link does not pass", token);
  }
  std::string escaped = dashboard::escape(target);
  if (escaped.find_first_of("<>\"'") != std::string::npos)
    fail("escaped text holds no markup", target);
  return 0;
}
