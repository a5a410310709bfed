#include "bot/ops/config.hpp"
#include "bot/ops/redact.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace itpm::bot;

namespace {

const Settings tokens = {{"SLACK_APP_TOKEN", "xapp-1-A1-123-abcdef"},
                         {"SLACK_BOT_TOKEN", "xoxb-1-2-abcdefgh"}};

std::string error_of(const Settings& cli, const Settings& env = {}, const Settings& file = {}) {
  auto r = load_config(cli, env, file);
  REQUIRE(std::holds_alternative<ConfigError>(r));
  return std::get<ConfigError>(r).message;
}

}  // namespace

TEST_CASE("command line beats environment beats file, defaults fill the rest") {
  Settings file = tokens;
  file["ITPM_DATA_DIR"] = "/from/file";
  file["ITPM_TZ"] = "Europe/Amsterdam";
  Settings env = {{"ITPM_DATA_DIR", "/from/env"}, {"ITPM_LOG_LEVEL", "warn"}};
  Settings cli = {{"ITPM_DATA_DIR", "/from/cli"}};
  auto c = std::get<Config>(load_config(cli, env, file));
  CHECK(c.data_dir == "/from/cli");
  CHECK(c.log_level == "warn");
  CHECK(c.default_tz == "Europe/Amsterdam");
  CHECK(c.api_url == "https://slack.com/api/");
  CHECK(c.http_listen == "127.0.0.1:9464");
  CHECK_FALSE(c.plain_api());
}

TEST_CASE("each bad setting gets a one-line error naming it") {
  CHECK(error_of({}).find("SLACK_APP_TOKEN is not set") != std::string::npos);
  Settings s = tokens;
  s["SLACK_BOT_TOKEN"] = "xoxp-1-2-3-secretvalue";
  CHECK(error_of(s).find("SLACK_BOT_TOKEN is malformed") != std::string::npos);
  CHECK(error_of(s).find("secretvalue") == std::string::npos);
  s["SLACK_BOT_TOKEN"] = "xoxb-REPLACE-ME";
  CHECK(error_of(s).find("still the placeholder") != std::string::npos);
  s = tokens;
  s["SLACK_API_URL"] = "https://slack.com/api";
  CHECK(error_of(s).find("SLACK_API_URL") != std::string::npos);
  // Plain http:// only to this machine: tokens never cross a network unencrypted.
  s["SLACK_API_URL"] = "http://slack.example.com/api/";
  CHECK(error_of(s).find("unencrypted") != std::string::npos);
  // The host is read by Boost.URL: a userinfo that looks like a loopback address is no host.
  for (const char* remote :
       {"http://127.0.0.1.evil.example/api/", "http://127.0.0.1:1@other.host/api/",
        "http://localhost@other.host/", "http://127.0.0.1x/api/"}) {
    INFO(remote);
    s["SLACK_API_URL"] = remote;
    CHECK(error_of(s).find("SLACK_API_URL") != std::string::npos);
  }
  for (const char* local :
       {"http://127.0.0.1:8080/api/", "http://localhost:9/api/", "http://[::1]:9/api/"}) {
    s["SLACK_API_URL"] = local;
    auto loaded = load_config(s, {}, {});
    REQUIRE(std::holds_alternative<itpm::bot::Config>(loaded));
    CHECK(std::get<itpm::bot::Config>(loaded).plain_api());
  }
  s = tokens;
  s["ITPM_ADMINS"] = "U1, alice";
  CHECK(error_of(s).find("ITPM_ADMINS") != std::string::npos);
  s = tokens;
  s["ITPM_HTTP_LISTEN"] = "localhost";
  CHECK(error_of(s).find("ITPM_HTTP_LISTEN") != std::string::npos);
  s["ITPM_HTTP_LISTEN"] = "127.0.0.1:70000";
  CHECK(error_of(s).find("ITPM_HTTP_LISTEN") != std::string::npos);
  s = tokens;
  s["ITPM_BACKUP_KEEP"] = "0";
  CHECK(error_of(s).find("ITPM_BACKUP_KEEP") != std::string::npos);
  s = tokens;
  s["ITPM_BACKUP_INTERVAL_MIN"] = "soon";
  CHECK(error_of(s).find("ITPM_BACKUP_INTERVAL_MIN") != std::string::npos);
  s = tokens;
  s["ITPM_BACKUP_DIR"] = "/var/backups/itpm";
  s["ITPM_BACKUP_INTERVAL_MIN"] = "60";
  auto c = std::get<Config>(load_config(s, {}, {}));
  CHECK(c.backup_dir == "/var/backups/itpm");
  CHECK(c.backup_interval == std::chrono::minutes(60));
  CHECK(c.backup_keep == 7);
  s = tokens;
  s["ITPM_STALE_AFTER_MS"] = "10";
  CHECK(error_of(s).find("ITPM_STALE_AFTER_MS") != std::string::npos);
}

