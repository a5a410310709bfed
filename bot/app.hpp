#pragma once

#include "bot/config.hpp"

namespace itpm::bot {

// Exit codes of the bot process (see README "Exit codes").
enum ExitCode : int {
  exit_ok = 0,
  exit_runtime_error = 1,  // the store or the HTTP listener could not start
  exit_config_error = 2,   // a missing or malformed setting
  exit_auth_error = 3,     // Slack rejected a token
  exit_link_disabled = 4,  // Socket Mode is turned off for the app
};

// Wires store, Web API, Socket Mode, dispatcher and HTTP listener together and runs them on
// one io_context until SIGINT/SIGTERM or a fatal Slack answer. Returns an ExitCode.
int run_bot(const Config& config);

}  // namespace itpm::bot
