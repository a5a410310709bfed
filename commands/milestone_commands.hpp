#pragma once

#include "commands/registry.hpp"

#include <chrono>
#include <string>

namespace itpm::commands {

// Registers the `milestone` area: add, done, slip, list (commands.md §2). A slip keeps the
// old and new due date and the reason, for reports and KPIs.
void add_milestone_commands(Registry& registry);

// "due Thu 2026-12-03 (in 6 days)", "due today", "overdue 3 days (due Mon 2026-11-23)".
std::string milestone_due(const storage::Milestone& m, std::chrono::sys_days today);

}  // namespace itpm::commands