TEST_CASE("the dashboard's address and link lifetime are read and checked") {
  Settings s = tokens;
  auto c = std::get<Config>(load_config(s, {}, {}));
  CHECK(c.dashboard_base() == "http://127.0.0.1:9464");
  CHECK(c.policy().dashboard_link_lifetime == std::chrono::hours(12));
  s["ITPM_HTTP_LISTEN"] = "0.0.0.0:8080";
  CHECK(std::get<Config>(load_config(s, {}, {})).dashboard_base() == "http://127.0.0.1:8080");
  // From the environment too, as an operator sets it; a trailing slash is dropped.
  Settings env = {{"ITPM_DASHBOARD_URL", "https://itpm.example.com/tools/"},
                  {"ITPM_DASHBOARD_LINK_HOURS", "2"}};
  c = std::get<Config>(load_config(tokens, env, {}));
  CHECK(c.policy().dashboard_url == "https://itpm.example.com/tools");
  CHECK(c.policy().dashboard_link_lifetime == std::chrono::hours(2));
  for (const char* bad : {"itpm.example.com", "https://", "https://x/?a=b", "ftp://x"}) {
    INFO(bad);
    CHECK(error_of(tokens, {{"ITPM_DASHBOARD_URL", bad}}).find("ITPM_DASHBOARD_URL") !=
          std::string::npos);
  }
  for (const char* bad : {"0", "169", "12h"}) {
    CHECK(error_of(tokens, {{"ITPM_DASHBOARD_LINK_HOURS", bad}})
              .find("ITPM_DASHBOARD_LINK_HOURS must be 1 to 168") != std::string::npos);
  }
}

TEST_CASE("the settings file reads KEY=VALUE lines and rejects unknown keys") {
  itpm::test::TempDir dir;
  auto path = dir.path() / "itpm.env";
  std::ofstream(path)
      << "# comment\n\nexport SLACK_APP_TOKEN=\"xapp-1-A1-123-abcdef\"\nITPM_ADMINS = U1,U2\n";
  auto read = read_settings_file(path);
  REQUIRE(std::holds_alternative<Settings>(read));
  CHECK(std::get<Settings>(read).at("SLACK_APP_TOKEN") == "xapp-1-A1-123-abcdef");
  CHECK(std::get<Settings>(read).at("ITPM_ADMINS") == "U1,U2");

  std::ofstream(path) << "ITPM_TYPO=1\n";
  auto bad = read_settings_file(path);
  REQUIRE(std::holds_alternative<ConfigError>(bad));
  CHECK(std::get<ConfigError>(bad).message.find(":1: unknown setting ITPM_TYPO") !=
        std::string::npos);
  CHECK(std::holds_alternative<ConfigError>(read_settings_file(dir.path() / "missing")));
}

TEST_CASE("tokens and socket URLs are redacted") {
  CHECK(redact_token("xoxb-1234-5678-abcdefgh") == "xoxb-…efgh");
  CHECK(redact_token("short") == "…");
  CHECK(redact_url("wss://wss.slack.com/link/?ticket=secret&app_id=A1") ==
        "wss://wss.slack.com/link/?…");
}

