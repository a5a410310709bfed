#pragma once
// The App Home tab: what one person has on their plate, published when they open it.

#include "commands/command.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace itpm::commands {

// The home view (views.publish `view`) of `user`: what needs them now (their risks on the
// escalation ladder not yet acknowledged, their overdue actions and milestones), the risks they
// own (critical first, with their ladder level), their open corrective actions with SLO due
// dates, their open milestones, and the programs they own or sponsor with status colour and
// next review; buttons to raise a risk or record a decision. At most 10 lines a part and
// within Slack's 100 blocks.
nlohmann::json home_view(const std::string& user, const Context& ctx);

}  // namespace itpm::commands
