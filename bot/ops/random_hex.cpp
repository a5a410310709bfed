#include "bot/ops/random_hex.hpp"

#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace itpm::bot {

std::string random_hex(std::size_t bytes, const char* what) {
  std::vector<unsigned char> raw(bytes);
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1)
    throw std::runtime_error(std::string("no random bytes for ") + what +
                             " (OpenSSL RAND_bytes failed)");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (unsigned char b : raw) {
    out += hex[b >> 4U];
    out += hex[b & 0xfU];
  }
  return out;
}

}  // namespace itpm::bot
