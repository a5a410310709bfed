#include "bot/ops/doctor.hpp"

#include "bot/ops/exit_code.hpp"
#include "bot/ops/metrics.hpp"
#include "bot/slack/api_errors.hpp"
#include "bot/slack/identity.hpp"
#include "bot/slack/web_api_client.hpp"
#include "bot/transport/http_client.hpp"
#include "bot/transport/tls_context.hpp"
#include "storage/store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <iostream>
#include <sstream>

namespace itpm::bot {

namespace net = boost::asio;

namespace {

struct Report {
  int to_fix = 0;
  bool token_refused = false;

  void ok(const std::string& what) { std::cout << "ok   " << what << "\n"; }
  void fix(const std::string& what) {
    ++to_fix;
    std::cout << "FIX  " << what << "\n";
  }
};

std::vector<std::string> split_scopes(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  for (std::string scope; std::getline(in, scope, ',');) {
    scope.erase(0, scope.find_first_not_of(' '));
    if (!scope.empty()) out.push_back(scope);
  }
  return out;
}

std::string needed_scope(const ApiResult& r) {
  auto it = r.body.is_object() ? r.body.find("needed") : r.body.end();
  return it != r.body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

net::awaitable<void> check_tokens(WebApiClient* api, Report* report,
                                  std::vector<std::string>* granted) {
  std::vector<std::pair<std::string, std::string>> none;
  ApiResult who = co_await api->call_form("auth.test", std::move(none));
  if (auto id = who.ok ? identity_from_auth_test(who.body) : std::nullopt) {
    report->ok("bot token: bot user " + id->user_id + " (" + id->bot_id + ") in workspace " +
               id->team + " (" + id->team_id + ")");
    *granted = split_scopes(who.scopes);
  } else if (classify_api_error(who.error) == ApiErrorKind::auth) {
    report->token_refused = true;
    report->fix("bot token (SLACK_BOT_TOKEN): Slack refused it (" + who.error +
                "): copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions, or "
                "reinstall the app");
  } else {
    report->fix("bot token: cannot check it (auth.test: " + who.error + "); is " + api->api_url() +
                " reachable?");
  }
  CallOptions app;
  app.app_token = true;
  app.max_attempts = 1;
  std::vector<std::pair<std::string, std::string>> no_args;
  ApiResult open = co_await api->call_form("apps.connections.open", std::move(no_args), app);
  if (open.ok) {
    report->ok("app token: Socket Mode connections open");
  } else if (classify_api_error(open.error) == ApiErrorKind::auth) {
    report->token_refused = true;
    report->fix("app token (SLACK_APP_TOKEN): Slack refused it (" + open.error +
                "): generate an app-level token with connections:write under Basic "
                "Information");
  } else {
    report->fix("app token: apps.connections.open answered " + open.error);
  }
}

void check_scopes(const std::vector<std::string>& granted, Report* report) {
  if (granted.empty()) {
    report->fix(
        "scopes: Slack did not list the bot token's scopes; compare them with "
        "deploy/manifest.yaml by hand");
    return;
  }
  std::string missing;
  for (const auto& scope : required_bot_scopes()) {
    if (std::find(granted.begin(), granted.end(), scope) == granted.end())
      missing += (missing.empty() ? "" : ", ") + scope;
  }
  if (missing.empty()) {
    report->ok("scopes: the bot token has every scope the bot uses");
  } else {
    report->fix("scopes: missing " + missing +
                ": add them under OAuth & Permissions (deploy/manifest.yaml lists them all) and "
                "reinstall the app");
  }
}

net::awaitable<void> check_channels(WebApiClient* api, std::vector<ChannelUse> uses, bool can_join,
                                    Report* report) {
  for (const auto& use : uses) {
    std::string where = "<#" + use.channel + "> (" + use.why + ")";
    std::vector<std::pair<std::string, std::string>> args = {{"channel", use.channel},
                                                             {"limit", "1"}};
    ApiResult r = co_await api->call_form("conversations.history", std::move(args), {}, true);
    if (r.ok) {
      report->ok(where + ": the bot is in it");
    } else if (r.error == "not_in_channel" && can_join) {
      report->ok(where + ": public, the bot joins it before its first post");
    } else if (r.error == "not_in_channel") {
      report->fix(where + ": the bot is not in it and cannot join (channels:join missing): " +
                  how_to_fix("not_in_channel", use.channel));
    } else if (classify_api_error(r.error) == ApiErrorKind::needs_person) {
      report->fix(where + ": " + r.error + ": " +
                  how_to_fix(r.error, use.channel, needed_scope(r)));
    } else {
      report->fix(where + ": cannot check it (" + r.error + ")");
    }
  }
}

net::awaitable<void> check_all(WebApiClient* api, std::vector<ChannelUse> uses, Report* report) {
  std::vector<std::string> granted;
  co_await check_tokens(api, report, &granted);
  if (report->token_refused || granted.empty()) co_return;
  check_scopes(granted, report);
  bool can_join = std::find(granted.begin(), granted.end(), "channels:join") != granted.end();
  co_await check_channels(api, std::move(uses), can_join, report);
}

}  // namespace

const std::vector<std::string>& required_bot_scopes() {
  static const std::vector<std::string> scopes = {
      "commands",         "chat:write",     "chat:write.public", "channels:join",
      "im:write",         "im:history",     "users:read",        "app_mentions:read",
      "channels:history", "groups:history", "files:write"};
  return scopes;
}

int run_doctor(const Config& config) {
  std::cout << "itpm-bot doctor: Slack at " << config.api_url << ", data in "
            << config.data_dir.string() << "\n";
  Report report;
  std::vector<ChannelUse> uses;
  try {
    uses = channels_in_use(config.data_dir, config.policy().escalation_channel);
  } catch (const storage::StoreError& e) {
    report.ok(std::string("channels: none to check yet (") + e.what() + ")");
    uses.clear();
    if (!config.policy().escalation_channel.empty())
      uses.push_back({config.policy().escalation_channel, "the escalation channel"});
  }
  net::io_context ioc(1);
  std::unique_ptr<net::ssl::context> tls;
  try {
    tls = make_client_tls_context();
  } catch (const boost::system::system_error& e) {
    std::cerr << "itpm-bot: cannot load CA certificates (SSL_CERT_FILE?): " << e.code().message()
              << "\n";
    return exit_config_error;
  }
  HttpClient http(ioc.get_executor(), *tls, std::chrono::seconds(15), config.proxy);
  Metrics metrics;
  WebApiClient api(ioc.get_executor(), http, config.api_url, config.bot_token, config.app_token,
                   metrics);
  net::co_spawn(ioc, check_all(&api, std::move(uses), &report), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  ioc.run();
  if (report.token_refused) return exit_auth_error;
  if (report.to_fix > 0) {
    std::cout << report.to_fix << " thing(s) to fix\n";
    return 1;
  }
  std::cout << "all checks passed\n";
  return 0;
}

}  // namespace itpm::bot
