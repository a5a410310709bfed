#pragma once

#include "commands/command.hpp"
#include "commands/language/parser.hpp"

namespace itpm::commands {

// `help [area]`: the areas of the grammar it was typed against, or one area's verbs with
// their usage.
AreaSpec help_area();
// `whoami`: who the bot thinks the caller is, and what they may change.
AreaSpec whoami_area();

}  // namespace itpm::commands
