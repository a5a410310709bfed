#pragma once
// The `/itpm` command table: every area with its verbs, their arguments and their handlers,
// in the order help lists them. Each area's part lives in its own file under areas/.

#include "commands/language/grammar.hpp"

namespace itpm::commands {

const Grammar& command_grammar();

}  // namespace itpm::commands
