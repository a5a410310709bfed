#include "bot/dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace itpm::bot {
namespace {

bool is_slack_id(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

}  // namespace

Dispatcher::Dispatcher(const commands::Registry& registry, std::vector<std::string> admins)
    : registry_(registry),
      admins_(std::move(admins)),
      seen_events_(std::chrono::hours(2), 100000) {}

Dispatched Dispatcher::handle(const Envelope& envelope) {
  if (envelope.type == "slash_commands") {
    commands::Command command = to_command(envelope.payload);
    commands::Context context{std::chrono::system_clock::now(), admins_};
    commands::Outcome outcome = registry_.handle(command, context);
    Dispatched d;
    nlohmann::json reply = reply_payload(outcome.reply);
    if (envelope.accepts_response_payload) {
      d.ack_payload = std::move(reply);
    } else if (!command.response_url.empty()) {
      d.response_url = command.response_url;
      d.follow_up = std::move(reply);
    }
    d.effects = std::move(outcome.effects);
    return d;
  }
  if (envelope.type == "events_api") return handle_event(envelope.payload);
  return {};  // interactive and anything newer: an empty ack
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
  d.effects.emplace_back(std::move(post));
  return d;
}

}  // namespace itpm::bot
