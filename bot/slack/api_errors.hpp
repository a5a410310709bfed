#pragma once
// Every Web API error the bot can meet, in one table: what kind it is (and so what the bot does
// about it) and, for those a person must fix, what to tell them.

#include <string>
#include <string_view>

namespace itpm::bot {

enum class ApiErrorKind {
  transient,     // Slack did not answer for good (rate limit, 5xx, timeout): retry with backoff
  needs_person,  // the bot is not allowed there (membership, archived, scope): tell someone
  malformed,     // Slack refused the message itself (blocks, length): send it as plain text
  auth,          // the token no longer works: stop posting, keep the posts, not ready
  permanent,     // anything else: retrying cannot help; logged
};

// The kind of `error`: Slack's error code for ok:false, or the client's own "network_error",
// "invalid_response" and "http_<status>" (5xx and 429 transient, other statuses permanent).
ApiErrorKind classify_api_error(std::string_view error);

// Short name of a kind for logs and metric labels ("needs_person", ...).
std::string_view to_string(ApiErrorKind kind);

// For a needs-a-person error: one sentence saying what a person should do so that a post to
// `channel` (an ID, shown as a mention) works, naming `scope` for missing_scope when Slack
// said which. Empty for other errors.
std::string how_to_fix(std::string_view error, std::string_view channel,
                       std::string_view scope = {});

}  // namespace itpm::bot
