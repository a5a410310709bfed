#pragma once

#include "commands/command.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace itpm::bot {

struct Hello {
  int num_connections = 0;
  int approximate_connection_time = 0;  // seconds
  std::string app_id;
};

struct Disconnect {
  std::string reason;  // warning, refresh_requested, link_disabled, too_many_websockets, ...
};

struct Envelope {
  std::string envelope_id;
  std::string type;  // slash_commands, events_api, interactive, or something newer
  bool accepts_response_payload = false;
  int retry_attempt = 0;
  nlohmann::json payload;
};

// A frame that is not JSON, not an object, or lacks what its type needs.
struct BadFrame {
  std::string why;
};

using Frame = std::variant<Hello, Disconnect, Envelope, BadFrame>;

// Parses one Socket Mode text frame. Never throws.
Frame parse_frame(std::string_view text);

// The ack frame: {"envelope_id":…} plus "payload" when one is given.
std::string make_ack(std::string_view envelope_id, const nlohmann::json* payload);

// The slash command in a `slash_commands` payload (missing fields are empty).
commands::Command to_command(const nlohmann::json& payload);

// True for a Slack ID as Slack sends it (U123ABC, C0DEMO): upper-case letters and digits.
bool is_slack_id(const std::string& s);

// Who an `interactive` payload comes from (user.id): a Slack user ID, or "".
std::string interaction_user(const nlohmann::json& payload);

// The team (T…) of the person who sent an envelope, where its payload says: an event's
// `user_team` (a shared channel's message), else its `team`; an interaction's `user.team_id`;
// a slash command's `user_team`. Empty when the payload does not say (then users.info tells).
std::string sender_team(const Envelope& envelope);

// A press of one of the bot's buttons (action_id "itpm_..."), from an `interactive`
// block_actions payload.
struct ButtonPress {
  std::string user;       // a Slack user ID
  std::string action_id;  // "itpm_vote_4"
  std::string value;      // what the button carries ("S-3:4")
  std::string response_url;
  std::string channel;     // where the message with the button is (a Slack ID, or empty)
  std::string trigger_id;  // opens a form within 3 s
};

// The press in `payload`: nullopt for another kind of interaction, a press of no button of
// ours, or a user that is not a Slack ID. Never throws.
std::optional<ButtonPress> parse_button_press(const nlohmann::json& payload);

// A message shortcut ("Log as decision") used on a message: an `interactive` payload of type
// message_action with a callback_id of ours ("itpm_...").
struct MessageShortcut {
  std::string callback_id;
  std::string user;  // who used it
  std::string channel;
  std::string trigger_id;
  std::string message_ts;
  std::string message_text;  // as Slack sent it (escaped)
  std::string author;        // the message's author (a user ID), or empty for a bot's
};

// The shortcut in `payload`; nullopt for another kind of interaction or ids that are not
// Slack IDs. Never throws.
std::optional<MessageShortcut> parse_message_shortcut(const nlohmann::json& payload);

// An Events API callback as the dispatcher needs it.
struct EventCallback {
  std::string event_id;  // empty when Slack sent none
  std::string type;      // app_mention, message, ...
  std::string user;
  std::string channel;
  std::string channel_type;  // im for a direct message
  std::string ts;
  std::string thread_ts;
  std::string text;       // as Slack sent it (mentions as <@U…>, & < > escaped)
  std::string tab;        // app_home_opened: home or messages
  std::string team;       // the sender's team (user_team, else team); empty when not given
  bool from_bot = false;  // a bot's message or one with a subtype (edits, joins, ...)
};

// The event in an `events_api` payload; nullopt when it carries none (app_rate_limited). Fields
// that are missing or not strings are empty. Never throws.
std::optional<EventCallback> parse_event(const nlohmann::json& payload);

// The ack payload for a slash-command reply (response_type, text, blocks).
nlohmann::json reply_payload(commands::Reply reply);

}  // namespace itpm::bot
