#pragma once
// The bot on virtual time for the scheduler's tests: commands at `now`, jobs fired at their
// due time while "up", every post kept with when it went out. Real store; the clock is the
// test's.

#include "bot/scheduler.hpp"
#include "commands/areas/handler_support.hpp"
#include "tests/support/command_fixture.hpp"

#include <date/tz.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace itpm::test {

using Time = std::chrono::system_clock::time_point;
using commands::PostMessage;

struct Posted {
  Time at;
  PostMessage message;
};

// The bot on virtual time: commands at `now`, jobs fired at their due time while "up".
struct Engine : itpm::test::CommandFixture {
  itpm::commands::Policy policy;
  std::vector<Posted> posts;
  std::vector<std::string> log;

  // Working time is all week, round the clock, unless a test says otherwise (`office_hours`):
  // the tests of cadences and ladders count calendar time.
  explicit Engine(bool office_hours = false) {
    policy.escalation_channel = "CLEAD";
    if (!office_hours) {
      run(R"(config set working-hours "mon-sun 00:00-24:00")", "UADMIN");
      policy.working_hours =
          itpm::commands::effective_policy(policy, repos.settings()).working_hours;
    }
  }

  // dr-2027 and its R-1, critical (score 20) and owned by dave: its ladder starts now.
  void add_critical_risk() {
    run(R"(program add dr-2027 "Disaster Recovery 2027")");
    run(R"(risk add "Primary DB failover untested" --program dr-2027 --likelihood 4 --impact 5 --owner <@UDAVE|dave>)");
  }

  // Fires what is due at `at` (everything due earlier fires late).
  void fire(Time at) {
    now = at;
    for (;;) {
      itpm::commands::Context ctx{at, {"UADMIN"}, repos, zone, policy};
      auto round = itpm::bot::next_round(repos, ctx, 256);
      if (round.fired == 0) return;
      REQUIRE(store->commit(std::move(round.writes)));
      for (auto& p : round.posts) posts.push_back({at, std::move(p.message)});
      for (auto& line : round.log) log.push_back(std::move(line));
    }
  }

  // Runs every job due up to `until`, each at its due time; then `now` is `until`.
  void run_until(Time until) {
    for (;;) {
      auto next = repos.jobs().next_due();
      if (!next || *next > itpm::commands::millis(until)) break;
      fire(Time(std::chrono::milliseconds(*next)));
    }
    now = until;
  }

  [[nodiscard]] std::vector<Posted> posts_with(const std::string& part) const {
    std::vector<Posted> out;
    for (const auto& p : posts) {
      if (contains(p.message.text, part)) out.push_back(p);
    }
    return out;
  }
};

// "2026-12-01 14:00" for `t` in `zone`.
inline std::string local(Time t, const char* zone) {
  return date::format("%Y-%m-%d %H:%M",
                      date::make_zoned(zone, std::chrono::floor<std::chrono::minutes>(t)));
}

inline Time utc(int y, unsigned m, unsigned d, int h, int min = 0) {
  return std::chrono::sys_days(std::chrono::year{y} / m / d) + std::chrono::hours(h) +
         std::chrono::minutes(min);
}

}  // namespace itpm::test
