// The rendered Block Kit of each reply, compared with checked-in JSON (tests/golden/). After
// an intended change of wording or layout, regenerate with ITPM_UPDATE_GOLDEN=1 and review
// the diff like code.
#include "commands/areas/config_commands.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/forms/form.hpp"
#include "commands/forms/home.hpp"
#include "commands/job_runner.hpp"
#include "tests/support/command_fixture.hpp"
#include "tests/support/view_limits.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace itpm::commands;
using nlohmann::json;

namespace {

const std::filesystem::path golden_dir = std::filesystem::path(ITPM_SOURCE_DIR) / "tests/golden";

json rendered(const Reply& reply) {
  return {
      {"response_type", reply.visibility == Visibility::in_channel ? "in_channel" : "ephemeral"},
      {"text", reply.text},
      {"blocks", reply.blocks}};
}

json rendered(const PostMessage& post) {
  return {{"channel", post.channel},
          {"to_user", post.to_user},
          {"text", post.text},
          {"blocks", post.blocks}};
}

// What Slack itself would refuse: too many blocks, or a text field over its limit.
void check_block_kit(const json& message) {
  const auto& blocks = message["blocks"];
  CHECK(blocks.size() <= 50);
  for (const auto& block : blocks) {
    std::string type = block["type"];
    CHECK((type == "section" || type == "context" || type == "actions"));
    if (type == "section") CHECK(block["text"]["text"].get<std::string>().size() <= 3000);
    // A section holds at most 10 fields of at most 2,000 characters.
    CHECK(block.value("fields", json::array()).size() <= 10);
    for (const auto& field : block.value("fields", json::array()))
      CHECK(field["text"].get<std::string>().size() <= 2000);
    for (const auto& element : block.value("elements", json::array())) {
      if (type == "actions") {  // buttons: plain text of at most 75 characters, a unique id
        CHECK(element["text"]["type"] == "plain_text");
        CHECK(element["text"]["text"].get<std::string>().size() <= 75);
        CHECK_FALSE(element["action_id"].get<std::string>().empty());
      } else {
        CHECK(element["text"].get<std::string>().size() <= 3000);
      }
    }
  }
  CHECK_FALSE(message["text"].get<std::string>().empty());
}

void compare(const std::string& name, const json& actual) {
  INFO(name);
  if (actual.contains("type")) {
    CHECK(itpm::test::view_problem(actual).empty());  // a view: Slack's limits on views
  } else {
    check_block_kit(actual);
  }
  auto path = golden_dir / (name + ".json");
  const char* update = std::getenv("ITPM_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(path) << actual.dump(2) << "\n";
  }
  std::ifstream in(path);
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  json expected = json::parse(text.str());
  CHECK(actual.dump(2) == expected.dump(2));
}

}  // namespace

