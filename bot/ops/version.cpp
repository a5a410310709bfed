#include "bot/ops/version.hpp"

// ITPM_BUILD_REVISION is defined for this file alone (bot/CMakeLists.txt), so a new revision
// recompiles only it.
namespace itpm::bot {

const char* build_revision() {
  return ITPM_BUILD_REVISION;
}

}  // namespace itpm::bot
