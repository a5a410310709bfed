#include "bot/slack/envelope.hpp"

#include "common/json_text.hpp"

#include <algorithm>

namespace itpm::bot {
namespace {

std::string string_field(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int int_field(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_number_integer() ? it->get<int>() : 0;
}

// The `id` of the object at `key` ({"user":{"id":"U1",…}}); "" when absent or not a Slack ID.
std::string nested_id(const nlohmann::json& payload, const char* key) {
  auto it = payload.find(key);
  std::string id = it != payload.end() && it->is_object() ? string_field(*it, "id") : "";
  return is_slack_id(id) ? id : "";
}

// The team of an event's sender: `user_team` (a shared channel's message), else `team`.
std::string event_team(const nlohmann::json& event) {
  std::string team = string_field(event, "user_team");
  return team.empty() ? string_field(event, "team") : team;
}

}  // namespace

std::string interaction_user(const nlohmann::json& payload) {
  return payload.is_object() ? nested_id(payload, "user") : "";
}

bool is_slack_id(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

std::string sender_team(const Envelope& envelope) {
  const nlohmann::json& payload = envelope.payload;
  if (!payload.is_object()) return "";
  if (envelope.type == "events_api") {
    auto event = payload.find("event");
    return event != payload.end() && event->is_object() ? event_team(*event) : "";
  }
  if (envelope.type == "interactive") {
    auto user = payload.find("user");
    return user != payload.end() && user->is_object() ? string_field(*user, "team_id") : "";
  }
  return string_field(payload, "user_team");
}

std::optional<EventCallback> parse_event(const nlohmann::json& payload) {
  if (!payload.is_object()) return std::nullopt;
  auto event = payload.find("event");
  if (event == payload.end() || !event->is_object()) return std::nullopt;
  EventCallback e;
  e.event_id = string_field(payload, "event_id");
  e.type = string_field(*event, "type");
  e.user = string_field(*event, "user");
  e.channel = string_field(*event, "channel");
  e.channel_type = string_field(*event, "channel_type");
  e.ts = string_field(*event, "ts");
  e.thread_ts = string_field(*event, "thread_ts");
  e.text = string_field(*event, "text");
  e.tab = string_field(*event, "tab");
  e.team = event_team(*event);
  e.from_bot = event->contains("bot_id") || event->contains("subtype");
  return e;
}

std::optional<ButtonPress> parse_button_press(const nlohmann::json& payload) {
  if (!payload.is_object() || string_field(payload, "type") != "block_actions") return std::nullopt;
  ButtonPress press;
  press.user = nested_id(payload, "user");
  if (press.user.empty()) return std::nullopt;
  press.response_url = string_field(payload, "response_url");
  press.trigger_id = string_field(payload, "trigger_id");
  press.channel = nested_id(payload, "channel");
  auto actions = payload.find("actions");
  if (actions == payload.end() || !actions->is_array()) return std::nullopt;
  for (const auto& action : *actions) {
    if (!action.is_object()) continue;
    std::string id = string_field(action, "action_id");
    if (!id.starts_with("itpm_")) continue;
    press.action_id = std::move(id);
    press.value = string_field(action, "value");
    return press;
  }
  return std::nullopt;
}

std::optional<MessageShortcut> parse_message_shortcut(const nlohmann::json& payload) {
  if (!payload.is_object() || string_field(payload, "type") != "message_action")
    return std::nullopt;
  MessageShortcut s;
  s.callback_id = string_field(payload, "callback_id");
  if (!s.callback_id.starts_with("itpm_")) return std::nullopt;
  s.user = nested_id(payload, "user");
  s.channel = nested_id(payload, "channel");
  if (s.user.empty() || s.channel.empty()) return std::nullopt;
  s.trigger_id = string_field(payload, "trigger_id");
  s.message_ts = string_field(payload, "message_ts");
  if (auto message = payload.find("message"); message != payload.end() && message->is_object()) {
    s.message_text = string_field(*message, "text");
    s.author = string_field(*message, "user");
    if (s.message_ts.empty()) s.message_ts = string_field(*message, "ts");
  }
  if (!is_slack_id(s.author)) s.author.clear();
  return s;
}

Frame parse_frame(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return BadFrame{"not JSON"};
  if (!j.is_object()) return BadFrame{"not a JSON object"};
  std::string type = string_field(j, "type");
  if (type == "hello") {
    Hello h;
    h.num_connections = int_field(j, "num_connections");
    if (auto d = j.find("debug_info"); d != j.end() && d->is_object()) {
      h.approximate_connection_time = int_field(*d, "approximate_connection_time");
    }
    if (auto c = j.find("connection_info"); c != j.end() && c->is_object()) {
      h.app_id = string_field(*c, "app_id");
    }
    return h;
  }
  if (type == "disconnect") return Disconnect{string_field(j, "reason")};
  std::string id = string_field(j, "envelope_id");
  if (id.empty()) return BadFrame{"no envelope_id in a frame of type '" + type + "'"};
  Envelope e;
  e.envelope_id = std::move(id);
  e.type = std::move(type);
  if (auto a = j.find("accepts_response_payload"); a != j.end() && a->is_boolean()) {
    e.accepts_response_payload = a->get<bool>();
  }
  e.retry_attempt = int_field(j, "retry_attempt");
  if (auto p = j.find("payload"); p != j.end()) e.payload = std::move(*p);
  return e;
}

std::string make_ack(std::string_view envelope_id, const nlohmann::json* payload) {
  // Written straight from `payload`, which can be a long reply: not copied into a document.
  std::string ack = R"({"envelope_id":)";
  common::append_json_string(ack, envelope_id);
  if (payload != nullptr) {
    ack += R"(,"payload":)";
    common::append_json(ack, *payload);
  }
  ack += '}';
  return ack;
}

commands::Command to_command(const nlohmann::json& payload) {
  commands::Command c;
  if (!payload.is_object()) return c;
  c.user_id = string_field(payload, "user_id");
  c.channel_id = string_field(payload, "channel_id");
  c.team_id = string_field(payload, "team_id");
  c.text = string_field(payload, "text");
  c.response_url = string_field(payload, "response_url");
  c.trigger_id = string_field(payload, "trigger_id");
  return c;
}

nlohmann::json reply_payload(commands::Reply reply) {
  nlohmann::json p = {
      {"response_type",
       reply.visibility == commands::Visibility::in_channel ? "in_channel" : "ephemeral"},
      {"text", std::move(reply.text)}};
  if (!reply.blocks.empty()) p["blocks"] = std::move(reply.blocks);
  return p;
}

}  // namespace itpm::bot