TEST_CASE("replies render as the checked-in Block Kit") {
  itpm::test::CommandFixture f;
  auto reply = [&](const std::string& name, const std::string& text,
                   const std::string& user = "UALICE") {
    auto out = f.run(text, user);
    compare(name, rendered(out.reply));
    return out;
  };
  auto post = [&](const std::string& name, const Outcome& out) {
    REQUIRE_FALSE(out.effects.empty());
    compare(name, rendered(std::get<PostMessage>(out.effects.back())));
  };
  reply(
      "program_add",
      R"(program add dr-2027 "Disaster Recovery 2027" --sponsor <@UCAROL|carol> --due 2027-06-30 --budget 250000)");
  reply("program_list", "program list");
  reply("program_show", "program show dr-2027");
  auto critical = reply(
      "risk_add_critical",
      R"(risk add "Primary DB failover untested" --program dr-2027 --likelihood 4 --impact 5 --owner <@UDAVE|dave> --due fri)",
      "UBOB");
  post("risk_add_dm", critical);
  reply("risk_add",
        R"(risk add "Runbook outdated" --program dr-2027 -l 2 -i 3 --mitigation "Rewrite in Q1")");
  reply("risk_list", "risk list --program dr-2027");
  reply("risk_update", "risk update R-2 --impact 5 --due 2026-12-18");
  reply("risk_ack", "risk ack R-1", "UDAVE");
  auto escalated = reply(
      "risk_escalate",
      R"(risk escalate R-1 --to <#CLEAD|leadership> --reason "Vendor has not answered in a week")",
      "UBOB");
  post("risk_escalate_alert", escalated);
  reply("risk_heatmap", "risk heatmap");
  reply("risk_close", R"(risk close R-2 --note "Runbook rewritten & reviewed")");
  reply("risk_show", "risk show R-2");
  auto added = f.run(
      R"(decision add "Use Patroni for automated failover" --program dr-2027 --decided-by <@UCAROL|carol>,<@UALICE|alice> --context "Evaluated pg_auto_failover and Stolon" --tags failover,postgres --date 2026-11-30)",
      "UCAROL");
  post("decision_add_post", added);
  f.run(R"(decision add "Failover must complete within 60 s" --program dr-2027 --date 2026-09-14)");
  reply("decision_supersede", "decision supersede D-2 --by D-1");
  reply("decision_list", "decision list");
  reply("decision_search", "decision search failover patroni");
  reply("decision_show", "decision show D-1");
  reply("audit", "audit R-1");
  reply("error_unknown_flag", "risk list --owenr <@UDAVE>");
  reply("error_range",
        R"(risk add "Backups not encrypted" --program dr-2027 --likelihood 9 --impact 3)");
  reply("error_refusal", "risk close R-1", "UERIN");

  reply("review_schedule",
        R"(review schedule dr-2027 --every "tue 15:00" --tz Europe/Amsterdam --remind 1h,10m)");
  reply("review_list", "review list");
  reply("status_record", R"(status dr-2027 amber "Failover drill slipped a week")");
  reply("status_all", "status");
  reply("milestone_add",
        R"(milestone add dr-2027 "Runbook signed off" --due 2026-12-03 --owner <@UBOB|bob>)");
  reply("milestone_slip", R"(milestone slip M-1 --due 2026-12-10 --reason "Reviewer out sick")");
  reply("milestone_list", "milestone list");
  post("review_now_agenda", f.run("review now dr-2027", "UBOB"));
  reply("report", "report --share");
  f.run("milestone done M-1");
  f.run(R"(action add "Add failover alerting" --severity S2 --owner <@UERIN|erin>)");
  f.run("action done A-1", "UERIN");
  reply("kpi", "kpi --share");
  auto survey = f.run("survey send dr-2027");
  post("survey_poll", survey);

  // Ladder steps as the scheduler posts them (R-1 has been on the ladder since it was escalated).
  Policy policy;
  policy.escalation_channel = "CLEAD";
  for (const char* name : {"ladder_level2", "ladder_level3"}) {
    auto jobs = f.repos.jobs().due(millis(f.now + std::chrono::days(30)), 100);
    auto job = std::find_if(jobs.begin(), jobs.end(), [&f](const auto& j) {
      return j.job.value("kind", "") == "risk_ladder" &&
             j.job.value("ladder", std::int64_t{0}) ==
                 f.repos.find<itpm::storage::Risk>(1)->escalated_at &&
             j.job.value("level", 0) == f.repos.find<itpm::storage::Risk>(1)->escalation_level + 1;
    });
    REQUIRE(job != jobs.end());
    f.now = std::chrono::system_clock::time_point(std::chrono::milliseconds(job->due_ms));
    auto fired = fire_job(*job, parse_job(job->job), Context{f.now, {}, f.repos, "UTC", policy});
    post(name, fired);
    REQUIRE(f.store->commit(std::move(fired.writes)));
  }
}

TEST_CASE("forms and the home tab render as the checked-in Block Kit") {
  itpm::test::CommandFixture f;
  f.run(
      R"(program add dr-2027 "Disaster Recovery 2027" --channel <#CDEMO|demo> --sponsor <@UCAROL|carol>)");
  f.run(R"(status dr-2027 amber "Failover drill slipped a week")");
  f.run(R"(review schedule dr-2027 --every "tue 15:00")");
  f.run(R"(risk add "Primary DB failover untested" --program dr-2027 -l 4 -i 5)");
  f.run(R"(risk add "Runbook outdated" --program dr-2027 -l 2 -i 3)");
  f.run(R"(milestone add dr-2027 "Runbook signed off" --due 2026-11-20)");
  f.run(R"(action add "Add failover alerting" --severity S2 --program dr-2027)");
  Context ctx = make_context(f.repos, Settings{{}, {"UADMIN"}}, f.now, f.zone);
  const auto& grammar = command_grammar();
  for (const char* text :
       {"risk add", "decision add", "milestone add", "action add", "review record dr-2027"}) {
    std::string name = std::string("form_") + text;
    std::replace(name.begin(), name.end(), ' ', '_');
    std::replace(name.begin(), name.end(), '-', '_');
    compare(name, form_view(*form_request(text, grammar), ctx, "CDEMO"));
  }
  compare("form_log_as_decision",
          form_view(*form_named("decision add", grammar), ctx, "CDEMO",
                    shortcut_prefill("decision add", "We move the drill to Q2 &amp; tell SRE",
                                     "UBOB", "https://sim.slack.local/archives/CDEMO/p1")));
  compare("home_tab", home_view("UALICE", ctx));
}
