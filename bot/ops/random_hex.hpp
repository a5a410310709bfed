#pragma once

#include <cstddef>
#include <string>

namespace itpm::bot {

// `bytes` random bytes from OpenSSL's generator, as lower-case hex (twice as many characters):
// post keys, the dashboard's signing key. Throws std::runtime_error naming `what` if OpenSSL
// has no random bytes to give.
std::string random_hex(std::size_t bytes, const char* what);

}  // namespace itpm::bot
