// Charts in Slack (commands.md §7) by the real binary against the simulator: `--image` uploads
// a PNG in Slack's three steps (files.getUploadURLExternal, the bytes,
// files.completeUploadExternal) with alt text, to the caller's DM or with --share the channel;
// without files:write the text goes instead and the caller hears how to fix it.
#include "tests/support/bot_run.hpp"
#include "tests/support/command_fixture.hpp"
#include "tests/support/png_compare.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using itpm::sim::Snapshot;
using itpm::test::BotRun;
using itpm::test::contains;

namespace {

void seed(BotRun& bot) {
  REQUIRE(contains(bot.command(R"(program add dr-2027 "Disaster Recovery 2027")"), "dr-2027"));
  bot.command(R"(risk add "Primary DB failover untested" --program dr-2027 -l 4 -i 5)");
  bot.command(R"(risk add "Runbook stale" --program dr-2027 -l 2 -i 2)");
}

bool files_shared(itpm::sim::SlackSim& sim, std::size_t n) {
  return sim.wait_for([&](const Snapshot& s) { return s.files.size() >= n; }, 15s);
}

}  // namespace

TEST_CASE("risk heatmap --image uploads a PNG with alt text to the DM and with --share the channel",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  seed(bot);
  std::string ack = bot.command("risk heatmap --image");
  INFO(ack);
  CHECK(contains(ack, "all programs · 2 open risks"));
  REQUIRE(files_shared(*sim, 1));
  auto file = sim->snapshot().files[0];
  CHECK(file.channel[0] == 'D');  // the caller's DM
  CHECK(file.title == "Risk heat map · all programs");
  CHECK(file.name.starts_with("risk-heatmap-k"));
  CHECK(file.name.ends_with(".png"));
  CHECK(contains(file.alt_text, "2 open risks (1 critical, 0 high, 0 medium, 1 low)"));
  CHECK(contains(file.initial_comment, "*Risk heat map* · all programs"));
  // A real PNG of the heat map's size, with the critical cell (likelihood 4, impact 5) red.
  auto image = itpm::test::decode_png(file.bytes);
  REQUIRE(image);
  CHECK(image->width == 680);
  std::uint32_t critical = image->rgb(110 + 4 * 84 + 10, 60 + 1 * 84 + 10);
  CHECK((critical >> 16U) > 190);
  CHECK(((critical >> 8U) & 0xFFU) < 60);
  CHECK((critical & 0xFFU) < 60);
  // Nothing went as a text message: the picture was the post.
  Snapshot after = sim->snapshot();  // the calls point into it
  for (const auto* call : after.ok_calls("chat.postMessage")) {
    CHECK_FALSE(contains(call->args.value("text", ""), "Risk heat map"));
  }

  bot.command("risk heatmap --program dr-2027 --image --share");
  REQUIRE(files_shared(*sim, 2));
  Snapshot shared = sim->snapshot();
  // Where the command was typed (BotRun types in C0DEMO1).
  CHECK(shared.files[1].channel == "C0DEMO1");
  CHECK(shared.files[1].title == "Risk heat map · dr-2027");
  CHECK(shared.count_calls("file_upload") == 2);
}

TEST_CASE("kpi --image and kpi --trend --image upload their charts", "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  bot.command("kpi --image");
  bot.command("kpi --trend --image");
  REQUIRE(files_shared(*sim, 2));
  auto files = sim->snapshot().files;
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  CHECK(files[0].name.starts_with("kpi-k"));
  CHECK(files[1].name.starts_with("kpi-trend-k"));
  for (const auto& f : files) {
    auto image = itpm::test::decode_png(f.bytes);
    REQUIRE(image);
    CHECK(image->width > 600);
    CHECK_FALSE(f.alt_text.empty());
  }
}

TEST_CASE("without files:write the text goes instead and the caller hears how to fix it",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  sim->revoke_scope("files:write");
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  seed(bot);
  bot.command("risk heatmap --image");
  std::string told;
  REQUIRE(sim->wait_for(
      [&](const Snapshot& s) {
        for (const auto& call : s.calls) {
          if (call.method == "response_url" &&
              contains(call.args.value("text", ""), "picture was not posted")) {
            told = call.args.value("text", "");
            return true;
          }
        }
        return false;
      },
      15s));
  INFO(told);
  CHECK(contains(told, "The Slack app lacks the `files:write` scope"));
  CHECK(contains(told, "The text version went instead."));
  auto s = sim->snapshot();
  CHECK(s.files.empty());
  bool text_in_dm = false;
  for (const auto* call : s.ok_calls("chat.postMessage")) {
    if (call->args.value("channel", "")[0] == 'D' &&
        contains(call->args.value("text", ""), "*Risk heat map* · all programs"))
      text_in_dm = true;
  }
  CHECK(text_in_dm);
}

TEST_CASE("a picture whose sharing answer was lost is shared once", "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  seed(bot);
  // Slack shares the file, and the answer never comes back: the bot looks in the DM's history
  // before trying again, finds the picture by its file name, and stops there.
  sim->lose_answers("files.completeUploadExternal", 1);
  bot.command("risk heatmap --image");
  REQUIRE(files_shared(*sim, 1));
  bool looked = sim->wait_for(
      [](const Snapshot& s) { return s.count_calls("conversations.history") >= 1; }, 15s);
  INFO(bot.process().output());
  REQUIRE(looked);
  // Delivered by what it found: nothing more is sent (no second share, no text instead).
  REQUIRE(bot.process().wait_for_output("chart risk-heatmap of outbox row ", 15s));
  Snapshot s = sim->snapshot();
  CHECK(s.files.size() == 1);
  CHECK(s.count_calls("files.completeUploadExternal") == 1);
  for (const auto* call : s.ok_calls("chat.postMessage"))
    CHECK_FALSE(contains(call->args.value("text", ""), "Risk heat map"));
}
