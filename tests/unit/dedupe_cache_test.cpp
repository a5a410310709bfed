#include "bot/dedupe_cache.hpp"

#include <catch2/catch.hpp>

using itpm::bot::DedupeCache;
using namespace std::chrono_literals;

TEST_CASE("ids are remembered for the TTL, then forgotten") {
  DedupeCache cache(60s, 100);
  auto t0 = DedupeCache::Clock::time_point{} + 1h;
  CHECK(cache.first_time("Ev1", t0));
  CHECK_FALSE(cache.first_time("Ev1", t0 + 30s));
  CHECK(cache.first_time("Ev2", t0 + 30s));
  CHECK(cache.first_time("Ev1", t0 + 61s));
  CHECK(cache.size() == 2);
}

TEST_CASE("memory stays bounded: the oldest ids go first") {
  DedupeCache cache(1h, 3);
  auto t0 = DedupeCache::Clock::time_point{} + 1h;
  for (int i = 0; i < 10; ++i) CHECK(cache.first_time("Ev" + std::to_string(i), t0));
  CHECK(cache.size() == 3);
  CHECK_FALSE(cache.first_time("Ev9", t0));
  CHECK(cache.first_time("Ev0", t0));
}
