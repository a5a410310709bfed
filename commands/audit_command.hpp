#pragma once

#include "commands/registry.hpp"

namespace itpm::commands {

// Registers `audit <id>`: every change to a program, risk or decision, oldest first.
void add_audit_command(Registry& registry);

}  // namespace itpm::commands
