#pragma once

#include "storage/repositories.hpp"
#include "storage/store.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <variant>
#include <vector>

namespace itpm::commands {

// One `/itpm` invocation as Slack delivered it (text still Slack-escaped).
struct Command {
  std::string user_id;
  std::string channel_id;
  std::string team_id;
  std::string text;
  std::string response_url;
  std::string trigger_id;
};

enum class Visibility { ephemeral, in_channel };

// What the caller sees in reply: Block Kit blocks plus the plain-text fallback.
struct Reply {
  Visibility visibility = Visibility::ephemeral;
  std::string text;
  nlohmann::json blocks = nlohmann::json::array();
};

// A message the bot posts through the Web API after the ack (a DM when `to_user` is set).
struct PostMessage {
  std::string channel;
  std::string to_user;
  std::string text;
  nlohmann::json blocks = nlohmann::json::array();
  std::string thread_ts;
};

using Effect = std::variant<PostMessage>;

// The result of handling a command: the reply that goes into the ack, the writes that must
// be durable before the ack is sent (one atomic batch, audit entries included), then effects.
struct Outcome {
  Reply reply;
  std::vector<Effect> effects;
  storage::Batch writes;
};

// An outcome that only replies: no writes, no effects.
inline Outcome reply_only(Reply reply) {
  Outcome outcome;
  outcome.reply = std::move(reply);
  return outcome;
}

// Who is asking and when, and the data to read; handlers read nothing else.
struct Context {
  std::chrono::system_clock::time_point now;
  std::vector<std::string> admins;
  storage::Repositories* repos = nullptr;  // null only in tests of commands that read nothing
  std::string zone = "UTC";                // the caller's IANA time zone, for date words

  [[nodiscard]] bool is_admin(const std::string& user) const {
    return std::find(admins.begin(), admins.end(), user) != admins.end();
  }
};

}  // namespace itpm::commands
