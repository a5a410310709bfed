#pragma once

#include "commands/command.hpp"
#include "commands/language/parser.hpp"

#include <chrono>
#include <string>

namespace itpm::commands {

// The `dep` area, grammar and handlers: add, resolve, list (commands.md §2).
AreaSpec dep_area();

// "*X-2* on <#C1> “cross-region VPC peering” need-by Thu 2026-12-10 (in 13 days)"
std::string dependency_line(const storage::Dependency& d, std::chrono::sys_days today);

// When `after` (a milestone of program A) slipped past the need-by date of an open dependency
// some program B has on A, B's owner is told by DM (an effect of `out`).
void tell_dependents(Outcome& out, const storage::Milestone& before,
                     const storage::Milestone& after, const Context& ctx);

}  // namespace itpm::commands
