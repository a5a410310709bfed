// The survey area on a real store: sending a poll (who may, where it goes, the previous one
// closing), votes from button presses (one per person, changeable, audited without the
// score), the poll's message as chat.update renders it, and results.
#include "commands/areas/survey_commands.hpp"
#include "tests/support/command_fixture.hpp"

#include <catch2/catch.hpp>

using namespace itpm::commands;
using itpm::test::contains;

namespace {

struct SurveyFixture : itpm::test::CommandFixture {
  SurveyFixture() {
    // alice owns dr-2027 (its channel is CDEMO); carol sponsors it.
    run(R"(program add dr-2027 "Disaster Recovery 2027" --sponsor <@UCAROL|carol>)");
  }

  // A press of a poll button, committed as the dispatcher does.
  Outcome press(const std::string& user, const std::string& value) {
    Policy policy = effective_policy(Policy{}, repos.settings());
    Outcome out = vote(VotePress{user, value}, Context{now, {"UADMIN"}, repos, zone, policy});
    if (!out.writes.empty()) REQUIRE(store->commit(std::move(out.writes)));
    return out;
  }
};

const PostMessage& only_post(const Outcome& out) {
  REQUIRE(out.effects.size() == 1);
  return std::get<PostMessage>(out.effects.front());
}

}  // namespace

TEST_CASE("survey send posts a 1-5 poll with buttons in the program's channel") {
  SurveyFixture f;
  auto sent = f.run("survey send dr-2027");
  INFO(sent.reply.text);
  CHECK(sent.reply.visibility == Visibility::ephemeral);
  CHECK(contains(sent.reply.text, "📋 *S-1* posted in <#CDEMO> for *dr-2027*."));
  CHECK(contains(sent.reply.text, "`/itpm survey results dr-2027`"));
  const PostMessage& post = only_post(sent);
  CHECK(post.channel == "CDEMO");
  CHECK(post.after_post == itpm::commands::AfterPost{itpm::commands::AfterPost::Kind::survey, 1});
  CHECK(contains(post.text, "Satisfaction survey S-1"));
  CHECK(contains(post.text, "No votes yet · sent by <@UALICE>"));
  const nlohmann::json* actions = nullptr;
  for (const auto& block : post.blocks) {
    if (block["type"] == "actions") actions = &block;
  }
  REQUIRE(actions != nullptr);
  REQUIRE((*actions)["elements"].size() == 5);
  for (int score = 1; score <= 5; ++score) {
    const auto& button = (*actions)["elements"][score - 1];
    CHECK(button["type"] == "button");
    CHECK(button["text"]["text"] == std::to_string(score));
    CHECK(button["value"] == "S-1:" + std::to_string(score));
    CHECK(button["action_id"] == "itpm_vote_" + std::to_string(score));
  }
  auto stored = f.repos.find<itpm::storage::Survey>(1);
  REQUIRE(stored);
  CHECK(stored->status == itpm::storage::ProgramStatus::open);
  CHECK(stored->sent_by == "UALICE");
  CHECK(f.repos.audit("S-1").front().action == "send");

  // --channel sends it elsewhere; the sponsor may send too (S-1 closes: a refresh, then the post).
  auto elsewhere = f.run("survey send dr-2027 --channel <#CSTAKE|stakeholders>", "UCAROL");
  REQUIRE(elsewhere.effects.size() == 2);
  CHECK(std::get<PostMessage>(elsewhere.effects.back()).channel == "CSTAKE");
}

TEST_CASE("survey send: only the program's leads or an admin, unknown and closed programs") {
  SurveyFixture f;
  auto refused = f.run("survey send dr-2027", "UBOB");
  CHECK(contains(refused.reply.text,
                 "Only the program owner <@UALICE>, the sponsor <@UCAROL> or "
                 "an itpm admin can send dr-2027's survey. Nothing was saved."));
  CHECK(refused.effects.empty());
  CHECK(f.repos.all<itpm::storage::Survey>().empty());
  CHECK(contains(f.run("survey send dr-2072").reply.text, "Did you mean `dr-2027`?"));
  CHECK(contains(f.run("survey send dr-2027", "UADMIN").reply.text, "*S-1* posted"));
  f.run(R"(program close dr-2027 --note "done")");
  CHECK(contains(f.run("survey send dr-2027").reply.text, "closed"));
  CHECK(f.repos.all<itpm::storage::Survey>().size() == 1);
}

