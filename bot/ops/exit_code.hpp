#pragma once

namespace itpm::bot {

// Exit codes of the bot process (see README "Exit codes"); the one list every part uses.
enum ExitCode : int {
  exit_ok = 0,
  exit_runtime_error = 1,  // the store or the HTTP listener could not start
  exit_config_error = 2,   // a missing or malformed setting
  exit_auth_error = 3,     // Slack rejected a token
  exit_link_disabled = 4,  // Socket Mode is turned off for the app
};

}  // namespace itpm::bot
