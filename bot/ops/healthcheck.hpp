#pragma once
// `itpm-bot healthcheck`: for a container's HEALTHCHECK or a script, asks the running bot's
// GET /readyz on its health listener and turns the answer into an exit code.

#include <string>

namespace itpm::bot {

// Asks http://<http_listen>/readyz (a wildcard host, 0.0.0.0 or ::, is asked on loopback),
// waiting at most 5 s. Exit 0 when the bot says ready; 1 when it says not ready (its reason on
// stderr) or does not answer; 2 when `http_listen` is not HOST:PORT with a fixed port.
int run_healthcheck(const std::string& http_listen);

}  // namespace itpm::bot