TEST_CASE("tokens come from private files or systemd credentials as well") {
  itpm::test::TempDir dir;
  namespace fs = std::filesystem;
  auto write = [&](const std::string& name, const std::string& text, fs::perms perms) {
    auto path = dir.path() / name;
    std::ofstream(path) << text;
    fs::permissions(path, perms);
    return path.string();
  };
  auto owner = fs::perms::owner_read | fs::perms::owner_write;
  std::string app = write("app", "xapp-1-A1-123-fromfile\n", owner);
  std::string bot = write("bot", "  xoxb-1-2-fromfile  \n", owner | fs::perms::group_read);
  auto c = std::get<Config>(
      load_config({}, {{"SLACK_APP_TOKEN_FILE", app}, {"SLACK_BOT_TOKEN_FILE", bot}}, {}));
  CHECK(c.app_token == "xapp-1-A1-123-fromfile");
  CHECK(c.bot_token == "xoxb-1-2-fromfile");

  // systemd's LoadCredential=: files named after the token in $CREDENTIALS_DIRECTORY.
  fs::create_directory(dir.path() / "creds");
  write("creds/slack-app-token", "xapp-1-A1-123-credential", owner);
  write("creds/slack-bot-token", "xoxb-1-2-credential", owner);
  write("creds/prometheus-token", "prom-credential", owner);
  auto creds = (dir.path() / "creds").string();
  auto s = std::get<Config>(load_config({}, {{"CREDENTIALS_DIRECTORY", creds}}, {}));
  CHECK(s.app_token == "xapp-1-A1-123-credential");
  CHECK(s.bot_token == "xoxb-1-2-credential");
  CHECK(s.prometheus_token == "prom-credential");
  // A variable that is set wins over the credential.
  Settings env = tokens;
  env["CREDENTIALS_DIRECTORY"] = creds;
  CHECK(std::get<Config>(load_config({}, env, {})).bot_token == "xoxb-1-2-abcdefgh");

  std::string open = write("open", "xoxb-1-2-everyone", owner | fs::perms::others_read);
  CHECK(
      error_of({}, {{"SLACK_APP_TOKEN", "xapp-1-A1-123-abcdef"}, {"SLACK_BOT_TOKEN_FILE", open}}) ==
      "SLACK_BOT_TOKEN_FILE: " + open +
          " can be read by every user of this machine; make it private (chmod 600, or 440 "
          "with the bot's group) and start again");
  CHECK(error_of({}, {{"SLACK_APP_TOKEN_FILE", (dir.path() / "missing").string()},
                      {"SLACK_BOT_TOKEN", "xoxb-1-2-abcdefgh"}})
            .starts_with("SLACK_APP_TOKEN_FILE: " + (dir.path() / "missing").string() +
                         " is not a readable file"));
  Settings both = tokens;
  both["SLACK_BOT_TOKEN_FILE"] = bot;
  CHECK(error_of({}, both) ==
        "SLACK_BOT_TOKEN and SLACK_BOT_TOKEN_FILE are both set: keep one of them");
  // An empty file is an unset token.
  std::string empty = write("empty", "\n", owner);
  CHECK(error_of({}, {{"SLACK_APP_TOKEN_FILE", empty}, {"SLACK_BOT_TOKEN", "xoxb-1-2-abcdefgh"}})
            .starts_with("SLACK_APP_TOKEN is not set"));
}

TEST_CASE("HTTPS_PROXY is read with its credentials and NO_PROXY, never echoed") {
  Settings env = tokens;
  env["https_proxy"] = "http://me:pa55@proxy.corp:3128/";
  env["no_proxy"] = ".corp.example, 10.0.0.1";
  auto c = std::get<Config>(load_config({}, env, {}));
  REQUIRE(c.proxy);
  CHECK(c.proxy->host == "proxy.corp");
  CHECK(c.proxy->port == "3128");
  CHECK(c.proxy->authorization == "Basic bWU6cGE1NQ==");
  CHECK(c.proxy->shown == "http://me@proxy.corp:3128");
  CHECK(c.proxy->no_proxy == ".corp.example, 10.0.0.1");
  env["HTTPS_PROXY"] = "https://me:pa55@proxy.corp:3128";  // wins over https_proxy
  std::string error = error_of({}, env);
  CHECK(error.starts_with("HTTPS_PROXY must be http://host:port"));
  CHECK(error.find("pa55") == std::string::npos);
  env["HTTPS_PROXY"] = "";
  CHECK_FALSE(std::get<Config>(load_config({}, env, {})).proxy);
}

TEST_CASE("NO_PROXY names hosts, their subdomains, addresses, ports or everything") {
  using itpm::bot::bypasses_proxy;
  CHECK(bypasses_proxy("slack.com", "slack.com", "443"));
  CHECK(bypasses_proxy("slack.com", "wss-primary.slack.com", "443"));
  CHECK(bypasses_proxy(".slack.com", "wss-primary.slack.com", "443"));
  CHECK(bypasses_proxy(".slack.com", "slack.com", "443"));
  CHECK_FALSE(bypasses_proxy("slack.com", "notslack.com", "443"));
  CHECK(bypasses_proxy(" a.example , SLACK.com ", "Slack.Com", "443"));
  CHECK(bypasses_proxy("*", "anything.example", "443"));
  CHECK(bypasses_proxy("127.0.0.1", "127.0.0.1", "8443"));
  CHECK(bypasses_proxy("127.0.0.1:8443", "127.0.0.1", "8443"));
  CHECK_FALSE(bypasses_proxy("127.0.0.1:8443", "127.0.0.1", "443"));
  CHECK(bypasses_proxy("[::1]", "::1", "443"));
  CHECK(bypasses_proxy("::1", "::1", "443"));
  CHECK_FALSE(bypasses_proxy("", "slack.com", "443"));
}
