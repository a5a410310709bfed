// The risk area on a real store: each verb's success and errors, permissions, paging and the
// start and stop of the escalation ladder.
#include "commands/areas/handler_support.hpp"
#include "commands/delivery.hpp"
#include "tests/support/command_fixture.hpp"

#include <catch2/catch.hpp>

using namespace itpm::commands;
using itpm::test::contains;

namespace {

struct RiskFixture : itpm::test::CommandFixture {
  RiskFixture() {
    // alice owns dr-2027, carol sponsors it; bob owns nothing.
    run(R"(program add dr-2027 "Disaster Recovery 2027" --sponsor <@UCAROL|carol>)");
    run(R"(program add ci-speed "CI speed")", "UERIN");
  }
  std::size_t risk_count() { return repos.all<itpm::storage::Risk>().size(); }
};

const PostMessage& only_post(const Outcome& out) {
  REQUIRE(out.effects.size() == 1);
  return std::get<PostMessage>(out.effects.front());
}

}  // namespace

TEST_CASE("a critical risk is saved, announced in the channel and starts its ladder") {
  RiskFixture f;
  auto out = f.run(
      R"(risk add "Primary DB failover untested" --program dr-2027 --likelihood 4 --impact 5 --owner <@UDAVE|dave> --due fri)",
      "UBOB");
  INFO(out.reply.text);
  CHECK(out.reply.visibility == Visibility::in_channel);
  CHECK(contains(out.reply.text, "*R-1* · critical (score 20 = L4 × I5) · dr-2027"));
  CHECK(contains(out.reply.text, "owner <@UDAVE> · mitigation due Fri 2026-12-04"));
  CHECK(contains(out.reply.text,
                 "Escalation ladder started: <@UDAVE> told by DM in their working hours; "
                 "<#CDEMO> Mon 2026-11-30 12:00 UTC if not acknowledged (the 24h step counts "
                 "working days, in dr-2027's working hours)."));
  // Level 1: a DM to the owner, now.
  const auto& dm = only_post(out);
  CHECK(dm.to_user == "UDAVE");
  CHECK(contains(dm.text, "You own a critical risk: R-1"));
  CHECK(contains(dm.text, "/itpm risk ack R-1"));
  // Refused (dave left the workspace): the program's owner hears of it.
  CHECK(dm.about_item == "R-1");
  CHECK(dm.tell_if_refused == std::vector<std::string>{"UALICE"});
  // Level 2 is a job one step of working days later (Friday noon: Monday noon); the risk records
  // the ladder.
  auto r = f.repos.find<itpm::storage::Risk>(1);
  REQUIRE(r);
  CHECK(r->escalation_level == 1);
  CHECK(r->escalated_at == itpm::commands::millis(f.now));
  CHECK(r->created_by == "UBOB");
  auto due = f.repos.jobs().next_due();
  REQUIRE(due);
  CHECK(*due == itpm::commands::millis(f.now + std::chrono::hours(72)));
  auto jobs = f.repos.jobs().due(*due, 10);
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0].job["kind"] == "risk_ladder");
  CHECK(jobs[0].job["level"] == 2);
  CHECK(jobs[0].job["risk"] == 1);
  CHECK(f.repos.audit("R-1").size() == 1);
}

TEST_CASE(
    "a risk below the threshold is saved without a ladder, the owner defaults to the caller") {
  RiskFixture f;
  auto out = f.run(R"(risk add "Runbook outdated" -p dr-2027 -l 2 -i 3 --mitigation "rewrite")");
  CHECK(contains(out.reply.text, "*R-1* · medium (score 6 = L2 × I3)"));
  CHECK(contains(out.reply.text, "Mitigation: rewrite"));
  CHECK(out.effects.empty());
  CHECK(f.repos.find<itpm::storage::Risk>(1)->owner == "UALICE");
  CHECK_FALSE(f.repos.jobs().next_due());
}

