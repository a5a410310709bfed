#include "bot/slack/identity.hpp"

namespace itpm::bot {

std::optional<BotIdentity> identity_from_auth_test(const nlohmann::json& body) {
  auto text = [&](const char* key) {
    auto it = body.find(key);
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  BotIdentity id{text("user_id"), text("bot_id"), text("team_id"), text("team")};
  if (id.user_id.empty() || id.team_id.empty()) return std::nullopt;
  return id;
}

bool revokes_bot_token(const nlohmann::json& event, const std::optional<BotIdentity>& identity) {
  if (!event.is_object()) return false;
  std::string type = event.value("type", "");
  if (type == "app_uninstalled") return true;
  if (type != "tokens_revoked") return false;
  auto bots = event.find("tokens");
  if (bots == event.end() || !bots->is_object()) return false;
  auto list = bots->find("bot");
  if (list == bots->end() || !list->is_array()) return false;
  for (const auto& user : *list) {
    if (!identity || (user.is_string() && user.get<std::string>() == identity->user_id))
      return true;
  }
  return false;
}

}  // namespace itpm::bot
