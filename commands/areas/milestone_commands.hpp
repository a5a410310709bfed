#pragma once

#include "commands/command.hpp"
#include "commands/language/parser.hpp"

#include <chrono>
#include <string>

namespace itpm::commands {

// The `milestone` area, grammar and handlers: add, done, slip, list (commands.md §2). A slip keeps
// the old and new due date and the reason, for reports and KPIs.
AreaSpec milestone_area();

// "due Thu 2026-12-03 (in 6 days)", "due today", "overdue 3 days (due Mon 2026-11-23)".
std::string milestone_due(const storage::Milestone& m, std::chrono::sys_days today);

}  // namespace itpm::commands
