// The Web API error table, what a person is told for each refusal, the bot's identity, and the
// scopes it needs.
#include "bot/slack/api_errors.hpp"
#include "bot/ops/doctor.hpp"
#include "bot/slack/identity.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>

using namespace itpm::bot;

TEST_CASE("every Web API error has one kind") {
  for (const char* e : {"ratelimited", "rate_limited", "internal_error", "fatal_error",
                        "service_unavailable", "request_timeout", "network_error",
                        "invalid_response", "http_500", "http_503", "http_429"}) {
    INFO(e);
    CHECK(classify_api_error(e) == ApiErrorKind::transient);
  }
  // no_permission and team_access_not_granted concern one shared channel: the token is fine.
  for (const char* e :
       {"not_in_channel", "channel_not_found", "is_archived", "restricted_action", "missing_scope",
        "cannot_dm_bot", "user_not_found", "no_permission", "team_access_not_granted"}) {
    INFO(e);
    CHECK(classify_api_error(e) == ApiErrorKind::needs_person);
  }
  for (const char* e : {"invalid_blocks", "msg_too_long"}) {
    INFO(e);
    CHECK(classify_api_error(e) == ApiErrorKind::malformed);
  }
  for (const char* e :
       {"invalid_auth", "not_authed", "token_revoked", "account_inactive", "app_uninstalled"}) {
    INFO(e);
    CHECK(classify_api_error(e) == ApiErrorKind::auth);
  }
  for (const char* e :
       {"http_404", "http_400", "message_not_found", "something_new", "", "http_x"}) {
    INFO(e);
    CHECK(classify_api_error(e) == ApiErrorKind::permanent);
  }
  CHECK(to_string(ApiErrorKind::needs_person) == "needs_person");
}

TEST_CASE("a refusal a person can fix says how") {
  CHECK(how_to_fix("not_in_channel", "C0LEAD") ==
        "Invite the bot: type `/invite @itpm` in <#C0LEAD> (a private channel needs this; a "
        "deleted one needs another channel).");
  CHECK(how_to_fix("is_archived", "C0LEAD").starts_with("<#C0LEAD> is archived"));
  CHECK(how_to_fix("missing_scope", "C1", "channels:join").find("`channels:join` scope") !=
        std::string::npos);
  CHECK(how_to_fix("missing_scope", "C1").find("the scope this needs") != std::string::npos);
  CHECK(how_to_fix("user_not_found", "").find("another owner") != std::string::npos);
  CHECK(how_to_fix("team_access_not_granted", "C0SHARED")
            .starts_with("<#C0SHARED> is shared with another organisation"));
  CHECK(how_to_fix("ratelimited", "C1").empty());
  CHECK(how_to_fix("invalid_auth", "C1").empty());
}

TEST_CASE("auth.test tells who the bot is, tokens_revoked and app_uninstalled end it") {
  auto id = identity_from_auth_test({{"ok", true},
                                     {"team", "Acme"},
                                     {"team_id", "T1"},
                                     {"user_id", "U0BOT"},
                                     {"bot_id", "B0BOT"}});
  REQUIRE(id);
  CHECK(id->user_id == "U0BOT");
  CHECK(id->bot_id == "B0BOT");
  CHECK(id->team == "Acme");
  CHECK_FALSE(identity_from_auth_test({{"ok", true}, {"team_id", "T1"}}));
  CHECK_FALSE(identity_from_auth_test({{"ok", true}, {"user_id", 5}, {"team_id", "T1"}}));

  nlohmann::json ours = {{"type", "tokens_revoked"},
                         {"tokens", {{"oauth", {"U9"}}, {"bot", {"U0BOT"}}}}};
  nlohmann::json other = {{"type", "tokens_revoked"},
                          {"tokens", {{"oauth", {"U0BOT"}}, {"bot", {"U7"}}}}};
  CHECK(revokes_bot_token(ours, id));
  CHECK_FALSE(revokes_bot_token(other, id));
  CHECK(revokes_bot_token(other, std::nullopt));  // not known yet: any bot token counts
  CHECK(revokes_bot_token({{"type", "app_uninstalled"}}, id));
  CHECK_FALSE(revokes_bot_token({{"type", "app_mention"}}, id));
  CHECK_FALSE(revokes_bot_token({{"type", "tokens_revoked"}, {"tokens", "x"}}, id));
  CHECK_FALSE(revokes_bot_token(nlohmann::json::array(), id));
}

TEST_CASE("the manifest asks for exactly the scopes the bot uses") {
  std::ifstream manifest(std::string(ITPM_SOURCE_DIR) + "/deploy/manifest.yaml");
  REQUIRE(manifest);
  std::vector<std::string> listed;
  bool in_bot_scopes = false;
  for (std::string line; std::getline(manifest, line);) {
    if (line.find("bot:") != std::string::npos) {
      in_bot_scopes = true;
      continue;
    }
    auto dash = line.find("- ");
    if (!in_bot_scopes || dash == std::string::npos || line.find_first_not_of(' ') != dash) {
      if (in_bot_scopes && !listed.empty()) break;
      continue;
    }
    std::string scope = line.substr(dash + 2);
    listed.push_back(scope.substr(0, scope.find_first_of(" #")));
  }
  auto needed = required_bot_scopes();
  std::sort(listed.begin(), listed.end());
  std::sort(needed.begin(), needed.end());
  CHECK(listed == needed);
}
