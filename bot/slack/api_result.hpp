#pragma once
// What one Web API call came to, apart from the client that makes calls: the delivery machine
// and other sans-io parts read results without Asio.

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace itpm::bot {

// The outcome of one Web API call after retries. `error` is Slack's error code for ok:false,
// or "network_error" / "http_<status>" / "invalid_response" when Slack never answered properly.
struct ApiResult {
  bool ok = false;
  std::string error;
  nlohmann::json body;
  std::optional<std::chrono::seconds> retry_after;  // set when the last answer was a 429
  std::string scopes;  // the scopes Slack says the token has (X-OAuth-Scopes), comma-separated
};

}  // namespace itpm::bot
