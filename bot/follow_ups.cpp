#include "bot/follow_ups.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace itpm::bot {

namespace net = boost::asio;

bool transient_api_error(const std::string& error) {
  return error == "network_error" || error == "ratelimited" || error == "invalid_response" ||
         error.starts_with("http_") || error == "internal_error" || error == "fatal_error" ||
         error == "service_unavailable" || error == "request_timeout";
}

FollowUps::FollowUps(net::any_io_executor executor, WebApiClient& api, Metrics& metrics,
                     storage::Repositories* repos)
    : executor_(std::move(executor)),
      api_(api),
      metrics_(metrics),
      repos_(repos),
      idle_(executor_) {}

void FollowUps::post(QueuedPost post) {
  started();
  net::co_spawn(executor_, send_post(this, std::move(post)), net::detached);
}

void FollowUps::respond(std::string url, nlohmann::json body) {
  started();
  net::co_spawn(executor_, send_response(this, std::move(url), std::move(body)), net::detached);
}

std::size_t FollowUps::resume() {
  if (repos_ == nullptr) return 0;
  auto entries = repos_->outbox(10000);
  for (auto& entry : entries) {
    if (!entry.message.is_object()) {
      spdlog::warn("outbox row {} is not a message; dropped", entry.seq);
      dequeue(entry.seq);
      continue;
    }
    post(QueuedPost{entry.seq, commands::from_outbox(entry.message)});
  }
  return entries.size();
}

net::awaitable<int> FollowUps::drain(std::chrono::steady_clock::time_point deadline) {
  while (pending_ > 0 && std::chrono::steady_clock::now() < deadline) {
    idle_.expires_at(deadline);
    co_await idle_.async_wait(net::as_tuple(net::use_awaitable));
  }
  co_return pending_;
}

net::awaitable<void> FollowUps::send_post(FollowUps* self, QueuedPost post) {
  const commands::PostMessage& message = post.message;
  std::string channel = message.channel;
  ApiResult result;
  if (!message.to_user.empty()) {
    // Built in its own statement: GCC 12 cannot keep an initializer list alive across co_await.
    nlohmann::json args = {{"users", message.to_user}};
    result = co_await self->api_.call_json("conversations.open", std::move(args));
    channel = result.ok
                  ? result.body.value(nlohmann::json::json_pointer("/channel/id"), std::string())
                  : std::string();
    if (channel.empty())
      spdlog::warn("cannot open a DM with {}: {}", message.to_user, result.error);
  }
  if (!channel.empty()) {
    nlohmann::json body = {{"channel", channel}, {"text", message.text}, {"unfurl_links", false}};
    if (!message.blocks.empty()) body["blocks"] = message.blocks;
    if (!message.thread_ts.empty()) body["thread_ts"] = message.thread_ts;
    result = co_await self->api_.post_message(std::move(body));
    if (!result.ok) spdlog::warn("chat.postMessage to {} failed: {}", channel, result.error);
  }
  if (result.ok && message.permalink_for_decision != 0 && self->repos_ != nullptr) {
    co_await record_permalink(self, post, channel, result.body.value("ts", ""));
  } else if (!result.ok && transient_api_error(result.error)) {
    spdlog::warn("post kept in the outbox (row {}) to be sent again at the next start",
                 post.outbox_seq);
  } else {
    if (!result.ok && !message.fallback_response_url.empty()) {
      // The bot may not be in that channel: the command's own response_url still reaches it.
      nlohmann::json reply = {{"response_type", "in_channel"}, {"text", message.text}};
      if (!message.blocks.empty()) reply["blocks"] = message.blocks;
      ApiResult r = co_await self->api_.respond(message.fallback_response_url, std::move(reply));
      if (!r.ok) spdlog::warn("response_url post failed too: {}", r.error);
    }
    if (post.outbox_seq != 0) self->dequeue(post.outbox_seq);
  }
  self->finished();
}

net::awaitable<void> FollowUps::send_response(FollowUps* self, std::string url,
                                              nlohmann::json body) {
  ApiResult r = co_await self->api_.respond(std::move(url), std::move(body));
  if (!r.ok) spdlog::warn("response_url post failed: {}", r.error);
  self->finished();
}

net::awaitable<void> FollowUps::record_permalink(FollowUps* self, const QueuedPost& post,
                                                 const std::string& channel,
                                                 const std::string& ts) {
  std::vector<std::pair<std::string, std::string>> args = {{"channel", channel},
                                                           {"message_ts", ts}};
  ApiResult link = co_await self->api_.call_form("chat.getPermalink", std::move(args), {}, true);
  if (!link.ok) spdlog::warn("chat.getPermalink failed: {}", link.error);
  auto before = self->repos_->decision(post.message.permalink_for_decision);
  storage::Batch batch;
  if (before) {
    storage::Decision after = *before;
    after.channel = channel;
    after.message_ts = ts;
    after.permalink = link.ok ? link.body.value("permalink", "") : "";
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    self->repos_->save(batch, after, &*before, storage::Change{before->created_by, now, "posted"});
  }
  if (post.outbox_seq != 0) self->repos_->dequeue(batch, post.outbox_seq);
  if (!batch.empty()) {
    self->repos_->store().commit_async(std::move(batch), [](storage::CommitResult r) {
      if (!r) spdlog::error("cannot store a decision's permalink: {}", r.error);
    });
  }
}

void FollowUps::dequeue(std::uint64_t seq) {
  if (repos_ == nullptr || seq == 0) return;
  storage::Batch batch;
  repos_->dequeue(batch, seq);
  repos_->store().commit_async(std::move(batch), [seq](storage::CommitResult r) {
    if (!r) spdlog::error("cannot remove outbox row {}: {}", seq, r.error);
  });
}

void FollowUps::started() {
  metrics_.set("itpm_outbox_depth", {}, ++pending_);
}

void FollowUps::finished() {
  metrics_.set("itpm_outbox_depth", {}, --pending_);
  idle_.cancel();
}

}  // namespace itpm::bot
