// The review and status areas on a real store: scheduling (specs, zones, reminders,
// duplicates), listing, cancelling and skipping with permissions, `review now`, and status
// updates. Firing is in scheduler_test.cpp.
#include "tests/support/command_fixture.hpp"

#include <catch2/catch.hpp>

using namespace itpm::commands;
using itpm::test::contains;

namespace {

struct ReviewFixture : itpm::test::CommandFixture {
  ReviewFixture() {
    // alice owns dr-2027, carol sponsors it.
    run(R"(program add dr-2027 "Disaster Recovery 2027" --sponsor <@UCAROL|carol>)");
  }
  std::size_t jobs() {
    std::size_t n = 0;
    store->scan(itpm::storage::Family::schedule, "", [&](std::string_view, std::string_view) {
      ++n;
      return true;
    });
    return n;
  }
};

}  // namespace

TEST_CASE("review schedule stores a cadence with its jobs and says when the next review is") {
  ReviewFixture f;
  auto out = f.run(
      R"(review schedule dr-2027 --every "2w thu 10:00" --tz Europe/Amsterdam --remind 1d,10m)");
  INFO(out.reply.text);
  CHECK(out.reply.visibility == Visibility::in_channel);
  CHECK(contains(out.reply.text,
                 "*V-1* review cadence for *dr-2027*: every other Thu at 10:00 "
                 "(Europe/Amsterdam), in <#CDEMO>"));
  CHECK(contains(out.reply.text,
                 "Next review Thu 2026-12-03 10:00 Europe/Amsterdam · agenda posted 1 day, 10 "
                 "minutes before"));
  CHECK(contains(out.reply.text, "`/itpm review skip V-1 --date DATE`"));
  auto review = f.repos.find<itpm::storage::Review>(1);
  REQUIRE(review);
  CHECK(review->every == "2w thu 10:00");
  CHECK(review->remind == std::vector<int>{1440, 10});
  CHECK(f.jobs() == 3);  // two reminders and the occurrence
  CHECK(f.repos.audit("V-1").size() == 1);
}

TEST_CASE("review schedule in the caller's zone, in another channel, too close for a reminder") {
  ReviewFixture f;
  f.zone = "America/Los_Angeles";
  // 12:00 UTC is 04:00 in Los Angeles: a 04:30 review today leaves no room for 1 h.
  auto out = f.run(R"(review schedule dr-2027 --every "fri 04:30" --channel <#COPS|ops>)");
  INFO(out.reply.text);
  CHECK(contains(out.reply.text, "(America/Los_Angeles), in <#COPS>"));
  CHECK(contains(out.reply.text, "Next review Fri 2026-11-27 04:30 America/Los_Angeles"));
  CHECK(contains(out.reply.text,
                 "too close for its reminder; post its agenda with "
                 "`/itpm review now dr-2027`"));
  CHECK(f.jobs() == 1);  // the occurrence only
}

TEST_CASE("review schedule refuses bad specs, zones, reminders and duplicates, saving nothing") {
  ReviewFixture f;
  auto bad_spec = f.run(R"(review schedule dr-2027 --every "tuesday at 3")");
  CHECK(contains(bad_spec.reply.text, "Nothing was saved"));
  CHECK(contains(bad_spec.reply.text, "mon 15:00"));
  CHECK(
      contains(f.run(R"(review schedule dr-2027 --every "tue 15:00" --tz Mars/Olympus)").reply.text,
               "Unknown time zone \"Mars/Olympus\""));
  CHECK(contains(f.run(R"(review schedule dr-2027 --every "tue 15:00" --remind 2w)").reply.text,
                 "--remind takes times before the review like 1h, 30m or 1d, up to 7d"));
  CHECK(contains(
      f.run(R"(review schedule dr-2027 --every "tue 15:00" --remind 1h,2h,3h,4h)").reply.text,
      "at most three"));
  CHECK(contains(f.run(R"(review schedule nope --every "tue 15:00")").reply.text,
                 "No program \"nope\""));
  CHECK(f.repos.all<itpm::storage::Review>().empty());
  CHECK(f.jobs() == 0);
  f.run(R"(review schedule dr-2027 --every "tue 15:00")");
  auto twice = f.run(R"(review schedule dr-2027 --every "TUE 15:00")");
  CHECK(contains(twice.reply.text, "dr-2027 already has that review: V-1"));
  CHECK(f.repos.all<itpm::storage::Review>().size() == 1);
}

TEST_CASE("review list shows active cadences with their next occurrence") {
  ReviewFixture f;
  f.run(R"(program add ci-speed "CI speed")", "UERIN");
  f.run(R"(review schedule dr-2027 --every "tue 15:00")");
  f.run(R"(review schedule ci-speed --every "monthly last fri 16:00")", "UERIN");
  f.run("review cancel V-2", "UERIN");
  auto all = f.run("review list");
  INFO(all.reply.text);
  CHECK(all.reply.visibility == Visibility::ephemeral);
  CHECK(contains(all.reply.text, "*1 review cadence*"));
  CHECK(contains(all.reply.text,
                 "*V-1* dr-2027 · every Tue at 15:00 (UTC) · <#CDEMO> · next Tue 2026-12-01 "
                 "15:00 UTC"));
  CHECK_FALSE(contains(all.reply.text, "V-2"));
  CHECK(contains(f.run("review list --program ci-speed").reply.text,
                 "No review cadences for "
                 "ci-speed"));
}

