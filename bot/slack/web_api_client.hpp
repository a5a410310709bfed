#pragma once

#include "bot/ops/metrics.hpp"
#include "bot/slack/api_result.hpp"
#include "bot/transport/http_client.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace itpm::bot {

struct CallOptions {
  bool app_token = false;  // authenticate with the xapp- token instead of the bot token
  int max_attempts = 4;    // 429, 5xx and network errors are retried up to this many attempts
  // False for calls that must not be repeated blindly (a post): a network error or 5xx may
  // come after Slack acted, so only 429s (which say it did not) are retried here.
  bool retry_ambiguous = true;
};

// Slack's Web API over HTTPS with keep-alive: JSON bodies with charset for write methods,
// form or query for read methods, Bearer tokens, 429 Retry-After honoured, bounded retries
// with backoff for the errors api_errors.hpp calls transient. Posts are paced per channel by their
// sender (FollowUps), before they take a connection.
class WebApiClient {
 public:
  WebApiClient(boost::asio::any_io_executor executor, HttpClient& http, std::string api_url,
               std::string bot_token, std::string app_token, Metrics& metrics);

  boost::asio::awaitable<ApiResult> call_json(std::string method, nlohmann::json body,
                                              CallOptions options = {});
  // POSTs form-encoded arguments (GET with a query string when `get`).
  boost::asio::awaitable<ApiResult> call_form(std::string method,
                                              std::vector<std::pair<std::string, std::string>> args,
                                              CallOptions options = {}, bool get = false);
  // chat.postMessage, tried once: never repeated blindly (the caller looks for the post
  // first), and a rate limit comes back to the caller, who waits it out.
  boost::asio::awaitable<ApiResult> post_message(nlohmann::json message);
  // A follow-up to a slash command or interaction (no Authorization header, as Slack expects).
  // Never repeated after an answer that leaves open whether it arrived (5xx, network). A URL
  // that is not https (or loopback http beside a loopback simulator) gets
  // "response_url_refused" and nothing is sent.
  boost::asio::awaitable<ApiResult> respond(std::string response_url, nlohmann::json message);

  // POSTs a file's bytes to the URL files.getUploadURLExternal gave (without a token: the URL
  // is the permission), tried once. A URL that is not https (or loopback http beside a loopback
  // simulator) gets "upload_url_refused"; an HTTP error status "http_<status>".
  boost::asio::awaitable<ApiResult> upload(std::string upload_url, std::string bytes,
                                           std::string content_type);

  [[nodiscard]] const std::string& api_url() const { return api_url_; }

  // Called (on the I/O thread) each time Slack refuses a token with an auth error
  // (token_revoked, invalid_auth, ...; see api_errors.hpp): which token, and the error.
  using TokenRefused = std::function<void(bool app_token, const std::string& error)>;
  void on_token_refused(TokenRefused refused) { token_refused_ = std::move(refused); }

 private:
  // Whether a URL from a payload or an answer may be followed.
  [[nodiscard]] bool followable(const std::string& url) const;
  boost::asio::awaitable<ApiResult> perform(const std::string& label, HttpRequest request,
                                            CallOptions options, bool slack_json);

  boost::asio::any_io_executor executor_;
  HttpClient& http_;
  std::string api_url_;
  std::string bot_token_;
  std::string app_token_;
  Metrics& metrics_;
  TokenRefused token_refused_;
};

// application/x-www-form-urlencoded encoding of one value, and of a whole form (k=v&k=v).
std::string form_encode(std::string_view value);
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& form);

}  // namespace itpm::bot
