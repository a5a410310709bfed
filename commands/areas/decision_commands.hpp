#pragma once

#include "commands/command.hpp"
#include "commands/language/parser.hpp"

namespace itpm::commands {

// The `decision` area, grammar and handlers: add, list, search, show, supersede (commands.md §2).
// `add` posts the decision in the channel as a message of its own (an effect that records
// the message's permalink once posted).
AreaSpec decision_area();

}  // namespace itpm::commands
