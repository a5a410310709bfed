#pragma once

#include "bot/ops/config.hpp"
#include "bot/ops/exit_code.hpp"

namespace itpm::bot {

// Wires store, Web API, Socket Mode, dispatcher and HTTP listener together and runs them on
// one io_context until SIGINT/SIGTERM or a fatal Slack answer. Returns an ExitCode.
int run_bot(const Config& config);

}  // namespace itpm::bot
