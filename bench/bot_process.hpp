#pragma once
// What the benchmarks need to run the real bot against the in-process Slack simulator: the
// environment that points it there, and the HTTP port it logged.

#include "tools/slack_sim/sim_server.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>

namespace itpm::bench {

// SLACK_API_URL, both tokens and SSL_CERT_FILE (`ca`, the simulator's certificate).
inline std::map<std::string, std::string> slack_env(const sim::SlackSim& sim,
                                                    const std::filesystem::path& ca) {
  return {{"SLACK_API_URL", sim.api_url()},
          {"SLACK_APP_TOKEN", sim.options().app_token},
          {"SLACK_BOT_TOKEN", sim.options().bot_token},
          {"SSL_CERT_FILE", ca.string()}};
}

// The health and metrics port the bot logged (at level info) when it last started with output
// to `log`; nullopt when the log has none yet. Logs are appended to: the newest start counts.
inline std::optional<std::uint16_t> logged_http_port(const std::filesystem::path& log) {
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string marker = "health and metrics on http://127.0.0.1:";
  auto at = text.rfind(marker);
  if (at == std::string::npos) return std::nullopt;
  return static_cast<std::uint16_t>(std::stoi(text.substr(at + marker.size())));
}

}  // namespace itpm::bench
