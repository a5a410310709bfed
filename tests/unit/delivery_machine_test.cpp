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