TEST_CASE("risk add refuses what it cannot save, says why, and writes nothing") {
  RiskFixture f;
  f.run("program close ci-speed", "UERIN");
  struct Row {
    std::string text;
    std::string message;
  };
  auto row = GENERATE(values<Row>({
      {R"(risk add "x" --program dr-2072 -l 1 -i 1)", "Did you mean `dr-2027`?"},
      {R"(risk add "x" --program ci-speed -l 1 -i 1)", "Program ci-speed is closed"},
      {R"(risk add "x" --program dr-2027 -l 9 -i 1)", "--likelihood must be 1–5 (got 9)"},
      {R"(risk add "x" --program dr-2027 -l 1)", "Missing --impact"},
      {R"(risk add "x" --program dr-2027 -l 1 -i 1 --due someday)", "--due must be a date"},
      {R"(risk add "x" --program dr-2027 -l 1 -i 1 --owner bob)", "--owner takes a person"},
      {"risk add \"" + std::string(201, 'x') + "\" --program dr-2027 -l 1 -i 1",
       "The title is 201 characters long; keep it to 200"},
  }));
  auto out = f.run(row.text);
  INFO(out.reply.text);
  CHECK(contains(out.reply.text, row.message));
  CHECK(contains(out.reply.text, "Nothing was saved"));
  CHECK(contains(out.reply.text, "Usage: `/itpm risk add"));
  CHECK(out.reply.visibility == Visibility::ephemeral);
  CHECK(f.risk_count() == 0);
}

TEST_CASE("risk list: highest score first, filters, and paging that says how many more") {
  RiskFixture f;
  f.run(R"(risk add "low one" -p dr-2027 -l 1 -i 2)");                        // R-1, 2
  f.run(R"(risk add "critical one" -p dr-2027 -l 5 -i 4 --owner <@UDAVE>)");  // R-2, 20
  f.run(R"(risk add "high one" -p ci-speed -l 3 -i 4)", "UERIN");             // R-3, 12
  f.run(R"(risk add "accepted one" -p dr-2027 -l 2 -i 4)");                   // R-4, 8
  f.run("risk update R-4 --status accepted");
  auto all = f.run("risk list");
  INFO(all.reply.text);
  CHECK(all.reply.visibility == Visibility::ephemeral);
  CHECK(contains(all.reply.text, "*3 open risks*"));
  auto r2 = all.reply.text.find("R-2");
  auto r3 = all.reply.text.find("R-3");
  auto r1 = all.reply.text.find("R-1");
  CHECK(r2 < r3);
  CHECK(r3 < r1);
  CHECK_FALSE(contains(all.reply.text, "R-4"));
  CHECK(contains(all.reply.text, "_escalated L1_"));

  CHECK(contains(f.run("risk list --status accepted").reply.text, "R-4"));
  CHECK(contains(f.run("risk list --status escalated").reply.text, "*1 escalated risk*"));
  CHECK(contains(f.run("risk list --status all").reply.text, "*4 risks*"));
  auto program = f.run("risk list --program ci-speed").reply.text;
  CHECK(contains(program, "*1 open risk in ci-speed*"));
  CHECK(contains(f.run("risk list --min-score 10").reply.text, "*2 open risks*"));
  CHECK(contains(f.run("risk list --owner <@UDAVE>").reply.text, "*1 open risk*"));
  CHECK(contains(f.run("risk list --program nope").reply.text, "No program \"nope\""));
  CHECK(contains(f.run("risk list --status closed").reply.text, "No closed risks"));
  CHECK(f.run("risk list --share").reply.visibility == Visibility::in_channel);

  auto paged = f.run("risk list --limit 2").reply.text;
  CHECK(contains(paged, "… and 1 more."));
  CHECK_FALSE(contains(paged, "R-1"));
}

TEST_CASE("only the risk owner, the program's leads or an admin may change a risk") {
  RiskFixture f;
  f.run(R"(risk add "x" -p dr-2027 -l 2 -i 2 --owner <@UDAVE>)", "UBOB");
  auto refused = f.run("risk update R-1 --impact 3", "UBOB");
  CHECK(contains(refused.reply.text,
                 "Only the risk owner <@UDAVE>, the program owner <@UALICE>, the sponsor "
                 "<@UCAROL> or an itpm admin can change R-1."));
  CHECK(contains(refused.reply.text, "Nothing was saved"));
  CHECK(f.repos.find<itpm::storage::Risk>(1)->impact == 2);
  CHECK(contains(f.run("risk close R-1", "UBOB").reply.text, "can close R-1"));
  for (const char* user : {"UDAVE", "UALICE", "UCAROL", "UADMIN"}) {
    auto ok = f.run("risk update R-1 --mitigation \"step " + std::string(user) + "\"", user);
    INFO(ok.reply.text);
    CHECK(contains(ok.reply.text, "updated by <@" + std::string(user) + ">"));
  }
  CHECK(f.repos.audit("R-1").size() == 5);
}

