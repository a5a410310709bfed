#include "bot/follow_ups.hpp"

#include <catch2/catch.hpp>

using itpm::bot::ChannelPacer;
using namespace std::chrono_literals;

TEST_CASE("posts to one channel are a second apart, other channels do not wait for them") {
  ChannelPacer pacer;
  auto t0 = ChannelPacer::Clock::time_point{} + 1000s;
  CHECK(pacer.reserve("C1", t0) == t0);
  CHECK(pacer.reserve("C1", t0) == t0 + 1s);
  CHECK(pacer.reserve("C1", t0) == t0 + 2s);
  CHECK(pacer.reserve("C2", t0) == t0);              // a busy channel holds up no other
  CHECK(pacer.reserve("C1", t0 + 10s) == t0 + 10s);  // a quiet channel goes at once
}

TEST_CASE("DMs are paced by person until their channel is known") {
  itpm::commands::PostMessage dm;
  dm.to_user = "U1";
  CHECK(itpm::bot::pacing_key(dm) == "dm:U1");
  dm.channel = "D1";
  CHECK(itpm::bot::pacing_key(dm) == "D1");
}
