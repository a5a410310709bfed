#pragma once

#include "commands/language/parser.hpp"

namespace itpm::commands {

// `dashboard [program]`: the caller's personal, expiring link to the read-only dashboard (the
// portfolio, or one program's pages), under Policy::dashboard_url (commands.md §7).
AreaSpec dashboard_area();

}  // namespace itpm::commands