TEST_CASE("risk update reports each change, and moves the ladder with the score") {
  RiskFixture f;
  f.run(R"(risk add "x" -p dr-2027 -l 2 -i 4 --owner <@UDAVE>)");
  auto up = f.run("risk update R-1 --likelihood 4 --due 2026-12-10");
  INFO(up.reply.text);
  CHECK(contains(up.reply.text, "score 8 → 16 (critical, L4 × I4)"));
  CHECK(contains(up.reply.text, "due none → Thu 2026-12-10"));
  CHECK(contains(up.reply.text, "Escalation ladder started"));
  CHECK(only_post(up).to_user == "UDAVE");
  CHECK(f.repos.find<itpm::storage::Risk>(1)->escalation_level == 1);

  auto down = f.run("risk update R-1 --likelihood 2");
  CHECK(contains(down.reply.text, "Escalation stopped: score 8 is below 15."));
  CHECK(f.repos.find<itpm::storage::Risk>(1)->escalation_level == 0);
  CHECK(down.effects.empty());

  CHECK(contains(f.run("risk update R-1 --likelihood 2").reply.text, "already has those values"));
  CHECK(contains(f.run("risk update R-1").reply.text, "Nothing to change"));
  CHECK(contains(f.run("risk update R-9 --impact 1").reply.text, "No risk R-9"));
  CHECK(contains(f.run("risk update D-1 --impact 1").reply.text, "is not a risk id"));
  CHECK(contains(f.run("risk update R-1 --status closed").reply.text,
                 "--status must be one of mitigating, accepted"));
}

TEST_CASE("risk ack stops the ladder, a risk that is not escalated has nothing to ack") {
  RiskFixture f;
  f.run(R"(risk add "x" -p dr-2027 -l 5 -i 5 --owner <@UDAVE>)");
  CHECK(contains(f.run("risk ack R-1", "UBOB").reply.text, "can acknowledge R-1"));
  auto acked = f.run("risk ack r1", "UDAVE");
  INFO(acked.reply.text);
  CHECK(
      contains(acked.reply.text, "*R-1* acknowledged by <@UDAVE>; escalation stopped at level 1"));
  CHECK(acked.reply.visibility == Visibility::in_channel);
  auto r = f.repos.find<itpm::storage::Risk>(1);
  CHECK(r->escalation_level == 0);
  CHECK(r->acked_at == itpm::commands::millis(f.now));
  CHECK(contains(f.run("risk ack R-1", "UDAVE").reply.text, "nothing to acknowledge"));
}

TEST_CASE("risk escalate: anyone may start the ladder, or alert a person or channel") {
  RiskFixture f;
  f.run(R"(risk add "x" -p dr-2027 -l 2 -i 2 --owner <@UDAVE>)");
  CHECK(contains(f.run("risk escalate R-1").reply.text, "Missing --reason"));
  auto out = f.run(R"(risk escalate R-1 --reason "vendor silent for a week")", "UBOB");
  INFO(out.reply.text);
  CHECK(contains(out.reply.text, "*R-1* escalated by <@UBOB>"));
  CHECK(contains(out.reply.text, "Reason: vendor silent for a week"));
  CHECK(only_post(out).to_user == "UDAVE");
  auto r = f.repos.find<itpm::storage::Risk>(1);
  CHECK(r->escalation_level == 1);
  CHECK(contains(r->escalation_reason, "vendor silent"));

  auto again = f.run(R"(risk escalate R-1 --reason "still silent")", "UBOB");
  CHECK(contains(again.reply.text, "already escalated (level 1"));
  CHECK(again.effects.empty());

  auto alert =
      f.run(R"(risk escalate R-1 --to <#CLEAD|leadership> --reason "still silent")", "UBOB");
  const auto& post = only_post(alert);
  CHECK(post.channel == "CLEAD");
  CHECK(contains(post.text, "<@UBOB> escalated R-1"));
  CHECK(contains(alert.reply.text, "Alerting <#CLEAD>; you will be told here if Slack refuses"));
  CHECK(contains(f.run("risk escalate R-1 --to nobody --reason x").reply.text,
                 "--to takes an @person or a #channel"));
}

