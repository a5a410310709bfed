// The delivery machine step by step: for each way a post can go (a channel, a DM, an ephemeral
// reply; found in the history, refused, kept, sent plain, tried again), the exact actions it
// asks for. The same outcomes are covered end to end, against the simulator, by the refusal
// and crash tests.
#include "bot/delivery_machine.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>

using namespace itpm::bot::delivery;
using itpm::bot::ApiResult;
using nlohmann::json;

namespace {

ApiResult ok(json body = json::object()) {
  ApiResult r;
  r.ok = true;
  r.body = std::move(body);
  return r;
}

ApiResult failed(std::string error, std::optional<std::chrono::seconds> retry_after = {}) {
  ApiResult r;
  r.error = std::move(error);
  r.retry_after = retry_after;
  return r;
}

itpm::commands::PostMessage channel_post() {
  itpm::commands::PostMessage m;
  m.channel = "C1";
  m.text = "R-1 escalated";
  m.blocks = json::array({{{"type", "section"}}});
  return m;
}

json body(const std::string& channel, bool blocks, const std::string& key) {
  json b = {{"channel", channel}, {"text", "R-1 escalated"}, {"unfurl_links", false}};
  if (blocks) b["blocks"] = json::array({{{"type", "section"}}});
  if (!key.empty())
    b["metadata"] = {{"event_type", "itpm_post"}, {"event_payload", {{"key", key}}}};
  return b;
}

Done done(Outcome outcome, ApiResult result, std::string channel) {
  return Done{outcome, std::move(result), std::move(channel)};
}

}  // namespace

TEST_CASE("a channel post joins then posts with its key and is delivered") {
  Machine m(channel_post(), "k1", false);
  CHECK(m.start() == Action{Join{"C1"}});
  CHECK(m.joined() == Action{Post{body("C1", true, "k1"), false}});
  CHECK(m.posted(ok({{"ts", "1.2"}})) == Action{done(Outcome::delivered, ok(), "C1")});
}

TEST_CASE("a post to a person opens the DM first") {
  auto message = channel_post();
  message.channel.clear();
  message.to_user = "U1";
  Machine m(message, "", false);
  CHECK(m.start() == Action{OpenDm{"U1"}});
  CHECK(m.opened(ok({{"channel", {{"id", "D1"}}}})) == Action{Join{"D1"}});
  CHECK(m.joined() == Action{Post{body("D1", true, ""), false}});
  CHECK(m.posted(ok()) == Action{done(Outcome::delivered, ok(), "D1")});

  Machine refused(message, "", false);
  (void)refused.start();
  CHECK(refused.opened(failed("user_not_found")) ==
        Action{done(Outcome::refused, failed("user_not_found"), "")});

  Machine again(message, "", false);
  (void)again.start();
  CHECK(again.opened(failed("internal_error")) == Action{Wait{std::chrono::seconds(2)}});
  CHECK(again.waited() == Action{OpenDm{"U1"}});
}

TEST_CASE("a post that may have gone out is looked for first and not posted twice") {
  Machine found(channel_post(), "k1", true);
  CHECK(found.start() == Action{Join{"C1"}});
  CHECK(found.joined() == Action{FindPosted{"C1", false}});
  CHECK(found.found(std::string("1.2")) == Action{done(Outcome::already_posted, ok(), "C1")});

  Machine missing(channel_post(), "k1", true);
  (void)missing.start();
  (void)missing.joined();
  CHECK(missing.found(std::nullopt) == Action{Post{body("C1", true, "k1"), false}});

  // Without a key there is nothing to look for.
  Machine keyless(channel_post(), "", true);
  (void)keyless.start();
  CHECK(keyless.joined() == Action{Post{body("C1", true, ""), false}});
}

TEST_CASE("a form Slack refuses goes again at once as plain text and then is refused") {
  Machine m(channel_post(), "k1", false);
  (void)m.start();
  (void)m.joined();
  CHECK(m.posted(failed("invalid_blocks")) == Action{Join{"C1"}});
  CHECK(m.joined() == Action{Post{body("C1", false, "k1"), false}});
  CHECK(m.posted(failed("invalid_blocks")) ==
        Action{done(Outcome::refused, failed("invalid_blocks"), "C1")});

  // Refused metadata: the plain form goes without it.
  Machine metadata(channel_post(), "k1", false);
  (void)metadata.start();
  (void)metadata.joined();
  (void)metadata.posted(failed("invalid_metadata_format"));
  CHECK(metadata.joined() == Action{Post{body("C1", false, ""), false}});
}

