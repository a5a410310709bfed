#pragma once

#include "commands/command.hpp"
#include "commands/language/parser.hpp"

namespace itpm::commands {

// The `program` area, grammar and handlers: add, list, show, update, close (commands.md §2).
AreaSpec program_area();

}  // namespace itpm::commands