TEST_CASE("risk close stops the ladder and cannot be repeated, show has the history") {
  RiskFixture f;
  f.run(R"(risk add "Primary DB failover untested" -p dr-2027 -l 5 -i 5 --owner <@UDAVE>)");
  auto closed = f.run(R"(risk close R-1 --note "drill passed")", "UDAVE");
  INFO(closed.reply.text);
  CHECK(contains(closed.reply.text, "*R-1* closed by <@UDAVE>"));
  CHECK(contains(closed.reply.text, "Escalation stopped."));
  CHECK(contains(closed.reply.text, "drill passed"));
  CHECK(f.repos.find<itpm::storage::Risk>(1)->status == itpm::storage::RiskStatus::closed);
  CHECK(contains(f.run("risk close R-1", "UDAVE").reply.text, "R-1 is closed since"));
  CHECK(contains(f.run("risk update R-1 --impact 1").reply.text, "R-1 is closed"));
  CHECK(contains(f.run("risk escalate R-1 --reason x").reply.text, "R-1 is closed"));

  auto shown = f.run("risk show R-1");
  CHECK(shown.reply.visibility == Visibility::ephemeral);
  CHECK(contains(shown.reply.text, "_closed_"));
  CHECK(contains(shown.reply.text, "*History* (2 changes)"));
  CHECK(contains(shown.reply.text, "<@UDAVE> · *close* — close_note none → drill passed"));
  CHECK(contains(shown.reply.text, "status open → closed"));
  CHECK(contains(f.run("risk show R-2").reply.text, "No risk R-2"));
}

TEST_CASE("risk heatmap counts open risks by likelihood and impact") {
  RiskFixture f;
  f.run(R"(risk add "a" -p dr-2027 -l 5 -i 4)");
  f.run(R"(risk add "b" -p dr-2027 -l 5 -i 4)");
  f.run(R"(risk add "c" -p dr-2027 -l 1 -i 1)");
  f.run(R"(risk add "d" -p ci-speed -l 3 -i 3)", "UERIN");
  f.run(R"(risk add "e" -p dr-2027 -l 2 -i 2)");
  f.run("risk close R-5");
  auto map = f.run("risk heatmap --program dr-2027");
  INFO(map.reply.text);
  CHECK(contains(map.reply.text, "dr-2027 · 3 open risks"));
  CHECK(contains(map.reply.text, "    5 │   ·   ·   ·   2   ·\n"));
  CHECK(contains(map.reply.text, "    1 │   1   ·   ·   ·   ·\n"));
  CHECK(contains(map.reply.text, "🔴 critical 2 · 🟠 high 0 · 🟡 medium 0 · 🟢 low 1"));
  CHECK(map.reply.blocks[2]["type"] == "context");
  CHECK(contains(f.run("risk heatmap").reply.text, "all programs · 4 open risks"));
}

