#pragma once

#include "commands/registry.hpp"

namespace itpm::commands {

// Registers the `decision` area: add, list, search, show, supersede (commands.md §2).
// `add` posts the decision in the channel as a message of its own (an effect that records
// the message's permalink once posted).
void add_decision_commands(Registry& registry);

}  // namespace itpm::commands