TEST_CASE(
    "a post Slack did not answer waits and is looked for afresh but a rate-limited one is not") {
  Machine m(channel_post(), "k1", false);
  (void)m.start();
  (void)m.joined();
  CHECK(m.posted(failed("network_error")) == Action{Wait{std::chrono::seconds(2)}});
  CHECK(m.waited() == Action{Join{"C1"}});
  CHECK(m.joined() == Action{FindPosted{"C1", true}});
  CHECK(m.found(std::nullopt) == Action{Post{body("C1", true, "k1"), false}});
  // Slack says when to come back, and that it did not post.
  CHECK(m.posted(failed("ratelimited", std::chrono::seconds(30))) ==
        Action{Wait{std::chrono::seconds(30)}});
  CHECK(m.waited() == Action{Join{"C1"}});
  CHECK(m.joined() == Action{Post{body("C1", true, "k1"), false}});
  CHECK(m.posted(failed("not_in_channel")) ==
        Action{done(Outcome::refused, failed("not_in_channel"), "C1")});
}

TEST_CASE("an ephemeral reply carries no key is never looked for and is tried again") {
  auto message = channel_post();
  message.ephemeral_to = "U2";
  Machine m(message, "k1", true);
  json ephemeral = body("C1", true, "");
  ephemeral["user"] = "U2";
  CHECK(m.start() == Action{Join{"C1"}});
  CHECK(m.joined() == Action{Post{ephemeral, true}});
  CHECK(m.posted(failed("internal_error")) == Action{Wait{std::chrono::seconds(2)}});
  CHECK(m.waited() == Action{Join{"C1"}});
  CHECK(m.joined() == Action{Post{ephemeral, true}});
  CHECK(m.posted(failed("internal_error")) == Action{Wait{std::chrono::seconds(4)}});
}

TEST_CASE("a refused token keeps the post and a post with nowhere to go is refused") {
  Machine m(channel_post(), "k1", false);
  (void)m.start();
  (void)m.joined();
  CHECK(m.posted(failed("invalid_auth")) ==
        Action{done(Outcome::keep, failed("invalid_auth"), "C1")});

  auto nowhere = channel_post();
  nowhere.channel.clear();
  Machine lost(nowhere, "", false);
  CHECK(lost.start() == Action{done(Outcome::refused, ApiResult{}, "")});
}

TEST_CASE("tries back off from 2 s to 5 minutes and a rate limit waits as asked") {
  ApiResult error = failed("internal_error");
  CHECK(retry_pause(1, error) == std::chrono::seconds(2));
  CHECK(retry_pause(2, error) == std::chrono::seconds(4));
  CHECK(retry_pause(8, error) == std::chrono::seconds(256));
  CHECK(retry_pause(9, error) == std::chrono::seconds(300));
  CHECK(retry_pause(40, error) == std::chrono::seconds(300));
  CHECK(retry_pause(1, failed("ratelimited", std::chrono::seconds(0))) == std::chrono::seconds(1));
  CHECK(retry_pause(5, failed("ratelimited", std::chrono::seconds(90))) ==
        std::chrono::seconds(90));
}

