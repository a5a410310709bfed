#pragma once

#include "commands/command.hpp"
#include "commands/language/parser.hpp"

namespace itpm::commands {

// The `holiday` area (commands.md §6): add, list and remove days nobody works, for the
// workspace (admins) or for a program's channels (whoever runs the program).
AreaSpec holiday_area();

// The `ooo` area: set, clear and list absences, with a delegate who gets what the bot would
// DM the person meanwhile.
AreaSpec ooo_area();

}  // namespace itpm::commands
