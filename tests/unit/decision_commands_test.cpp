// The decision area on a real store: add (posted in the channel), list, search ranking,
// show, and supersede chains with their errors.
#include "tests/support/command_fixture.hpp"

#include <catch2/catch.hpp>

using namespace itpm::commands;
using itpm::test::contains;

namespace {

struct DecisionFixture : itpm::test::CommandFixture {
  DecisionFixture() {
    run(R"(program add dr-2027 "Disaster Recovery 2027" --sponsor <@UCAROL|carol>)");
    run(R"(program add ci-speed "CI speed")", "UERIN");
  }
};

}  // namespace

TEST_CASE("decision add saves the decision and posts it in the channel as its reply") {
  DecisionFixture f;
  auto out = f.run(
      R"(decision add "Use Patroni for automated failover" --program dr-2027 --decided-by <@UCAROL|carol>, <@UALICE|alice> --context "Evaluated pg_auto_failover &amp; Stolon" --tags "Postgres, failover" --date 2026-11-30)",
      "UCAROL");
  // No separate reply: the post is the public record.
  CHECK(out.reply.text.empty());
  REQUIRE(out.effects.size() == 1);
  const auto& post = std::get<PostMessage>(out.effects.front());
  INFO(post.text);
  CHECK(post.channel == "CDEMO");
  CHECK(post.after_post == itpm::commands::AfterPost{itpm::commands::AfterPost::Kind::decision, 1});
  CHECK(contains(post.text, "*D-1* · dr-2027 · Use Patroni for automated failover"));
  CHECK(contains(post.text,
                 "decided by <@UCAROL>, <@UALICE> · Mon 2026-11-30 · recorded by <@UCAROL>"));
  CHECK(contains(post.text, "*Context:* Evaluated pg_auto_failover &amp; Stolon"));
  CHECK(contains(post.text, "Tags: postgres, failover"));
  auto d = f.repos.find<itpm::storage::Decision>(1);
  REQUIRE(d);
  CHECK(d->decided_by == std::vector<std::string>{"UCAROL", "UALICE"});
  CHECK(d->context == "Evaluated pg_auto_failover & Stolon");
  CHECK(d->date == "2026-11-30");
  CHECK(d->channel == "CDEMO");
  CHECK(f.repos.audit("D-1").size() == 1);
}

TEST_CASE("decision add refuses bad input and writes nothing") {
  DecisionFixture f;
  struct Row {
    std::string text;
    std::string message;
  };
  auto row = GENERATE(values<Row>({
      {R"(decision add "x")", "Missing --program"},
      {R"(decision add "x" --program nope)", "No program \"nope\""},
      {R"(decision add "x" --program dr-2027 --decided-by carol)", "--decided-by takes people"},
      {R"(decision add "x" --program dr-2027 --date soon)", "--date must be a date"},
      {R"(decision add "x" --program dr-2027 --tags a,b,c,d,e,f,g,h,i,j,k)", "at most 10 tags"},
      {"decision add \"x\" --program dr-2027 --context \"" + std::string(2001, 'c') + "\"",
       "The context is 2,001 characters long"},
  }));
  auto out = f.run(row.text);
  INFO(out.reply.text);
  CHECK(contains(out.reply.text, row.message));
  CHECK(contains(out.reply.text, "Nothing was saved"));
  CHECK(out.effects.empty());
  CHECK_FALSE(f.repos.find<itpm::storage::Decision>(1));
}

TEST_CASE("decision list: newest first, filtered, superseded ones marked, paged") {
  DecisionFixture f;
  f.run(R"(decision add "Failover within 60 s" -p dr-2027 --date 2026-09-14 --tags slo)");
  f.run(R"(decision add "Use Patroni" -p dr-2027 --date 2026-11-30 --decided-by <@UCAROL>)");
  f.run(R"(decision add "Cache Bazel outputs" -p ci-speed --date 2026-10-01)", "UERIN");
  f.run("decision supersede D-1 --by D-2");
  auto all = f.run("decision list");
  INFO(all.reply.text);
  CHECK(contains(all.reply.text, "*3 decisions*, newest first"));
  CHECK(all.reply.text.find("D-2") < all.reply.text.find("D-3"));
  CHECK(all.reply.text.find("D-3") < all.reply.text.find("D-1"));
  CHECK(contains(all.reply.text, "Failover within 60 s _(superseded by D-2)_"));
  CHECK(contains(f.run("decision list --program ci-speed").reply.text, "*1 decision*"));
  CHECK(contains(f.run("decision list --since 2026-10-01").reply.text, "*2 decisions*"));
  CHECK(contains(f.run("decision list --until 2026-10-01").reply.text, "*2 decisions*"));
  CHECK(contains(f.run("decision list --tag SLO").reply.text, "*1 decision*"));
  CHECK(contains(f.run("decision list --by <@UCAROL>").reply.text, "*1 decision*"));
  CHECK(contains(f.run("decision list --since 2026-12-01 --until 2026-11-01").reply.text,
                 "is before --since"));
  auto paged = f.run("decision list --limit 1").reply.text;
  CHECK(contains(paged, "… and 2 more."));
  CHECK(contains(f.run("decision list --program nope").reply.text, "No program"));
}

