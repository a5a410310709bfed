#pragma once

#include "commands/command.hpp"
#include "commands/language/grammar.hpp"

namespace itpm::commands {

// `/itpm help`: every area with its summary. `/itpm help <area>`: that area's verbs with their
// usage. Both are generated from `grammar`. An unknown area is an error with a suggestion.
Reply help_reply(const Grammar& grammar, std::string_view area_word);

}  // namespace itpm::commands
