#pragma once

#include "commands/registry.hpp"

#include <nlohmann/json.hpp>

namespace itpm::commands {

// Registers `config show` (anyone) and `config set <key> <value>` (admins): escalation
// channel, threshold, ladder step, default time zone, grace window, corrective-action SLO
// days and KPI targets. Stored in the bot's database with an audit entry ("config").
void add_config_commands(Registry& registry);

// `base` (defaults and environment) with the settings admins stored applied on top; a stored
// value this build cannot read is ignored.
Policy effective_policy(const Policy& base, const nlohmann::json& stored);

}  // namespace itpm::commands
