#pragma once
// Who the bot is in the workspace, as auth.test tells it at start-up.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace itpm::bot {

struct BotIdentity {
  std::string user_id;  // the bot user (U…): its own messages and mentions
  std::string bot_id;   // B…: what Slack stamps on the bot's posts
  std::string team_id;  // T…
  std::string team;     // the workspace's name, for logs
};

// The identity in an ok auth.test answer; nullopt when it lacks the user or team id.
std::optional<BotIdentity> identity_from_auth_test(const nlohmann::json& body);

// True for an Events API event that says the bot's token is gone: app_uninstalled, or
// tokens_revoked listing the bot user among its bot tokens (any bot token when `identity`
// is not known yet).
bool revokes_bot_token(const nlohmann::json& event, const std::optional<BotIdentity>& identity);

}  // namespace itpm::bot