TEST_CASE(
    "risk heatmap --image sends the grid as a picture to the DM or with --share the channel") {
  RiskFixture f;
  f.run(R"(risk add "a" -p dr-2027 -l 5 -i 4)");
  f.run(R"(risk add "b" -p ci-speed -l 1 -i 2)", "UERIN");
  auto mine = f.run("risk heatmap --program dr-2027 --image");
  INFO(mine.reply.text);
  // The reply is still the text version, for the caller alone, saying where the picture goes.
  CHECK(mine.reply.visibility == Visibility::ephemeral);
  CHECK(contains(mine.reply.text, "dr-2027 · 1 open risk"));
  CHECK(mine.reply.blocks.back()["elements"][0]["text"] ==
        "🖼️ The picture follows in our DM.");
  const PostMessage& post = only_post(mine);
  CHECK(post.to_user == "UALICE");
  CHECK(post.channel.empty());
  CHECK_FALSE(post.text_too);
  CHECK(post.fallback_response_url == "https://hooks.example/r");
  CHECK(contains(post.text, "    5 │   ·   ·   ·   1   ·\n"));  // the text stands in if refused
  REQUIRE(post.chart);
  CHECK(post.chart->title == "Risk heat map · dr-2027");
  CHECK(post.chart->file_stem == "risk-heatmap");
  CHECK(contains(post.chart->alt_text, "1 open risk (1 critical, 0 high, 0 medium, 0 low)"));
  const auto& grid = std::get<itpm::commands::HeatmapChart>(post.chart->data);
  CHECK(grid.counts[4][3] == 1);
  CHECK(grid.bands[4][3] == 3);  // 20: critical
  CHECK(grid.bands[0][1] == 0);  // 2: low

  auto shared = f.run("risk heatmap --image --share");
  CHECK(shared.reply.visibility == Visibility::ephemeral);
  CHECK(only_post(shared).channel == "CDEMO");
  CHECK(only_post(shared).to_user.empty());
  CHECK(contains(only_post(shared).chart->comment, "all programs · 2 open risks"));

  // Nothing to draw: said, and nothing sent.
  f.run("risk close R-1");
  f.run("risk close R-2", "UERIN");
  auto empty = f.run("risk heatmap --image");
  CHECK(contains(empty.reply.text, "the heat map is empty, so there is no picture to send."));
  CHECK(empty.effects.empty());
}

TEST_CASE("a post about a risk that Slack refused is in the risk's history, not as a change") {
  RiskFixture f;
  f.run(R"(risk add "Primary DB failover untested" -p dr-2027 -l 4 -i 5 --owner <@UDAVE|dave>)");
  Undelivered undelivered;
  undelivered.item = "R-1";
  undelivered.what = "escalation level 2";
  undelivered.where = "<#CPRIV>";
  undelivered.error = "not_in_channel";
  undelivered.told = "<@UDAVE> told by DM";
  undelivered.at_ms = millis(f.now);
  itpm::storage::Batch batch;
  record_undelivered(f.repos, batch, undelivered);
  REQUIRE(f.store->commit(std::move(batch)));
  auto shown = f.run("risk show R-1").reply.text;
  INFO(shown);
  CHECK(contains(shown, "*History* (2 changes)"));
  CHECK(contains(shown,
                 "itpm · *not delivered* — escalation level 2 not delivered to <#CPRIV>: "
                 "Slack answered `not_in_channel`; <@UDAVE> told by DM"));
  // The risk itself is as it was.
  CHECK(f.repos.find<itpm::storage::Risk>(1)->escalation_level == 1);
  // A post about no item leaves no trace.
  undelivered.item.clear();
  itpm::storage::Batch none;
  record_undelivered(f.repos, none, undelivered);
  CHECK(none.empty());
}

TEST_CASE("one band rule: critical starts at the configured threshold in every reply") {
  RiskFixture f;
  f.run("config set threshold 12", "UADMIN");
  auto added = f.run(R"(risk add "Quorum loss" --program dr-2027 -l 3 -i 4)");
  std::string said = added.reply.text;
  for (const auto& effect : added.effects) {
    if (const auto* post = std::get_if<PostMessage>(&effect)) said += "\n" + post->text;
  }
  INFO(said);
  CHECK(contains(said, "critical (score 12 = L3 × I4)"));  // and so on the ladder
  f.run(R"(risk add "Slow failover" --program dr-2027 -l 2 -i 5)");
  auto listed = f.run("risk list").reply.text;
  CHECK(contains(listed, "🔴 *R-1* 12 critical"));
  CHECK(contains(listed, "🟠 *R-2* 10 high"));
  CHECK(contains(f.run("risk heatmap").reply.text, "🔴 critical 1 · 🟠 high 1"));
  CHECK(contains(f.run("risk show R-1").reply.text, "🔴 *R-1*"));
}