TEST_CASE("a DM the bot sends of its own accord keeps its person's working hours") {
  auto dm = channel_post();
  dm.channel.clear();
  dm.to_user = "U1";
  dm.working_hours = true;
  SECTION("outside them it is held, and nothing is called") {
    Machine m(dm, "k1", false);
    CHECK(m.start() == Action{CheckHours{"U1"}});
    CHECK(m.hours(1'796'040'000'000) ==
          Action{Done{Outcome::held, ApiResult{}, "", 1'796'040'000'000}});
  }
  SECTION("within them it goes the usual way, checked once even when tried again") {
    Machine m(dm, "k1", false);
    CHECK(m.start() == Action{CheckHours{"U1"}});
    CHECK(m.hours(std::nullopt) == Action{OpenDm{"U1"}});
    CHECK(m.opened(failed("ratelimited", std::chrono::seconds(3))) ==
          Action{Wait{std::chrono::seconds(3)}});
    CHECK(m.waited() == Action{OpenDm{"U1"}});
    CHECK(m.opened(ok({{"channel", {{"id", "D1"}}}})) == Action{Join{"D1"}});
  }
  SECTION("a reply to someone is not held") {
    dm.working_hours = false;
    Machine m(dm, "k1", false);
    CHECK(m.start() == Action{OpenDm{"U1"}});
  }
}

namespace {

itpm::commands::PostMessage chart_post(bool text_too) {
  auto m = channel_post();
  itpm::commands::HeatmapChart grid;
  grid.counts[4][4] = 1;
  m.chart = itpm::commands::Chart{"Risk heat map · PLAT", "one critical risk", "🌡️ heat map",
                                  "risk-heatmap", grid};
  m.text_too = text_too;
  return m;
}

const GetUploadUrl get_url{"risk-heatmap-k1.png", 1234, "one critical risk"};

ApiResult url_given() {
  return ok({{"upload_url", "https://files.slack.com/upload/v1/F1"}, {"file_id", "F1"}});
}

CompleteUpload complete(const std::string& channel) {
  return CompleteUpload{
      {{"files", json::array({{{"id", "F1"}, {"title", "Risk heat map · PLAT"}}})},
       {"channel_id", channel},
       {"initial_comment", "🌡️ heat map"}}};
}

Done done_with_chart_error(Outcome outcome, ApiResult result, std::string channel,
                           std::string chart_error) {
  Done d{outcome, std::move(result), std::move(channel)};
  d.chart_error = std::move(chart_error);
  return d;
}

}  // namespace

TEST_CASE("a chart is uploaded in three steps and is the post") {
  Machine m(chart_post(false), "k1", false, 1234);
  CHECK(m.start() == Action{Join{"C1"}});
  CHECK(m.joined() == Action{get_url});
  CHECK(m.upload_url(url_given()) == Action{SendFile{"https://files.slack.com/upload/v1/F1"}});
  CHECK(m.uploaded(ok()) == Action{complete("C1")});
  CHECK(m.completed(ok()) == Action{done(Outcome::delivered, ok(), "C1")});
  CHECK(Machine::chart_file_name(*chart_post(false).chart, "") == "risk-heatmap.png");
}

TEST_CASE("a chart with text_too follows its text and a refusal leaves the text alone") {
  Machine m(chart_post(true), "k1", false, 1234);
  (void)m.start();
  CHECK(m.joined() == Action{Post{body("C1", true, "k1"), false}});
  CHECK(m.posted(ok({{"ts", "1.2"}})) == Action{get_url});
  CHECK(m.upload_url(url_given()) == Action{SendFile{"https://files.slack.com/upload/v1/F1"}});
  CHECK(m.uploaded(ok()) == Action{complete("C1")});
  CHECK(m.completed(failed("not_in_channel")) ==
        Action{done_with_chart_error(Outcome::delivered, ok(), "C1", "not_in_channel")});
}

TEST_CASE("a refused chart upload is replaced by its text") {
  Machine m(chart_post(false), "k1", false, 1234);
  (void)m.start();
  (void)m.joined();
  CHECK(m.upload_url(failed("missing_scope")) == Action{Post{body("C1", true, "k1"), false}});
  CHECK(m.posted(ok()) ==
        Action{done_with_chart_error(Outcome::delivered, ok(), "C1", "missing_scope")});

  // When the text is refused too, the post is refused (and reported once, for the text).
  Machine both(chart_post(false), "k1", false, 1234);
  (void)both.start();
  (void)both.joined();
  (void)both.upload_url(failed("file_uploads_disabled"));
  CHECK(both.posted(failed("is_archived")) ==
        Action{done_with_chart_error(Outcome::refused, failed("is_archived"), "C1",
                                     "file_uploads_disabled")});
}

