// common::json_text writes the bytes nlohmann's dump(-1, ' ', false, replace) writes, for every
// kind of value and every byte a string can hold, valid UTF-8 or not.
#include "common/json_text.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <random>
#include <string>

namespace {

std::string nlohmann_text(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

TEST_CASE("json_text writes every kind of value as nlohmann's dump does") {
  using nlohmann::json;
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls += static_cast<char>(c);
  json document = {
      {"text", "*R-1* 20 critical · “Primary DB failover” 🔴 <@U1>"},
      {"escapes", "quote \" backslash \\ slash / delete \x7f " + controls},
      {"empty", ""},
      {"object", json::object()},
      {"array", json::array({1, -2, 3.5, true, false, nullptr, "x", json::array()})},
      {"numbers",
       {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(),
        std::numeric_limits<std::uint64_t>::max(), 0, 0.1, 1e300, -0.0, 12.0}},
      {"nested", {{"blocks", {{{"type", "section"}, {"text", {{"type", "mrkdwn"}}}}}}}},
  };
  CHECK(itpm::common::json_text(document) == nlohmann_text(document));
  for (const json& scalar : {json(nullptr), json(7), json("x"), json(2.25), json::array()}) {
    CHECK(itpm::common::json_text(scalar) == nlohmann_text(scalar));
  }
}

TEST_CASE("json_text replaces malformed UTF-8 as nlohmann's dump does") {
  for (std::string bad : {"\x80", "a\xC0\xAF", "\xED\xA0\x80", "\xF5\x80\x80\x80", "\xE2\x82",
                          "\xF4\x90\x80\x80", "ok \xF0\x9F\x94", "\xC2", "\xE0\x80\x80", "\xFF"}) {
    nlohmann::json value = {{"text", bad}, {bad, 1}};
    INFO(nlohmann_text(value));
    CHECK(itpm::common::json_text(value) == nlohmann_text(value));
  }
}

TEST_CASE("json_text agrees with nlohmann's dump on random strings") {
  std::mt19937 random(20261206);
  std::uniform_int_distribution<int> length(0, 40);
  // Plain letters (read eight at a time) and bytes from the edges of UTF-8's ranges, where a
  // writer would go wrong.
  const std::string alphabet =
      "abcdefghijklmnopqrstuvwxyz" + std::string("\x00\x01\x1f \"\\az\x7f", 10) +
      "\x80\xbf\xc0\xc1\xc2\xdf\xe0\xed\xef\xf0\xf4\xf5\xff\x9f\xa0\x8f\x90";
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    for (int n = length(random); n > 0; --n) s += alphabet[pick(random)];
    nlohmann::json value = nlohmann::json::array({s});
    if (itpm::common::json_text(value) != nlohmann_text(value)) {
      FAIL_CHECK("differs for " << nlohmann_text(value));
      break;
    }
  }
}
