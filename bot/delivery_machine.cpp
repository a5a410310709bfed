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

Machine::Machine(commands::PostMessage message, std::string key, bool maybe_sent,
                 std::size_t chart_bytes)
    : message_(std::move(message)),
      key_(std::move(key)),
      maybe_sent_(maybe_sent),
      channel_(message_.channel),
      chart_bytes_(message_.chart && message_.ephemeral_to.empty() ? chart_bytes : 0),
      text_first_(chart_bytes_ > 0 && message_.text_too) {}

std::string Machine::chart_file_name(const commands::Chart& chart, const std::string& key) {
  return chart.file_stem + (key.empty() ? "" : "-" + key) + ".png";
}

std::string Machine::chart_key(std::string_view file_name) {
  // Keys start with "k" (new_post_key); stems are words joined by dashes.
  auto dash = file_name.rfind("-k");
  if (dash == std::string_view::npos || !file_name.ends_with(".png")) return "";
  return std::string(file_name.substr(dash + 1, file_name.size() - dash - 5));
}

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
  return first_step();
}

Action Machine::found(const std::optional<std::string>& ts) {
  if (uploading_ && !file_id_.empty()) {
    // Looked for the picture after a lost answer: shared already, or the last step again.
    if (!ts) return complete_upload();
    uploading_ = false;
    if (!text_posted_) {
      result_ = ApiResult{};
      result_.ok = true;
      result_.body = {{"ts", *ts}};
    }
    return Done{Outcome::delivered, result_, channel_};
  }
  if (!ts) return first_step();
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

Action Machine::first_step() {
  if (chart_bytes_ > 0 && !text_first_ && chart_error_.empty()) return start_upload();
  return post();
}

Action Machine::start_upload() {
  uploading_ = true;
  file_id_.clear();
  return GetUploadUrl{chart_file_name(*message_.chart, key_), chart_bytes_,
                      message_.chart->alt_text};
}

Action Machine::upload_url(const ApiResult& result) {
  if (!result.ok) return upload_failed(result);
  std::string url = result.body.value("upload_url", "");
  pending_file_ = result.body.value("file_id", "");
  if (url.empty() || pending_file_.empty()) {
    return upload_failed(ApiResult{false, "invalid_response", {}, std::nullopt, ""});
  }
  return SendFile{std::move(url)};
}

Action Machine::uploaded(const ApiResult& result) {
  if (!result.ok) return upload_failed(result);
  file_id_ = pending_file_;
  return complete_upload();
}

Action Machine::complete_upload() {
  nlohmann::json body = {
      {"files", nlohmann::json::array({{{"id", file_id_}, {"title", message_.chart->title}}})},
      {"channel_id", channel_}};
  if (!message_.thread_ts.empty()) body["thread_ts"] = message_.thread_ts;
  if (!message_.chart->comment.empty()) body["initial_comment"] = message_.chart->comment;
  return CompleteUpload{std::move(body)};
}

Action Machine::completed(const ApiResult& result) {
  if (!result.ok) {
    // Slack may have shared it and its answer got lost (a rate limit says it did not).
    complete_unsure_ = transient(result) && result.error != "ratelimited";
    return upload_failed(result);
  }
  uploading_ = false;
  if (!text_posted_) result_ = result;
  return Done{Outcome::delivered, result_, channel_};
}

Action Machine::upload_failed(const ApiResult& result) {
  ++upload_attempt_;
  if (transient(result) && upload_attempt_ < chart_attempts) {
    return Wait{retry_pause(upload_attempt_, result)};
  }
  uploading_ = false;
  chart_error_ = result.error.empty() ? "unknown_error" : result.error;
  // The text went first: it stays, alone. Else it goes instead of the picture.
  if (text_posted_) return finish();
  return post();
}

Action Machine::posted(const ApiResult& result) {
  result_ = result;
  if (result.ok && text_first_ && !text_posted_) {
    text_posted_ = true;
    return start_upload();
  }
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
  if (uploading_) {
    if (file_id_.empty()) return start_upload();
    if (complete_unsure_ && !key_.empty()) return FindPosted{channel_, true, true};
    return complete_upload();
  }
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
  Done done{outcome, result_, channel_};
  done.chart_error = chart_error_;
  return done;
}

}  // namespace itpm::bot::delivery