TEST_CASE("a vote per person: stored, changed by another press, repeated presses write nothing") {
  SurveyFixture f;
  f.run("survey send dr-2027");

  auto first = f.press("UBOB", "S-1:4");
  INFO(first.reply.text);
  CHECK(contains(first.reply.text, "your vote on S-1 is *4* (satisfied)"));
  REQUIRE(first.effects.size() == 1);
  CHECK(std::get<RefreshSurvey>(first.effects.front()).survey == 1);
  auto old_button = f.press("UDAVE", "Q-1:2");  // posted when surveys were Q-n
  CHECK(contains(old_button.reply.text, "your vote on S-1 is *2*"));
  auto changed = f.press("UBOB", "S-1:5");
  CHECK(contains(changed.reply.text, "Your vote on S-1 changed: 4 → *5* (very satisfied)."));
  auto again = f.press("UBOB", "S-1:5");
  CHECK(contains(again.reply.text, "already 5"));
  CHECK(again.effects.empty());

  auto votes = f.repos.votes(1);
  REQUIRE(votes.size() == 2);  // bob's changed vote replaced his first
  CHECK(f.repos.find<itpm::storage::Vote>(1, "UBOB")->score == 5);
  CHECK(f.repos.find<itpm::storage::Vote>(1, "UDAVE")->score == 2);
  Tally t = tally(votes);
  CHECK(t.n == 2);
  CHECK(t.mean == Approx(3.5));
  CHECK(t.counts == std::array<int, 5>{0, 1, 0, 0, 1});

  // The audit names who voted and when, never the score.
  auto audit = f.repos.audit("S-1");
  REQUIRE(audit.size() == 4);  // send, three votes
  CHECK(audit[1].by == "UBOB");
  CHECK(audit[1].after == nlohmann::json{{"voter", "UBOB"}, {"vote", "cast"}});
  CHECK(audit[3].after == nlohmann::json{{"voter", "UBOB"}, {"vote", "changed"}});
  CHECK(audit[3].after.dump().find('5') == std::string::npos);

  // The poll as chat.update renders it now.
  auto message = survey_message(f.repos, 1);
  REQUIRE(message);
  CHECK(message->channel == "CDEMO");
  CHECK(contains(message->text, "2 votes · mean 3.5 · 1: 0 · 2: 1 · 3: 0 · 4: 0 · 5: 1"));
}

TEST_CASE("presses that are not a vote on an open survey record nothing") {
  SurveyFixture f;
  f.run("survey send dr-2027");
  for (const std::string value : {"S-1:9", "S-1:0", "S-1:", "S-1:45", "junk", ":3", "S-x:3"}) {
    INFO(value);
    auto out = f.press("UBOB", value);
    CHECK(contains(out.reply.text, "not one of itpm's survey buttons; nothing was recorded"));
    CHECK(out.effects.empty());
  }
  CHECK(contains(f.press("UBOB", "S-7:3").reply.text, "Survey S-7 no longer exists"));
  CHECK(f.repos.votes(1).empty());

  // A newer survey closes the old poll: its buttons go, votes on it are refused.
  f.press("UBOB", "S-1:3");
  auto second = f.run("survey send dr-2027");
  CHECK(contains(second.reply.text, "Closed: S-1 (1 vote, mean 3.0)"));
  REQUIRE(second.effects.size() == 2);
  CHECK(std::get<RefreshSurvey>(second.effects.front()).survey == 1);
  auto old = survey_message(f.repos, 1);
  REQUIRE(old);
  CHECK(contains(old->text, "Closed Fri 2026-11-27 · 1 vote · mean 3.0"));
  CHECK(contains(old->text, "replaced by S-2"));
  for (const auto& block : old->blocks) CHECK(block["type"] != "actions");
  auto late = f.press("UDAVE", "S-1:5");
  CHECK(contains(late.reply.text, "S-1 is closed; your vote was not recorded. Vote in S-2"));
  CHECK(f.repos.votes(1).size() == 1);
}

TEST_CASE("survey results: mean, n and distribution of the newest poll, earlier ones by mean") {
  SurveyFixture f;
  CHECK(contains(f.run("survey results dr-2027").reply.text,
                 "No survey for dr-2027 yet.\nSend one: `/itpm survey send dr-2027`"));
  f.run("survey send dr-2027");
  f.press("UBOB", "S-1:4");
  f.press("UDAVE", "S-1:2");
  f.run("survey send dr-2027");
  for (const auto& [user, score] : std::vector<std::pair<std::string, int>>{
           {"UBOB", 5}, {"UDAVE", 4}, {"UERIN", 4}, {"UCAROL", 2}}) {
    f.press(user, "S-2:" + std::to_string(score));
  }
  auto shown = f.run("survey results dr-2027", "UBOB");
  INFO(shown.reply.text);
  CHECK(shown.reply.visibility == Visibility::ephemeral);
  CHECK(contains(shown.reply.text,
                 "📋 *S-2* · *dr-2027* “Disaster Recovery 2027” · sent Fri "
                 "2026-11-27 12:00 UTC by <@UALICE> · open"));
  CHECK(contains(shown.reply.text, "*Mean 3.8 / 5* (n=4)"));
  CHECK(contains(shown.reply.text, "5 very satisfied     1 ██████████\n"));
  CHECK(contains(shown.reply.text, "4 satisfied          2 ████████████████████\n"));
  CHECK(contains(shown.reply.text, "1 very unsatisfied   0 \n```"));
  CHECK(contains(shown.reply.text, "Earlier: S-1 3.0 (n=2, Fri 2026-11-27)"));
  CHECK(f.run("survey results dr-2027 --share").reply.visibility == Visibility::in_channel);
  CHECK(contains(f.run("survey results nope").reply.text, "No program \"nope\""));
}
