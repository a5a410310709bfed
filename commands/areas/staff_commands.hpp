#pragma once

#include "commands/command.hpp"
#include "commands/language/parser.hpp"

#include <string>
#include <vector>

namespace itpm::commands {

// The `staff` area, grammar and handlers: assign (0% removes) and list, flagging anyone above 100%.
AreaSpec staff_area();

// "<@U1> is at 120% (dr-2027 50%, ci-speed 70%)" for each person on `program` whose
// allocations add up to more than 100%.
std::vector<std::string> over_allocated(const storage::Repositories& repos,
                                        const std::string& program);

}  // namespace itpm::commands
