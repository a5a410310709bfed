#pragma once

#include "commands/registry.hpp"

namespace itpm::commands {

// Registers every area that has handlers (program, risk, decision, review, status,
// milestone, dep, action, staff, config, audit) on top of the built-in help and whoami.
void add_all_areas(Registry& registry);

}  // namespace itpm::commands