TEST_CASE("a failed upload step is tried again and then the text stands for the picture") {
  Machine m(chart_post(false), "k1", false, 1234);
  (void)m.start();
  (void)m.joined();
  // Before the bytes are up, a try starts over with a new URL.
  CHECK(m.upload_url(url_given()) == Action{SendFile{"https://files.slack.com/upload/v1/F1"}});
  CHECK(m.uploaded(failed("http_503")) == Action{Wait{std::chrono::seconds(2)}});
  CHECK(m.waited() == Action{get_url});
  CHECK(m.upload_url(url_given()) == Action{SendFile{"https://files.slack.com/upload/v1/F1"}});
  CHECK(m.uploaded(ok()) == Action{complete("C1")});
  // Once they are up, only the last step goes again (after looking: it may have worked).
  CHECK(m.completed(failed("internal_error")) == Action{Wait{std::chrono::seconds(4)}});
  CHECK(m.waited() == Action{FindPosted{"C1", true, true}});
  CHECK(m.found(std::nullopt) == Action{complete("C1")});
  CHECK(m.completed(failed("internal_error")) == Action{Wait{std::chrono::seconds(8)}});
  CHECK(m.waited() == Action{FindPosted{"C1", true, true}});
  CHECK(m.found(std::nullopt) == Action{complete("C1")});
  // The fourth failure: the text goes instead.
  CHECK(m.completed(failed("internal_error")) == Action{Post{body("C1", true, "k1"), false}});
  CHECK(m.posted(ok()) ==
        Action{done_with_chart_error(Outcome::delivered, ok(), "C1", "internal_error")});
}

TEST_CASE("a chart that could not be drawn or an ephemeral post sends only the text") {
  Machine undrawn(chart_post(false), "k1", false, 0);
  (void)undrawn.start();
  CHECK(undrawn.joined() == Action{Post{body("C1", true, "k1"), false}});
  CHECK(undrawn.posted(ok()) == Action{done(Outcome::delivered, ok(), "C1")});

  auto ephemeral = chart_post(false);
  ephemeral.ephemeral_to = "U1";
  Machine alone(ephemeral, "k1", false, 1234);
  CHECK(alone.start() == Action{Join{"C1"}});
  auto post = alone.joined();
  REQUIRE(std::holds_alternative<Post>(post));
  CHECK(std::get<Post>(post).ephemeral);
}

TEST_CASE("a chart that may have gone out is looked for first") {
  Machine m(chart_post(false), "k1", true, 1234);
  (void)m.start();
  CHECK(m.joined() == Action{FindPosted{"C1", false}});
  CHECK(m.found(std::string("1.2")) == Action{done(Outcome::already_posted, ok(), "C1")});
  Machine fresh(chart_post(false), "k1", true, 1234);
  (void)fresh.start();
  (void)fresh.joined();
  CHECK(fresh.found(std::nullopt) == Action{get_url});
}

TEST_CASE("a lost answer to sharing the picture is looked for before sharing it again") {
  Machine m(chart_post(false), "k1", false, 1234);
  (void)m.start();
  (void)m.joined();
  (void)m.upload_url(url_given());
  (void)m.uploaded(ok());
  CHECK(m.completed(failed("network_error")) == Action{Wait{std::chrono::seconds(2)}});
  CHECK(m.waited() == Action{FindPosted{"C1", true, true}});
  CHECK(m.found(std::nullopt) == Action{complete("C1")});
  CHECK(m.completed(failed("network_error")) == Action{Wait{std::chrono::seconds(4)}});
  CHECK(m.waited() == Action{FindPosted{"C1", true, true}});
  CHECK(m.found(std::string("1.5")) == Action{done(Outcome::delivered, ok(), "C1")});
  // A rate limit says it was not shared: the last step again, without looking.
  Machine limited(chart_post(false), "k1", false, 1234);
  (void)limited.start();
  (void)limited.joined();
  (void)limited.upload_url(url_given());
  (void)limited.uploaded(ok());
  CHECK(limited.completed(failed("ratelimited", std::chrono::seconds(3))) ==
        Action{Wait{std::chrono::seconds(3)}});
  CHECK(limited.waited() == Action{complete("C1")});
}
