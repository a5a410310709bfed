#pragma once

#include "commands/registry.hpp"

#include <string>
#include <vector>

namespace itpm::commands {

// Registers the `staff` area: assign (0% removes) and list, flagging anyone above 100%.
void add_staff_commands(Registry& registry);

// "<@U1> is at 120% (dr-2027 50%, ci-speed 70%)" for each person on `program` whose
// allocations add up to more than 100%.
std::vector<std::string> over_allocated(const storage::Repositories& repos,
                                        const std::string& program);

}  // namespace itpm::commands