TEST_CASE("review cancel and skip need the scheduler, the program's leads or an admin") {
  ReviewFixture f;
  f.run(R"(review schedule dr-2027 --every "tue 15:00")", "UBOB");
  auto refused = f.run("review cancel V-1", "UERIN");
  CHECK(contains(refused.reply.text,
                 "Only <@UBOB> (who scheduled it), the program owner <@UALICE>, the sponsor "
                 "<@UCAROL> or an itpm admin can cancel V-1."));
  CHECK(f.repos.find<itpm::storage::Review>(1)->status == itpm::storage::ReviewStatus::active);
  CHECK(contains(f.run("review skip V-1", "UERIN").reply.text, "can change V-1"));
  CHECK(contains(f.run("review cancel V-9").reply.text, "No review cadence V-9"));
  CHECK(contains(f.run("review cancel X-1").reply.text, "not a review cadence id"));
  auto cancelled = f.run("review cancel V-1", "UCAROL");
  CHECK(contains(cancelled.reply.text, "*V-1* cancelled by <@UCAROL>"));
  CHECK(f.repos.find<itpm::storage::Review>(1)->status == itpm::storage::ReviewStatus::cancelled);
  CHECK(contains(f.run("review cancel V-1", "UADMIN").reply.text, "V-1 is cancelled."));
}

TEST_CASE("review skip takes only dates that hold an upcoming review") {
  ReviewFixture f;
  f.run(R"(review schedule dr-2027 --every "tue 15:00")");
  auto wrong_day = f.run("review skip V-1 --date 2026-12-02");
  INFO(wrong_day.reply.text);
  CHECK(contains(wrong_day.reply.text,
                 "V-1 has no review on Wed 2026-12-02 (it meets every Tue at 15:00 (UTC)). Next "
                 "ones: Tue 2026-12-08 15:00 UTC"));
  CHECK(contains(f.run("review skip V-1 --date 2026-11-24").reply.text, "is in the past"));
  CHECK(contains(f.run("review skip V-1 --date 2028-01-04").reply.text, "at most a year ahead"));
  // Skipping a later date keeps the next occurrence and its jobs.
  auto later = f.run("review skip V-1 --date 2026-12-15");
  CHECK(contains(later.reply.text, "Next review Tue 2026-12-01 15:00 UTC"));
  CHECK(contains(f.run("review skip V-1 --date 2026-12-15").reply.text, "already skips"));
  CHECK(f.repos.find<itpm::storage::Review>(1)->skipped == std::vector<std::string>{"2026-12-15"});
  CHECK(contains(f.run("review list").reply.text, "skipping 2026-12-15"));
}

TEST_CASE("review now posts the agenda in the program channel") {
  ReviewFixture f;
  f.run(R"(status dr-2027 green "On track")");
  auto here = f.run("review now dr-2027", "UBOB");
  CHECK(here.reply.text.empty());  // the post in this channel is the answer
  REQUIRE(here.effects.size() == 1);
  const auto& post = std::get<PostMessage>(here.effects.front());
  CHECK(post.channel == "CDEMO");
  CHECK(contains(post.text, "🗓 *dr-2027* review agenda (asked for by <@UBOB>)"));
  CHECK(contains(post.text, "*Status:* 🟢 green — “On track” (<@UALICE>, just now)"));
  CHECK(contains(post.text, "*Risks:* none open"));
  CHECK(contains(post.text, "*Decisions since Fri 2026-11-13:* none"));

  f.run(R"(review schedule dr-2027 --every "tue 15:00" --channel <#COPS|ops>)");
  auto elsewhere = f.run("review now dr-2027");
  CHECK(contains(elsewhere.reply.text, "Posting the dr-2027 agenda in <#COPS>."));
  CHECK(std::get<PostMessage>(elsewhere.effects.front()).channel == "COPS");
  CHECK(contains(f.run("review now nope").reply.text, "No program \"nope\""));
}

TEST_CASE("status records updates and shows the latest ones") {
  ReviewFixture f;
  f.run(R"(program add ci-speed "CI speed")", "UERIN");
  auto first = f.run(R"(review record dr-2027 --status amber "Failover drill slipped a week")");
  INFO(first.reply.text);
  CHECK(first.reply.visibility == Visibility::in_channel);
  CHECK(
      contains(first.reply.text,
               "🟠 *dr-2027* status amber — “Failover drill slipped a week” (<@UALICE>)"));
  CHECK(contains(first.reply.text, "First status update for dr-2027."));
  f.now += std::chrono::hours(49);
  auto second = f.run(R"(status dr-2027 green "Drill passed")", "UBOB");
  CHECK(contains(second.reply.text, "Was amber since Fri 2026-11-27 12:00 UTC."));

  auto all = f.run("status");
  INFO(all.reply.text);
  CHECK(contains(all.reply.text, "*Status of 2 open programs*"));
  CHECK(contains(all.reply.text, "⚪ *ci-speed* no status yet"));
  CHECK(
      contains(all.reply.text, "🟢 *dr-2027* green — “Drill passed” (<@UBOB>, just now)"));
  auto one = f.run("status dr-2027");
  CHECK(contains(one.reply.text, "before: amber — “Failover drill slipped a week”"));
  CHECK(f.repos.status_updates("dr-2027", 10).size() == 2);
  CHECK(f.repos.audit("dr-2027").back().action == "status");

  CHECK(contains(f.run("status dr-2027 red").reply.text, "the summary is empty"));
  CHECK(contains(f.run(R"(status dr-2027 "All good")").reply.text,
                 "Say how it stands: `/itpm status dr-2027 green|amber|red \"All good\"`"));
  CHECK(contains(f.run("status nope green \"x\"").reply.text, "No program \"nope\""));
  CHECK(f.repos.status_updates("dr-2027", 10).size() == 2);
}
