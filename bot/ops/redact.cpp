#include "bot/ops/redact.hpp"

namespace itpm::bot {

std::string redact_token(std::string_view token) {
  auto dash = token.find('-');
  std::string prefix =
      dash != std::string_view::npos && dash <= 5 ? std::string(token.substr(0, dash + 1)) : "";
  std::string tail = token.size() >= 12 ? std::string(token.substr(token.size() - 4)) : "";
  return prefix + "…" + tail;
}

std::string redact_url(std::string_view url) {
  auto q = url.find('?');
  return q == std::string_view::npos ? std::string(url) : std::string(url.substr(0, q)) + "?…";
}

}  // namespace itpm::bot
