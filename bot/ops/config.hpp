#pragma once

#include "bot/transport/proxy.hpp"
#include "commands/command.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace itpm::bot {

// Everything the bot reads at start-up. Built by load_config(); never logged whole
// (it holds tokens).
struct Config {
  std::string app_token;  // xapp-…
  std::string bot_token;  // xoxb-…
  std::string api_url = "https://slack.com/api/";
  std::filesystem::path data_dir = "./data";
  std::vector<std::string> admins;
  std::string escalation_channel;
  std::string default_tz = "UTC";
  std::string http_listen = "127.0.0.1:9464";
  std::string log_level = "info";
  std::string log_format = "text";  // or json
  std::chrono::milliseconds ping_interval{5000};
  std::chrono::milliseconds stale_after{30000};
  bool debug_reconnects = false;
  std::filesystem::path backup_dir;  // empty: no automatic backups
  std::chrono::minutes backup_interval{1440};
  int backup_keep = 7;
  std::chrono::minutes ladder_step{24 * 60};  // between escalation levels
  std::chrono::minutes grace{120};            // a reminder later than this is skipped
  commands::WorkingHours working_hours = commands::default_working_hours();  // until `config set`
  std::string prometheus_url;          // empty: availability is only typed in
  std::string prometheus_token;        // a bearer token for it, if it needs one
  std::string availability_query;      // until `config set availability-query`
  std::optional<ProxySettings> proxy;  // HTTPS_PROXY (with NO_PROXY): egress for https/wss
  std::string dashboard_url;           // ITPM_DASHBOARD_URL; empty: http:// + http_listen
  std::chrono::hours dashboard_link_lifetime{12};  // ITPM_DASHBOARD_LINK_HOURS

  // True when the API URL is plain http:// (a local simulator): then ws:// is accepted too.
  [[nodiscard]] bool plain_api() const { return api_url.starts_with("http://"); }
  // The settings of the environment that shape commands and jobs, over commands.md's
  // defaults (what admins store with `config set` applies on top, per command).
  [[nodiscard]] commands::Policy policy() const;
  // Where people reach the dashboard: ITPM_DASHBOARD_URL, else http:// and the listener (a
  // wildcard address as 127.0.0.1; `bound_port` when given, the port it was bound to when
  // ITPM_HTTP_LISTEN asks for any); no trailing slash.
  [[nodiscard]] std::string dashboard_base(std::uint16_t bound_port = 0) const;
};

// A setting that is missing or malformed; `message` is one line naming the variable.
struct ConfigError {
  std::string message;
};

// Keys are the environment variable names (SLACK_APP_TOKEN, ITPM_DATA_DIR, ...).
using Settings = std::map<std::string, std::string>;

// Reads a KEY=VALUE file (the same format as systemd's EnvironmentFile: '#' comments, optional
// quotes). Returns ConfigError if it cannot be read or a line is not KEY=VALUE.
std::variant<Settings, ConfigError> read_settings_file(const std::filesystem::path& file);

// The process environment, restricted to the keys the bot knows.
Settings settings_from_environment();

// Merges command line over environment over file, applies defaults and validates every value.
std::variant<Config, ConfigError> load_config(const Settings& command_line, const Settings& env,
                                              const Settings& file);

// Every key load_config() understands, with a one-line description (for --help and docs).
const std::vector<std::pair<std::string, std::string>>& known_settings();

}  // namespace itpm::bot
