#pragma once

#include "commands/registry.hpp"

namespace itpm::commands {

// Registers the `program` area: add, list, show, update, close (commands.md §2).
void add_program_commands(Registry& registry);

}  // namespace itpm::commands
