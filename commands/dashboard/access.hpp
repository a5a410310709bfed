#pragma once
// Who may see what on the dashboard: the one rule both `/itpm dashboard <program>` and the pages
// ask. Every member of the workspace may see every program today (outsiders never get a link:
// the dispatcher answers them one line); private programs add their rule here.

#include "commands/dashboard/link.hpp"
#include "storage/records.hpp"

#include <string_view>

namespace itpm::commands::dashboard {

// Whether `user` may see program `program`'s pages.
inline bool may_see(std::string_view user, const storage::Program& program) {
  (void)program;
  return !user.empty();
}

// Whether a link's grant covers `program`: its scope is every program or that one, and its
// holder may see it.
inline bool covers(const Grant& grant, const storage::Program& program) {
  return (grant.scope == all_programs || grant.scope == program.key) &&
         may_see(grant.user, program);
}

}  // namespace itpm::commands::dashboard