TEST_CASE("decision search ranks the decision about the words first") {
  DecisionFixture f;
  f.run(
      R"(decision add "Use Patroni for automated failover" -p dr-2027 --context "Patroni manages Postgres failover; evaluated Stolon")");
  f.run(
      R"(decision add "Quarterly DR drills" -p dr-2027 --context "Failover drills every quarter")");
  f.run(R"(decision add "Cache Bazel outputs remotely" -p ci-speed --context "Remote cache on S3")",
        "UERIN");
  f.run(R"(decision add "Freeze deploys during drills" -p dr-2027 --tags change-freeze)");
  auto hits = f.run("decision search failover patroni");
  INFO(hits.reply.text);
  CHECK(hits.reply.visibility == Visibility::ephemeral);
  CHECK(contains(hits.reply.text, "*2 decisions match* “failover patroni”"));
  CHECK(hits.reply.text.find("D-1") < hits.reply.text.find("D-2"));
  CHECK_FALSE(contains(hits.reply.text, "D-3"));
  CHECK(
      contains(f.run("decision search bazel --program dr-2027").reply.text, "No decisions match"));
  CHECK(contains(f.run("decision search bazel --program ci-speed").reply.text, "D-3"));
  CHECK(contains(f.run("decision search the of and").reply.text, "has no words to search for"));
  CHECK(contains(f.run("decision search").reply.text, "Missing <words ...>"));
}

TEST_CASE("decision supersede links both sides and refuses loops, repeats and strangers") {
  DecisionFixture f;
  f.run(R"(decision add "v1" -p dr-2027 --decided-by <@UBOB>)", "UDAVE");
  f.run(R"(decision add "v2" -p dr-2027)", "UDAVE");
  f.run(R"(decision add "v3" -p dr-2027)", "UDAVE");
  auto refused = f.run("decision supersede D-1 --by D-2", "UERIN");
  CHECK(contains(refused.reply.text, "Only whoever recorded or made D-1 (<@UDAVE>, <@UBOB>)"));
  CHECK(f.repos.find<itpm::storage::Decision>(1)->superseded_by == 0);

  auto ok = f.run("decision supersede D-1 --by D-2", "UBOB");
  INFO(ok.reply.text);
  CHECK(ok.reply.visibility == Visibility::in_channel);
  CHECK(contains(ok.reply.text, "*D-1* is superseded by *D-2*"));
  CHECK(f.repos.find<itpm::storage::Decision>(1)->superseded_by == 2);
  CHECK(f.repos.find<itpm::storage::Decision>(2)->supersedes == 1);
  CHECK(f.run("decision supersede D-2 --by D-3", "UDAVE").reply.visibility ==
        Visibility::in_channel);

  CHECK(contains(f.run("decision supersede D-1 --by D-3", "UDAVE").reply.text,
                 "D-1 is already superseded by D-2"));
  CHECK(contains(f.run("decision supersede D-3 --by D-3", "UDAVE").reply.text,
                 "cannot supersede itself"));
  CHECK(contains(f.run("decision supersede D-3 --by D-1", "UDAVE").reply.text,
                 "D-1 is older in the same chain: D-3 supersedes it."));
  f.run(R"(decision add "v4" -p dr-2027)", "UDAVE");
  CHECK(contains(f.run("decision supersede D-4 --by D-2", "UDAVE").reply.text,
                 "D-2 already supersedes D-1"));
  CHECK(contains(f.run("decision supersede D-4 --by D-9", "UDAVE").reply.text, "No decision D-9"));

  auto shown = f.run("decision show D-2");
  CHECK(contains(shown.reply.text, "Supersedes D-1."));
  CHECK(contains(shown.reply.text, "Superseded by D-3: v3"));
  CHECK(contains(shown.reply.text, "/itpm audit D-2"));
  CHECK(f.repos.audit("D-2").size() == 3);
  CHECK(f.repos.check().empty());
}
