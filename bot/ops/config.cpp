#include "bot/ops/config.hpp"

#include "bot/ops/redact.hpp"
#include "bot/transport/url_checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace itpm::bot {
namespace {

// An http(s) base URL: a scheme, a host, maybe a path; no query, fragment or blanks.
bool base_url(std::string_view url) {
  std::string_view rest = url.starts_with("https://")  ? url.substr(8)
                          : url.starts_with("http://") ? url.substr(7)
                                                       : std::string_view();
  return !rest.empty() && !rest.starts_with('/') && url.find_first_of("?# \t") == std::string::npos;
}

std::string trim(std::string_view s) {
  auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  auto last = s.find_last_not_of(" \t\r");
  return std::string(s.substr(first, last - first + 1));
}

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto comma = s.find(',', start);
    std::string item =
        trim(s.substr(start, comma == std::string_view::npos ? s.npos : comma - start));
    if (!item.empty()) out.push_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::optional<long> parse_positive(std::string_view s) {
  long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

bool is_slack_id(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

std::optional<ConfigError> check_token(const std::string& name, const std::string& value,
                                       std::string_view prefix, std::string_view what) {
  if (value.empty()) {
    return ConfigError{fmt::format("{} is not set: give the {} ({}…)", name, what, prefix)};
  }
  if (value.find("REPLACE") != std::string::npos) {
    return ConfigError{
        fmt::format("{} is still the placeholder from the example file: paste the {} ({}…)", name,
                    what, prefix)};
  }
  if (!value.starts_with(prefix) || value.size() < prefix.size() + 8 ||
      value.find_first_of(" \t\r\n") != std::string::npos) {
    return ConfigError{fmt::format("{} is malformed: expected the {} ({}…), got {}", name, what,
                                   prefix, redact_token(value))};
  }
  return std::nullopt;
}

// A secret read from `path` for `name` (its surrounding whitespace and final newline dropped).
// A file anyone on the machine may read is refused: a token there is no secret.
std::variant<std::string, ConfigError> read_secret(const std::string& name,
                                                   const std::filesystem::path& path) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::is_regular_file(status)) {
    return ConfigError{fmt::format("{}: {} is not a readable file{}", name, path.string(),
                                   ec ? " (" + ec.message() + ")" : "")};
  }
  if ((status.permissions() & std::filesystem::perms::others_read) !=
      std::filesystem::perms::none) {
    return ConfigError{fmt::format(
        "{}: {} can be read by every user of this machine; make it private (chmod 600, or 440 "
        "with the bot's group) and start again",
        name, path.string())};
  }
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) return ConfigError{fmt::format("{}: cannot read {}", name, path.string())};
  auto first = text.find_first_not_of(" \t\r\n");
  auto last = text.find_last_not_of(" \t\r\n");
  return first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& known_settings() {
  static const std::vector<std::pair<std::string, std::string>> keys = {
      {"SLACK_APP_TOKEN", "app-level token xapp-… (connections:write), required"},
      {"SLACK_BOT_TOKEN", "bot token xoxb-…, required"},
      {"SLACK_APP_TOKEN_FILE", "read SLACK_APP_TOKEN from this file (private to the bot)"},
      {"SLACK_BOT_TOKEN_FILE", "read SLACK_BOT_TOKEN from this file (private to the bot)"},
      {"CREDENTIALS_DIRECTORY",
       "set by systemd's LoadCredential=: tokens from its slack-app-token, slack-bot-token and "
       "prometheus-token files"},
      {"SLACK_API_URL", "Web API base URL ending in / (default https://slack.com/api/)"},
      {"ITPM_DATA_DIR", "RocksDB directory (default ./data)"},
      {"ITPM_ADMINS", "comma-separated Slack user IDs with admin rights"},
      {"ITPM_ESCALATION_CHANNEL", "channel ID for level-3 escalations"},
      {"ITPM_TZ", "default IANA time zone (default UTC)"},
      {"ITPM_HTTP_LISTEN", "health/metrics listener HOST:PORT (default 127.0.0.1:9464)"},
      {"ITPM_LOG_LEVEL", "debug|info|warn|error (default info)"},
      {"ITPM_LOG_FORMAT", "text, or json: one object a line (default text)"},
      {"ITPM_PING_INTERVAL_MS", "WebSocket keep-alive ping interval (default 5000)"},
      {"ITPM_STALE_AFTER_MS", "replace a connection silent this long (default 30000)"},
      {"ITPM_DEBUG_RECONNECTS", "1: ask Slack for short-lived connections (testing)"},
      {"ITPM_BACKUP_DIR", "take automatic verified backups into this folder"},
      {"ITPM_BACKUP_INTERVAL_MIN", "minutes between automatic backups (default 1440)"},
      {"ITPM_BACKUP_KEEP", "automatic backups to keep (default 7)"},
      {"ITPM_LADDER_STEP_MIN", "minutes between escalation levels (default 1440)"},
      {"ITPM_GRACE_MIN", "post a missed reminder up to this many minutes late (default 120)"},
      {"ITPM_WORKING_HOURS",
       "working hours until `config set working-hours` (default \"mon-fri 09:00-18:00\")"},
      {"ITPM_PROMETHEUS_URL",
       "Prometheus base URL (http:// or https://) to read each month's availability from"},
      {"ITPM_PROMETHEUS_TOKEN", "bearer token for ITPM_PROMETHEUS_URL, if it needs one"},
      {"ITPM_PROMETHEUS_TOKEN_FILE", "read ITPM_PROMETHEUS_TOKEN from this file"},
      {"HTTPS_PROXY", "http://[user:password@]host:port: reach Slack through this proxy"},
      {"https_proxy", "the same as HTTPS_PROXY (which wins)"},
      {"NO_PROXY", "hosts (and their subdomains), IPs or * that go direct, comma-separated"},
      {"no_proxy", "the same as NO_PROXY (which wins)"},
      {"ITPM_AVAILABILITY_QUERY",
       "PromQL for a month's availability in percent, until `config set availability-query`"},
      {"ITPM_DASHBOARD_URL",
       "where people reach the dashboard (links are <it>/dashboard/...; default http:// and "
       "ITPM_HTTP_LISTEN)"},
      {"ITPM_DASHBOARD_LINK_HOURS", "how long a /itpm dashboard link works, 1-168 (default 12)"},
  };
  return keys;
}

std::variant<Settings, ConfigError> read_settings_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return ConfigError{fmt::format("cannot read config file {}", file.string())};
  Settings out;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::string t = trim(line);
    if (t.empty() || t.starts_with('#')) continue;
    if (t.starts_with("export ")) t = trim(std::string_view(t).substr(7));
    auto eq = t.find('=');
    if (eq == std::string::npos || eq == 0) {
      return ConfigError{fmt::format("{}:{}: expected KEY=VALUE", file.string(), number)};
    }
    std::string key = trim(std::string_view(t).substr(0, eq));
    std::string value = trim(std::string_view(t).substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    auto known = std::find_if(known_settings().begin(), known_settings().end(),
                              [&](const auto& k) { return k.first == key; });
    if (known == known_settings().end()) {
      return ConfigError{fmt::format("{}:{}: unknown setting {}", file.string(), number, key)};
    }
    out[key] = value;
  }
  return out;
}

