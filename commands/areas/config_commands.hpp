#pragma once

#include "commands/command.hpp"
#include "commands/language/parser.hpp"

#include <nlohmann/json.hpp>

namespace itpm::commands {

// The grammar and handlers of `config show` (anyone) and `config set <key> <value>` (admins):
// escalation channel, threshold, ladder step, default time zone, grace window, corrective-action
// SLO days and KPI targets. Stored in the bot's database with an audit entry ("config").
AreaSpec config_area();

// `base` (defaults and environment) with the settings admins stored applied on top; a stored
// value this build cannot read is ignored.
Policy effective_policy(const Policy& base, const nlohmann::json& stored);

// The context a command or job runs in at `now`: `settings` with what admins stored applied
// on top (from the next command on); an empty `zone` means the default zone.
Context make_context(storage::Repositories& repos, const Settings& settings,
                     std::chrono::system_clock::time_point now, const std::string& zone);

}  // namespace itpm::commands
