// Start-up failures: configuration and authentication.
#include "tests/support/bot_run.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using itpm::test::BotRun;

TEST_CASE("a missing token exits 2 naming the variable, before anything connects",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim, {}, {"SLACK_BOT_TOKEN"});
  auto status = bot.process().wait_exit(10s);
  REQUIRE(status.has_value());
  CHECK(*status == 2);
  CHECK(bot.process().output().find("SLACK_BOT_TOKEN") != std::string::npos);
  CHECK(sim->snapshot().calls.empty());
}

TEST_CASE("a malformed token exits 2 and is not echoed", "[integration]") {
  auto sim = itpm::test::make_sim();
  std::string secret = "xoxp-1234567890-secretpart-abcd";
  BotRun bot(*sim, {{"SLACK_BOT_TOKEN", secret}});
  auto status = bot.process().wait_exit(10s);
  REQUIRE(status.has_value());
  CHECK(*status == 2);
  CHECK(bot.process().output().find("SLACK_BOT_TOKEN") != std::string::npos);
  CHECK(bot.process().output().find("secretpart") == std::string::npos);
}

TEST_CASE("invalid_auth exits 3 without a retry loop, and no token appears in the output",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  std::string wrong = "xapp-1-A0SIM0001-1-wrongsecretwrongsecret99";
  BotRun bot(*sim, {{"SLACK_APP_TOKEN", wrong}});
  auto status = bot.process().wait_exit(15s);
  REQUIRE(status.has_value());
  CHECK(*status == 3);
  std::string out = bot.process().output();
  CHECK(out.find("invalid_auth") != std::string::npos);
  CHECK(out.find("wrongsecret") == std::string::npos);
  CHECK(out.find(sim->options().bot_token) == std::string::npos);
  CHECK(sim->snapshot().count_calls("apps.connections.open") == 1);
}

TEST_CASE("a bot token given as the app token is refused: not_allowed_token_type, exit 3",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim, {{"SLACK_APP_TOKEN", "xapp-" + sim->options().bot_token}});
  auto status = bot.process().wait_exit(15s);
  REQUIRE(status.has_value());
  CHECK(*status == 3);
}

TEST_CASE("ITPM_BACKUP_DIR turns on automatic backups", "[integration]") {
  auto sim = itpm::test::make_sim();
  itpm::test::TempDir backups;
  BotRun bot(*sim, {{"ITPM_BACKUP_DIR", (backups.path() / "b").string()},
                    {"ITPM_BACKUP_INTERVAL_MIN", "60"}});
  REQUIRE(bot.wait_hellos(1));
  CHECK(bot.process().wait_for_output("automatic backups every 60 min", 10s));
  CHECK(bot.terminate() == std::optional<int>(0));
}
