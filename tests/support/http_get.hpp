#pragma once

#include <cstdint>
#include <string>

namespace itpm::test {

struct HttpGetResult {
  int status = 0;
  std::string body;
};

// A blocking GET to 127.0.0.1:port with a 5 s timeout. Throws on connection errors.
HttpGetResult http_get(std::uint16_t port, const std::string& target);

}  // namespace itpm::test
