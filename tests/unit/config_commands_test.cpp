// `config show` and `config set` on a real store: every setting with its effective value,
// admin-only changes with validation and did-you-mean, audit entries, and stored settings
// taking effect for the next command (threshold, ladder step).
#include "commands/areas/config_commands.hpp"
#include "commands/areas/handler_support.hpp"
#include "tests/support/command_fixture.hpp"

#include <catch2/catch.hpp>

using namespace itpm::commands;
using itpm::test::contains;

TEST_CASE("config show lists every setting with its value and where it came from") {
  itpm::test::CommandFixture f;
  auto out = f.run("config show", "UBOB");
  INFO(out.reply.text);
  CHECK(out.reply.visibility == Visibility::ephemeral);
  for (const char* line :
       {"• `escalation-channel` *none (level 3 goes to the program channel)*",
        "• `threshold` *15* — a risk with this score or more is critical", "• `ladder-step` *24h*",
        "• `timezone` *UTC*", "• `grace` *2h*", "• `slo-s1` *7 days*", "• `slo-s4` *90 days*",
        "• `target-on-time` *80%*", "• `target-slo` *90%*", "• `target-satisfaction` *4.0*",
        "• `working-hours` *mon-fri 09:00-18:00*"}) {
    CHECK(contains(out.reply.text, line));
  }
  f.run("config set grace 90m", "UADMIN");
  CHECK(contains(f.run("config").reply.text,
                 "• `grace` *90m* — after downtime, a review reminder up to this late is still "
                 "posted _(set by <@UADMIN>, Fri 2026-11-27 12:00 UTC)_"));
}

TEST_CASE("config set is for admins, checks its value and is audited") {
  itpm::test::CommandFixture f;
  auto refused = f.run("config set threshold 12", "UBOB").reply.text;
  CHECK(contains(refused, "Only itpm admins can change settings"));
  // Said once, not twice.
  CHECK(refused.find("Nothing was saved.") == refused.rfind("Nothing was saved."));
  CHECK(contains(refused, "Nothing was saved."));
  CHECK(contains(f.run("config set treshold 12", "UADMIN").reply.text,
                 "Unknown setting \"treshold\". Did you mean `threshold`?"));
  struct Row {
    std::string text;
    std::string message;
  };
  auto row = GENERATE(values<Row>({
      {"config set threshold 30", "threshold takes a score from 1 to 25 (got \"30\")"},
      {"config set ladder-step 5x", "ladder-step takes a time like 90m, 24h or 2d"},
      {"config set grace 30d", "from 1m to 7d"},
      {"config set timezone Mars/Olympus", "Unknown time zone \"Mars/Olympus\""},
      {"config set escalation-channel leadership", "takes a channel, like #leadership"},
      {"config set slo-s1 0", "slo-s1 takes a number of days from 1 to 365"},
      {"config set target-slo 120%", "a percentage from 0 to 100"},
      {"config set target-satisfaction 6", "a mean from 1 to 5"},
      {"config set threshold default", "already has its default"},
      {"config set working-hours \"mon-fri 9-5\"",
       "\"9-5\" is not hours within a day like 09:00-18:00"},
      {"config set working-hours weekdays", "\"weekdays\" needs hours after the days"},
  }));
  auto out = f.run(row.text, "UADMIN");
  INFO(out.reply.text);
  CHECK(contains(out.reply.text, row.message));
  CHECK(contains(out.reply.text, "Nothing was saved"));
  CHECK(f.repos.settings().empty());
  CHECK(f.repos.audit("config").empty());
}

TEST_CASE("stored settings shape the next commands, and can go back to their default") {
  itpm::test::CommandFixture f;
  f.run(R"(program add dr-2027 "Disaster Recovery 2027")");
  auto set = f.run("config set threshold 12", "UADMIN");
  CHECK(set.reply.visibility == Visibility::in_channel);
  CHECK(contains(set.reply.text, "⚙️ `threshold` 15 → *12*, set by <@UADMIN>."));
  CHECK(
      contains(f.run("config set threshold 12%", "UADMIN").reply.text, "threshold is already 12"));
  f.run("config set ladder-step 1h", "UADMIN");
  f.run("config set escalation-channel <#CLEAD|leadership>", "UADMIN");
  // Score 12 is now critical: the ladder starts, its next level one hour later.
  auto risk = f.run(R"(risk add "Runbook outdated" --program dr-2027 --likelihood 3 --impact 4)");
  CHECK(contains(risk.reply.text, "Escalation ladder started"));
  CHECK(contains(risk.reply.text, "in 1h if not acknowledged"));
  auto jobs = f.repos.jobs().due(millis(f.now + std::chrono::hours(2)), 10);
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0].due_ms == millis(f.now + std::chrono::hours(1)));

  auto policy = effective_policy(Policy{}, f.repos.settings());
  CHECK(policy.escalation_threshold == 12);
  CHECK(policy.ladder_step == std::chrono::hours(1));
  CHECK(policy.escalation_channel == "CLEAD");

  auto reset = f.run("config set threshold default", "UADMIN");
  CHECK(contains(reset.reply.text, "`threshold` 12 → *its default*"));
  CHECK(effective_policy(Policy{}, f.repos.settings()).escalation_threshold == 15);
  auto history = f.repos.audit("config");
  REQUIRE(history.size() == 4);
  CHECK(history.back().by == "UADMIN");
  CHECK(history.back().before.contains("threshold"));
  CHECK_FALSE(history.back().after.contains("threshold"));
}

TEST_CASE("effective_policy applies every stored key over the defaults and skips bad ones") {
  nlohmann::json stored = {{"timezone", {{"value", "Europe/Amsterdam"}}},
                           {"grace", {{"value", "45"}}},
                           {"slo-s2", {{"value", "14"}}},
                           {"target-on-time", {{"value", "75"}}},
                           {"target-satisfaction", {{"value", "4.3"}}},
                           {"threshold", {{"value", "not a number"}}},
                           {"no-such-key", {{"value", "1"}}},
                           {"target-slo", "malformed"}};
  Policy base;
  base.escalation_threshold = 16;
  auto p = effective_policy(base, stored);
  CHECK(p.default_zone == "Europe/Amsterdam");
  CHECK(p.grace == std::chrono::minutes(45));
  CHECK(p.slo_days == std::array<int, 4>{7, 14, 60, 90});
  CHECK(p.target_on_time == 75);
  CHECK(p.target_satisfaction == Approx(4.3));
  CHECK(p.escalation_threshold == 16);
  CHECK(p.target_slo == 90);
}

TEST_CASE("working hours are stored in their canonical form and shape the policy") {
  itpm::test::CommandFixture f;
  auto set = f.run(R"(config set working-hours "Mon-Thu 08:00-17:00, fri 08:00-13:00")", "UADMIN");
  INFO(set.reply.text);
  CHECK(contains(set.reply.text,
                 "`working-hours` mon-fri 09:00-18:00 → *mon-thu 08:00-17:00, fri 08:00-13:00*"));
  auto policy = effective_policy(Policy{}, f.repos.settings());
  CHECK(policy.working_hours.days[5] == WorkingHours::Span{8 * 60, 13 * 60});
  CHECK_FALSE(policy.working_hours.working_day(std::chrono::Saturday));
}
