// Quiet hours against the real binary and the simulator (commands.md §6): a DM the bot sends
// of its own accord waits for its person's working hours in their Slack zone (bob's is
// America/Los_Angeles in the simulator), kept in the schedule, and the risk's history says so.
#include "tests/support/bot_run.hpp"
#include "tests/support/command_fixture.hpp"

#include <date/tz.h>
#include <fmt/format.h>
#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using itpm::sim::Snapshot;
using itpm::test::BotRun;
using itpm::test::contains;

TEST_CASE("a ladder's DM outside its owner's working hours waits for them", "[integration]") {
  // Working hours of one hour a day that is not now in Los Angeles, whenever the test runs.
  auto now = date::make_zoned("America/Los_Angeles", std::chrono::system_clock::now());
  auto local = now.get_local_time();
  auto hour = std::chrono::duration_cast<std::chrono::hours>(
                  local - std::chrono::floor<std::chrono::days>(local))
                  .count();
  int from = hour < 21 ? static_cast<int>(hour) + 2 : 0;
  std::string hours = fmt::format("mon-sun {:02}:00-{:02}:00", from, from + 1);
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim, {{"ITPM_WORKING_HOURS", hours}});
  REQUIRE(bot.wait_hellos(1));
  REQUIRE(contains(bot.command(R"(program add dr-2027 "Disaster Recovery 2027")"), "dr-2027"));
  std::string added = bot.command(
      R"(risk add "Primary DB failover untested" --program dr-2027 -l 4 -i 5 --owner @bob)");
  INFO(added);
  CHECK(contains(added, "<@U0DEMO2> told by DM in their working hours"));
  // The hold is written to the risk's history once bob's zone is known; the bot logs it after.
  REQUIRE(bot.process().wait_for_output("DM to U0DEMO2 held until", 15s));
  std::string shown = bot.command("risk show R-1");
  INFO(shown);
  CHECK(contains(shown, "a DM to <@U0DEMO2> held until"));
  // In bob's own zone: the start of his working hour, PST or PDT.
  CHECK(contains(shown, fmt::format("{:02}:00 P", from)));
  CHECK(contains(shown, "their time: outside their working hours"));
  CHECK(sim->snapshot().count_calls("conversations.open") == 0);
  REQUIRE(bot.terminate() == std::optional<int>(0));
}
