#pragma once

#include "commands/registry.hpp"

namespace itpm::commands {

// Registers the `review` area (schedule, list, cancel, skip, now, record) and `status`
// (commands.md §2). Reminders themselves are jobs (review_cadence.hpp).
void add_review_commands(Registry& registry);

}  // namespace itpm::commands
