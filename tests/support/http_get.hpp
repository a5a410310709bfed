#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace itpm::test {

struct HttpGetResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names in lower case
};

// A blocking GET (or HEAD) to 127.0.0.1:port with a 5 s timeout. Throws on connection errors.
HttpGetResult http_get(std::uint16_t port, const std::string& target, bool head = false);

}  // namespace itpm::test
