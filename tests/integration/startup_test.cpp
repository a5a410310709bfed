// Start-up failures: configuration and authentication.
#include "tests/support/bot_run.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

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

namespace {

// A unix datagram socket standing in for systemd's $NOTIFY_SOCKET.
class NotifySocket {
 public:
  explicit NotifySocket(std::filesystem::path path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::string p = path_.string();
    REQUIRE(p.size() < sizeof(address.sun_path));
    std::copy(p.begin(), p.end(), address.sun_path);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  }
  ~NotifySocket() { ::close(fd_); }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  // The next message, or "" when none comes within `timeout`.
  std::string next(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return "";
    char buffer[512];
    auto n = ::recv(fd_, buffer, sizeof(buffer), 0);
    return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : "";
  }
  // Messages until one starts with `prefix` (that one included), at most `limit`.
  std::vector<std::string> until(const std::string& prefix, std::size_t limit = 50) {
    std::vector<std::string> seen;
    while (seen.size() < limit) {
      std::string m = next(15s);
      if (m.empty()) break;
      seen.push_back(m);
      if (m.starts_with(prefix)) break;
    }
    return seen;
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace

TEST_CASE("under systemd the bot says when it is up, feeds the watchdog and says it stops",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  itpm::test::TempDir dir;
  NotifySocket systemd(dir.path() / "notify");
  BotRun bot(*sim,
             {{"NOTIFY_SOCKET", (dir.path() / "notify").string()}, {"WATCHDOG_USEC", "400000"}});
  auto up = systemd.until("READY=1");
  REQUIRE_FALSE(up.empty());
  CHECK(up.back() == "READY=1\nSTATUS=started; connecting to Slack");
  // Half the watchdog period apart, from the I/O thread: two in a row while it runs.
  CHECK(systemd.next(5s) == "WATCHDOG=1");
  CHECK(systemd.next(5s) == "WATCHDOG=1");
  REQUIRE(bot.wait_hellos(1));
  REQUIRE(bot.terminate() == std::optional<int>(0));
  auto last = systemd.until("STOPPING=1");
  REQUIRE_FALSE(last.empty());
  CHECK(last.back() == "STOPPING=1");
}