Settings settings_from_environment() {
  Settings out;
  for (const auto& [key, help] : known_settings()) {
    if (const char* v = std::getenv(key.c_str()); v != nullptr) out[key] = v;
  }
  return out;
}

std::variant<Config, ConfigError> load_config(const Settings& command_line, const Settings& env,
                                              const Settings& file) {
  auto get = [&](const std::string& key) -> std::optional<std::string> {
    for (const Settings* s : {&command_line, &env, &file}) {
      if (auto it = s->find(key); it != s->end()) return it->second;
    }
    return std::nullopt;
  };
  // A secret: the variable itself, or the file NAME_FILE names, or systemd's credential.
  auto secret = [&](const std::string& name, const std::string& credential,
                    std::string& out) -> std::optional<ConfigError> {
    auto value = get(name);
    auto from_file = get(name + "_FILE");
    if (value && from_file) {
      return ConfigError{fmt::format("{} and {}_FILE are both set: keep one of them", name, name)};
    }
    std::filesystem::path path;
    if (from_file) {
      path = *from_file;
    } else if (auto dir = get("CREDENTIALS_DIRECTORY"); !value && dir && !dir->empty()) {
      path = std::filesystem::path(*dir) / credential;
      if (!std::filesystem::exists(path)) return std::nullopt;
    }
    if (path.empty()) {
      out = value.value_or("");
      return std::nullopt;
    }
    auto read = read_secret(from_file ? name + "_FILE" : "CREDENTIALS_DIRECTORY", path);
    if (auto* err = std::get_if<ConfigError>(&read)) return *err;
    out = std::get<std::string>(read);
    return std::nullopt;
  };
  Config c;
  if (auto e = secret("SLACK_APP_TOKEN", "slack-app-token", c.app_token)) return *e;
  if (auto e = secret("SLACK_BOT_TOKEN", "slack-bot-token", c.bot_token)) return *e;
  if (auto e = check_token("SLACK_APP_TOKEN", c.app_token, "xapp-", "app-level token")) return *e;
  if (auto e = check_token("SLACK_BOT_TOKEN", c.bot_token, "xoxb-", "bot token")) return *e;

  if (auto v = get("SLACK_API_URL")) c.api_url = *v;
  if (!(has_scheme(c.api_url, "https") || has_scheme(c.api_url, "http")) ||
      !c.api_url.ends_with("/")) {
    return ConfigError{fmt::format(
        "SLACK_API_URL must start with https:// (or http:// for a local simulator) and end with /, "
        "got {}",
        c.api_url)};
  }
  if (c.plain_api() && !is_loopback_url(c.api_url)) {
    return ConfigError{fmt::format(
        "SLACK_API_URL {} is plain http:// to another machine: tokens would cross the network "
        "unencrypted. Use https://, or http:// only for a simulator on this machine (127.0.0.1, "
        "localhost, [::1])",
        c.api_url)};
  }
  if (auto v = get("ITPM_DATA_DIR")) {
    if (v->empty()) return ConfigError{"ITPM_DATA_DIR is empty: give a directory"};
    c.data_dir = *v;
  }
  if (auto v = get("ITPM_ADMINS")) {
    c.admins = split_list(*v);
    for (const auto& id : c.admins) {
      if (!is_slack_id(id)) {
        return ConfigError{
            fmt::format("ITPM_ADMINS must be Slack user IDs like U024BE7LH, got {}", id)};
      }
    }
  }
  if (auto v = get("ITPM_ESCALATION_CHANNEL"); v && !v->empty()) {
    if (!is_slack_id(*v)) {
      return ConfigError{
          fmt::format("ITPM_ESCALATION_CHANNEL must be a channel ID like C024BE91L, got {}", *v)};
    }
    c.escalation_channel = *v;
  }
  if (auto v = get("ITPM_TZ"); v && !v->empty()) c.default_tz = *v;
  if (auto v = get("ITPM_HTTP_LISTEN")) {
    if (auto listen = parse_host_port(*v); !listen || listen->host.empty()) {
      return ConfigError{fmt::format("ITPM_HTTP_LISTEN must be HOST:PORT, got {}", *v)};
    }
    c.http_listen = *v;
  }
  if (auto v = get("ITPM_LOG_LEVEL")) {
    if (*v != "debug" && *v != "info" && *v != "warn" && *v != "error") {
      return ConfigError{
          fmt::format("ITPM_LOG_LEVEL must be debug, info, warn or error, got {}", *v)};
    }
    c.log_level = *v;
  }
  if (auto v = get("ITPM_LOG_FORMAT")) {
    if (*v != "text" && *v != "json") {
      return ConfigError{fmt::format("ITPM_LOG_FORMAT must be text or json, got {}", *v)};
    }
    c.log_format = *v;
  }
  for (auto [key, target] : {std::pair{"ITPM_PING_INTERVAL_MS", &c.ping_interval},
                             std::pair{"ITPM_STALE_AFTER_MS", &c.stale_after}}) {
    if (auto v = get(key)) {
      auto ms = parse_positive(*v);
      if (!ms)
        return ConfigError{
            fmt::format("{} must be a positive number of milliseconds, got {}", key, *v)};
      *target = std::chrono::milliseconds(*ms);
    }
  }
  if (c.stale_after <= c.ping_interval) {
    return ConfigError{"ITPM_STALE_AFTER_MS must be larger than ITPM_PING_INTERVAL_MS"};
  }
  if (auto v = get("ITPM_DEBUG_RECONNECTS")) c.debug_reconnects = (*v == "1" || *v == "true");
  if (auto v = get("ITPM_BACKUP_DIR"); v && !v->empty()) c.backup_dir = *v;
  if (auto v = get("ITPM_BACKUP_INTERVAL_MIN")) {
    auto minutes = parse_positive(*v);
    if (!minutes)
      return ConfigError{
          fmt::format("ITPM_BACKUP_INTERVAL_MIN must be a positive number of minutes, got {}", *v)};
    c.backup_interval = std::chrono::minutes(*minutes);
  }
  if (auto v = get("ITPM_BACKUP_KEEP")) {
    auto keep = parse_positive(*v);
    if (!keep || *keep > 1000)
      return ConfigError{
          fmt::format("ITPM_BACKUP_KEEP must be a number from 1 to 1000, got {}", *v)};
    c.backup_keep = static_cast<int>(*keep);
  }
  if (auto v = get("ITPM_LADDER_STEP_MIN")) {
    auto minutes = parse_positive(*v);
    if (!minutes || *minutes > 30 * 24 * 60)
      return ConfigError{fmt::format(
          "ITPM_LADDER_STEP_MIN must be a number of minutes from 1 to 43200, got {}", *v)};
    c.ladder_step = std::chrono::minutes(*minutes);
  }
  if (auto v = get("ITPM_GRACE_MIN")) {
    auto minutes = parse_positive(*v);
    if (!minutes || *minutes > 7 * 24 * 60)
      return ConfigError{
          fmt::format("ITPM_GRACE_MIN must be a number of minutes from 1 to 10080, got {}", *v)};
    c.grace = std::chrono::minutes(*minutes);
  }
  if (auto v = get("ITPM_WORKING_HOURS")) {
    std::string error;
    auto hours = commands::parse_working_hours(*v, error);
    if (!hours) return ConfigError{"ITPM_WORKING_HOURS: " + error};
    c.working_hours = *hours;
  }
  if (auto v = get("ITPM_PROMETHEUS_URL"); v && !v->empty()) {
    if (!base_url(*v)) {
      return ConfigError{fmt::format(
          "ITPM_PROMETHEUS_URL must be the server's base URL, like http://prometheus:9090 or "
          "https://monitoring.example.com/prometheus, got {}",
          *v)};
    }
    c.prometheus_url = *v;
  }
  if (auto e = secret("ITPM_PROMETHEUS_TOKEN", "prometheus-token", c.prometheus_token)) return *e;
  auto proxy = get("HTTPS_PROXY");
  if (!proxy) proxy = get("https_proxy");
  if (proxy && !proxy->empty()) {
    auto no_proxy = get("NO_PROXY");
    if (!no_proxy) no_proxy = get("no_proxy");
    std::string error;
    c.proxy = parse_proxy(*proxy, no_proxy.value_or(""), error);
    if (!c.proxy) return ConfigError{error};
  }
  if (auto v = get("ITPM_AVAILABILITY_QUERY")) c.availability_query = *v;
  if (auto v = get("ITPM_DASHBOARD_URL"); v && !v->empty()) {
    std::string_view url = *v;
    if (!base_url(url)) {
      return ConfigError{fmt::format(
          "ITPM_DASHBOARD_URL must be the base URL people reach the bot's listener at, like "
          "https://itpm.example.com (links are <it>/dashboard/…), got {}",
          *v)};
    }
    while (url.ends_with('/')) url.remove_suffix(1);
    c.dashboard_url = std::string(url);
  }
  if (auto v = get("ITPM_DASHBOARD_LINK_HOURS")) {
    int hours = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), hours);
    if (ec != std::errc() || end != v->data() + v->size() || hours < 1 || hours > 168) {
      return ConfigError{
          fmt::format("ITPM_DASHBOARD_LINK_HOURS must be 1 to 168 (hours), got {}", *v)};
    }
    c.dashboard_link_lifetime = std::chrono::hours(hours);
  }
  return c;
}

std::string Config::dashboard_base(std::uint16_t bound_port) const {
  if (!dashboard_url.empty()) return dashboard_url;
  // The listener itself; a wildcard address is reached on loopback.
  auto listen = parse_host_port(http_listen).value_or(HostPort{"127.0.0.1", 9464});
  std::string host = listen.host == "0.0.0.0" || listen.host == "::" || listen.host == "[::]"
                         ? "127.0.0.1"
                         : listen.host;
  if (host.find(':') != std::string::npos && !host.starts_with('[')) host = "[" + host + "]";
  return fmt::format("http://{}:{}", host, bound_port != 0 ? bound_port : listen.port);
}

commands::Policy Config::policy() const {
  commands::Policy policy;
  policy.ladder_step = ladder_step;
  policy.grace = grace;
  policy.escalation_channel = escalation_channel;
  policy.default_zone = default_tz;
  policy.working_hours = working_hours;
  policy.prometheus_url = prometheus_url;
  policy.availability_query = availability_query;
  policy.dashboard_url = dashboard_base();
  policy.dashboard_link_lifetime = dashboard_link_lifetime;
  return policy;
}

}  // namespace itpm::bot
