#include "bot/dispatcher.hpp"

#include "bot/async_commit.hpp"

#include "commands/areas/config_commands.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/render/reply.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <algorithm>

namespace itpm::bot {

namespace net = boost::asio;

namespace {

bool is_slack_id(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

// What a handled envelope leads to. An empty reply means the command's post is its answer:
// the ack carries nothing. Without a response_url the reply rides on the ack.
Dispatched finished(commands::Reply reply, std::vector<QueuedPost> posts,
                    const std::string& response_url, bool keep_original) {
  Dispatched d;
  if (!reply.text.empty() || !reply.blocks.empty()) {
    nlohmann::json payload = reply_payload(reply);
    if (response_url.empty()) {
      d.ack_payload = std::move(payload);
    } else {
      // A reply to a button press is a new ephemeral message, not a replacement of the poll.
      if (keep_original) payload["replace_original"] = false;
      d.response_url = response_url;
      d.follow_up = std::move(payload);
    }
  }
  d.posts = std::move(posts);
  return d;
}

}  // namespace

Dispatcher::Dispatcher(const commands::Registry& registry, std::vector<std::string> admins,
                       std::string zone, storage::Repositories& repos,
                       boost::asio::any_io_executor executor)
    : registry_(registry),
      admins_(std::move(admins)),
      zone_(std::move(zone)),
      repos_(repos),
      executor_(std::move(executor)),
      seen_events_(std::chrono::hours(2), 100000) {
  policy_.default_zone = zone_;
}

void Dispatcher::handle(const Envelope& envelope, std::function<void(Dispatched)> done) {
  if (envelope.type == "events_api") {
    done(handle_event(envelope.payload));
    return;
  }
  if (envelope.type == "interactive") {
    handle_interaction(envelope.payload, done);
    return;
  }
  if (envelope.type != "slash_commands") {
    done({});  // anything newer: an empty ack
    return;
  }
  commands::Command command = to_command(envelope.payload);
  bool accepts = envelope.accepts_response_payload;
  if (!zone_lookup_) {
    run_command(command, accepts, zone_, done);
    return;
  }
  std::string user = command.user_id;
  zone_lookup_(user, [this, command = std::move(command), accepts, done = std::move(done)](
                         std::string zone) { run_command(command, accepts, zone, done); });
}

commands::Context Dispatcher::context_for(const std::string& zone) const {
  // Settings admins stored (`config set`) apply from the next command on.
  commands::Policy policy = commands::effective_policy(policy_, repos_.settings());
  return commands::Context{std::chrono::system_clock::now(), admins_, repos_,
                           zone.empty() ? policy.default_zone : zone, policy};
}

void Dispatcher::run_command(const commands::Command& command, bool accepts,
                             const std::string& zone, const std::function<void(Dispatched)>& done) {
  commands::Context context = context_for(zone);
  commands::Outcome outcome = registry_.handle(command, context);
  complete(std::move(outcome), context.now, accepts ? "" : command.response_url, false, done);
}

void Dispatcher::handle_interaction(const nlohmann::json& payload,
                                    const std::function<void(Dispatched)>& done) {
  // A press of a poll's button. The reply goes to the presser alone through the response_url:
  // an ack payload does nothing for block_actions (slack-protocol.md §9).
  if (!payload.is_object() || payload.value("type", "") != "block_actions") {
    done({});
    return;
  }
  std::string user = payload.value(nlohmann::json::json_pointer("/user/id"), std::string());
  std::string value;
  for (const auto& action : payload.value("actions", nlohmann::json::array())) {
    if (action.is_object() &&
        action.value("action_id", "").starts_with(commands::vote_action_prefix)) {
      value = action.value("value", "");
      break;
    }
  }
  if (!is_slack_id(user) || value.empty()) {
    done({});
    return;
  }
  commands::Context context = context_for("");
  commands::Outcome outcome = commands::vote(commands::VotePress{user, value}, context);
  complete(std::move(outcome), context.now, payload.value("response_url", ""), true, done);
}

void Dispatcher::complete(commands::Outcome outcome, std::chrono::system_clock::time_point now,
                          const std::string& response_url, bool keep_original,
                          const std::function<void(Dispatched)>& done) {
  std::vector<QueuedPost> posts =
      queue_posts(repos_, outcome.writes, outcome.effects, commands::millis(now));
  if (outcome.writes.empty()) {
    done(finished(std::move(outcome.reply), std::move(posts), response_url, keep_original));
    return;
  }
  // The reply and posts wait for the commit; on failure the user hears that nothing was saved
  // (the batch is atomic) and nothing is posted.
  net::co_spawn(executor_,
                commit_then_finish(this, std::move(outcome.writes), std::move(outcome.reply),
                                   std::move(posts), response_url, keep_original, done),
                net::detached);
}

net::awaitable<void> Dispatcher::commit_then_finish(Dispatcher* self, storage::Batch writes,
                                                    commands::Reply reply,
                                                    std::vector<QueuedPost> posts,
                                                    std::string response_url, bool keep_original,
                                                    std::function<void(Dispatched)> done) {
  auto committed = co_await commit(self->executor_, self->repos_.store(), std::move(writes));
  if (committed) {
    if (self->on_commit_) self->on_commit_();
    done(finished(std::move(reply), std::move(posts), response_url, keep_original));
    co_return;
  }
  spdlog::error("commit failed: {}", committed.error);
  done(finished(
      commands::error_reply("That could not be saved (storage error). Nothing was saved; please "
                            "try again, and tell the operator if it keeps happening.",
                            ""),
      {}, response_url, keep_original));
}

Dispatched Dispatcher::handle_event(const nlohmann::json& payload) {
  if (!payload.is_object()) return {};
  std::string event_id = payload.value("event_id", "");
  if (!event_id.empty() && !seen_events_.first_time(event_id, DedupeCache::Clock::now())) {
    spdlog::debug("event {} seen before: acked, not handled again", event_id);
    return {};
  }
  auto event = payload.find("event");
  if (event == payload.end() || !event->is_object()) return {};  // app_rate_limited has none
  std::string type = event->value("type", "");
  bool from_bot = event->contains("bot_id") || event->contains("subtype");
  std::string user = event->value("user", "");
  std::string channel = event->value("channel", "");
  if (!is_slack_id(channel) || !is_slack_id(user) || from_bot) return {};
  bool direct_message = type == "message" && event->value("channel_type", "") == "im";
  if (type != "app_mention" && !direct_message) return {};
  commands::PostMessage post;
  post.channel = channel;
  post.thread_ts = direct_message ? "" : event->value("thread_ts", event->value("ts", ""));
  post.text = "Hi <@" + user + ">! I answer to `/itpm`: try `/itpm help`.";
  Dispatched d;
  d.posts.push_back(QueuedPost{0, std::move(post)});
  return d;
}

}  // namespace itpm::bot
