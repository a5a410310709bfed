#include "bot/slack/web_api_client.hpp"

#include "bot/slack/api_errors.hpp"
#include "bot/transport/url_checks.hpp"
#include "common/json_text.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cctype>
#include <charconv>

namespace itpm::bot {

namespace net = boost::asio;

namespace {

constexpr auto json_content_type = "application/json; charset=utf-8";
constexpr auto form_content_type = "application/x-www-form-urlencoded";

net::awaitable<void> wait_for(std::chrono::steady_clock::duration d) {
  net::steady_timer timer(co_await net::this_coro::executor, d);
  co_await timer.async_wait(net::as_tuple(net::use_awaitable));
}

std::chrono::seconds parse_retry_after(const std::string& header) {
  long v = 1;
  auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), v);
  if (ec != std::errc{} || v < 1) v = 1;
  return std::chrono::seconds(std::min<long>(v, 300));
}

}  // namespace

std::string form_encode(std::string_view value) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4U];
      out += hex[c & 0xfU];
    }
  }
  return out;
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& form) {
  std::string encoded;
  for (const auto& [k, v] : form)
    encoded += (encoded.empty() ? "" : "&") + form_encode(k) + "=" + form_encode(v);
  return encoded;
}

WebApiClient::WebApiClient(net::any_io_executor executor, HttpClient& http, std::string api_url,
                           std::string bot_token, std::string app_token, Metrics& metrics)
    : executor_(std::move(executor)),
      http_(http),
      api_url_(std::move(api_url)),
      bot_token_(std::move(bot_token)),
      app_token_(std::move(app_token)),
      metrics_(metrics) {}

net::awaitable<ApiResult> WebApiClient::call_json(std::string method, nlohmann::json body,
                                                  CallOptions options) {
  HttpRequest req;
  req.idempotent = options.retry_ambiguous;
  req.url = api_url_ + method;
  req.headers = {{"Content-Type", json_content_type},
                 {"Authorization", "Bearer " + (options.app_token ? app_token_ : bot_token_)}};
  req.body = common::json_text(body);
  co_return co_await perform(method, std::move(req), options, true);
}

net::awaitable<ApiResult> WebApiClient::call_form(
    std::string method, std::vector<std::pair<std::string, std::string>> args, CallOptions options,
    bool get) {
  std::string encoded = form_encode(args);
  HttpRequest req;
  req.method = get ? "GET" : "POST";
  req.url = api_url_ + method + (get && !encoded.empty() ? "?" + encoded : "");
  req.headers = {{"Authorization", "Bearer " + (options.app_token ? app_token_ : bot_token_)}};
  if (!get) {
    req.headers.emplace_back("Content-Type", form_content_type);
    req.body = std::move(encoded);
  }
  co_return co_await perform(method, std::move(req), options, true);
}

net::awaitable<ApiResult> WebApiClient::post_message(nlohmann::json message) {
  CallOptions options;
  options.retry_ambiguous = false;  // the caller looks for the post before trying again
  options.max_attempts = 1;         // and waits out a rate limit without holding its slot
  co_return co_await call_json("chat.postMessage", std::move(message), options);
}

bool WebApiClient::followable(const std::string& url) const {
  // Only https is followed (or, against a simulator on this machine, the loopback http:// URL it
  // hands out): nothing leaves in clear.
  return has_scheme(url, "https") ||
         (has_scheme(api_url_, "http") && is_loopback_url(api_url_) && is_loopback_url(url));
}

net::awaitable<ApiResult> WebApiClient::respond(std::string response_url, nlohmann::json message) {
  // A response_url comes inside a payload.
  if (!followable(response_url)) {
    co_return ApiResult{false, "response_url_refused", {}, std::nullopt, ""};
  }
  HttpRequest req;
  req.url = std::move(response_url);
  req.headers = {{"Content-Type", json_content_type}};
  req.body = common::json_text(message);
  CallOptions options;
  options.retry_ambiguous = false;  // a reply shown twice is worse than a late one
  co_return co_await perform("response_url", std::move(req), options, false);
}

net::awaitable<ApiResult> WebApiClient::upload(std::string upload_url, std::string bytes,
                                               std::string content_type) {
  if (!followable(upload_url))
    co_return ApiResult{false, "upload_url_refused", {}, std::nullopt, ""};
  HttpRequest req;
  req.url = std::move(upload_url);
  req.headers = {{"Content-Type", std::move(content_type)}};
  req.body = std::move(bytes);
  CallOptions options;
  options.max_attempts = 1;  // the delivery machine decides about tries
  co_return co_await perform("file_upload", std::move(req), options, false);
}

net::awaitable<ApiResult> WebApiClient::perform(const std::string& label, HttpRequest request,
                                                CallOptions options, bool slack_json) {
  ApiResult result;
  std::chrono::milliseconds backoff(250);
  for (int attempt = 1;; ++attempt) {
    bool retryable = false;
    std::chrono::steady_clock::duration wait = backoff;
    try {
      HttpResponse res = co_await http_.send(request);
      if (res.status == 429) {
        result = ApiResult{false, "ratelimited", {}, parse_retry_after(res.retry_after), ""};
        metrics_.add("itpm_rate_limit_waits_total", {{"method", label}});
        wait = *result.retry_after;
        retryable = true;
      } else if (res.status >= 500) {
        result = ApiResult{false, "http_" + std::to_string(res.status), {}, std::nullopt, ""};
        retryable = options.retry_ambiguous;
      } else if (!slack_json) {
        bool ok = res.status >= 200 && res.status < 300;
        result =
            ApiResult{ok, ok ? "" : "http_" + std::to_string(res.status), {}, std::nullopt, ""};
      } else {
        auto body = nlohmann::json::parse(res.body, nullptr, false);
        if (body.is_discarded() || !body.is_object() || !body.contains("ok")) {
          result = ApiResult{false, "invalid_response", {}, std::nullopt, ""};
        } else {
          bool ok = body.value("ok", false);
          std::string error =
              ok ? std::string() : body.value("error", std::string("unknown_error"));
          result = ApiResult{ok, error, std::move(body), std::nullopt, res.oauth_scopes};
          retryable =
              options.retry_ambiguous && classify_api_error(error) == ApiErrorKind::transient;
        }
      }
    } catch (const boost::system::system_error& e) {
      result = ApiResult{false, "network_error", {}, std::nullopt, ""};
      spdlog::debug("web api {}: {}", label, e.code().message());
      retryable = options.retry_ambiguous;
    }
    if (!retryable || attempt >= options.max_attempts) break;
    spdlog::info("web api {}: {}, retrying in {} ms", label, result.error,
                 std::chrono::duration_cast<std::chrono::milliseconds>(wait).count());
    co_await wait_for(wait);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(8000));
  }
  metrics_.add("itpm_web_api_calls_total",
               {{"method", label}, {"result", result.ok ? "ok" : result.error}});
  if (!result.ok && slack_json && token_refused_ &&
      classify_api_error(result.error) == ApiErrorKind::auth)
    token_refused_(options.app_token, result.error);
  co_return result;
}

}  // namespace itpm::bot
