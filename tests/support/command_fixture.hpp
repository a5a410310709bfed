#pragma once
// The command registry with every area, on a real store in a temp dir, at a fixed time:
// what the bot's dispatcher does, minus Slack.

#include "commands/areas/config_commands.hpp"
#include "commands/registry.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

namespace itpm::test {

// 2026-11-27 12:00 UTC, a Friday.
inline const auto noon =
    std::chrono::sys_days(std::chrono::year{2026} / 11 / 27) + std::chrono::hours(12);

struct CommandFixture {
  TempDir dir;
  std::unique_ptr<storage::Store> store = storage::Store::open(dir.path() / "db");
  storage::Repositories repos{*store};
  commands::Registry registry;
  std::chrono::system_clock::time_point now = noon;
  std::string zone = "UTC";
  commands::Policy base;  // what the environment sets, under what admins store

  // Runs `/itpm <text>` (Slack-escaped) as `user` in CDEMO and commits its writes, as the bot
  // does before acking.
  commands::Outcome run(const std::string& text, const std::string& user = "UALICE") {
    commands::Command c;
    c.user_id = user;
    c.channel_id = "CDEMO";
    c.text = text;
    c.response_url = "https://hooks.example/r";
    commands::Outcome out = registry.handle(
        c, commands::make_context(repos, commands::Settings{base, {"UADMIN"}}, now, zone));
    if (!out.writes.empty()) REQUIRE(store->commit(std::move(out.writes)));
    return out;
  }
};

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace itpm::test
