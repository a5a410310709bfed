#pragma once
// What build this is: the version (ITPM_VERSION, from CMake's project()) and the git revision it
// was built from, for --version and itpm_build_info.

namespace itpm::bot {

// The git revision the build was configured from ("unknown" outside a git checkout; set it
// with -DITPM_REVISION=... when building from an archive).
const char* build_revision();

}  // namespace itpm::bot
