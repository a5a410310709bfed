#include "bot/delivery_machine.hpp"

#include "bot/slack/api_errors.hpp"

#include <algorithm>
#include <utility>

namespace itpm::bot::delivery {
namespace {

bool transient(const ApiResult& result) {
  return !result.ok && classify_api_error(result.error) == ApiErrorKind::transient;
}

bool malformed(const ApiResult& result) {
  return !result.ok && classify_api_error(result.error) == ApiErrorKind::malformed;
}

}  // namespace

std::chrono::seconds retry_pause(int attempt, const ApiResult& last) {
  // A rate limit says when to come back: then, not later (it is no sign of trouble).
  if (last.retry_after) return std::max(*last.retry_after, std::chrono::seconds(1));
  return std::chrono::seconds(std::min(300, 1 << std::min(attempt, 9)));
}

Machine::Machine(commands::PostMessage message, std::string key, bool maybe_sent)
    : message_(std::move(message)),
      key_(std::move(key)),
      maybe_sent_(maybe_sent),
      channel_(message_.channel) {}

Action Machine::start() {
  if (message_.working_hours && !message_.to_user.empty() && !hours_checked_)
    return CheckHours{message_.to_user};
  if (channel_.empty() && !message_.to_user.empty()) return OpenDm{message_.to_user};
  return from_channel();
}

Action Machine::hours(std::optional<std::int64_t> held_until) {
  hours_checked_ = true;
  if (held_until) {
    Done done{Outcome::held, ApiResult{}, "", *held_until};
    return done;
  }
  return start();
}

Action Machine::opened(const ApiResult& result) {
  result_ = result;
  channel_ = result.ok
                 ? result.body.value(nlohmann::json::json_pointer("/channel/id"), std::string())
                 : std::string();
  if (!channel_.empty()) return from_channel();
  return transient(result) ? try_again() : finish();
}

Action Machine::from_channel() {
  if (channel_.empty()) return finish();
  return Join{channel_};
}

Action Machine::joined() {
  // An ephemeral post leaves no history to look in.
  if (maybe_sent_ && !key_.empty() && message_.ephemeral_to.empty())
    return FindPosted{channel_, fresh_history_};
  return post();
}

Action Machine::found(const std::optional<std::string>& ts) {
  if (!ts) return post();
  result_ = ApiResult{};
  result_.ok = true;
  result_.body = {{"ts", *ts}};
  return Done{Outcome::already_posted, result_, channel_};
}

Action Machine::post() {
  nlohmann::json body = {{"channel", channel_}, {"text", message_.text}, {"unfurl_links", false}};
  if (!message_.blocks.empty() && !plain_) body["blocks"] = message_.blocks;
  if (!message_.thread_ts.empty()) body["thread_ts"] = message_.thread_ts;
  if (!message_.ephemeral_to.empty()) {
    // Nobody else sees it and Slack keeps no history of it: sent without a key.
    body["user"] = message_.ephemeral_to;
    return Post{std::move(body), true};
  }
  if (!key_.empty() && !(plain_ && result_.error.starts_with("invalid_metadata")))
    body["metadata"] = {{"event_type", "itpm_post"}, {"event_payload", {{"key", key_}}}};
  return Post{std::move(body), false};
}

Action Machine::posted(const ApiResult& result) {
  result_ = result;
  if (!message_.ephemeral_to.empty()) return transient(result) ? try_again() : finish();
  if (!plain_ && malformed(result)) {
    // Slack refused the message's form, not its content: the same content as plain text.
    plain_ = true;
    return try_again();
  }
  if (!transient(result)) return finish();
  // Slack may have posted it and its answer got lost: look before the next try (a rate limit
  // says it did not).
  maybe_sent_ = result.error != "ratelimited";
  fresh_history_ = true;
  return try_again();
}

Action Machine::waited() {
  return start();
}

Action Machine::try_again() {
  ++attempt_;
  // The plain form goes at once; anything else after a pause.
  if (plain_ && malformed(result_)) return start();
  return Wait{retry_pause(attempt_, result_)};
}

Action Machine::finish() {
  Outcome outcome = result_.ok                                                ? Outcome::delivered
                    : classify_api_error(result_.error) == ApiErrorKind::auth ? Outcome::keep
                                                                              : Outcome::refused;
  return Done{outcome, result_, channel_};
}

}  // namespace itpm::bot::delivery
