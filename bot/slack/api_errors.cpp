#include "bot/slack/api_errors.hpp"

#include <array>
#include <charconv>

namespace itpm::bot {
namespace {

struct Entry {
  std::string_view error;
  ApiErrorKind kind;
};

// Slack's documented errors for the methods the bot calls (chat.postMessage, chat.update,
// conversations.*, users.info, auth.test, files.getUploadURLExternal and
// files.completeUploadExternal; slack-protocol.md §5) and the generic ones.
constexpr std::array table = {
    // Transient: Slack did not act, or may not have; worth another try later.
    Entry{"ratelimited", ApiErrorKind::transient},
    Entry{"rate_limited", ApiErrorKind::transient},
    Entry{"internal_error", ApiErrorKind::transient},
    Entry{"fatal_error", ApiErrorKind::transient},
    Entry{"service_unavailable", ApiErrorKind::transient},
    Entry{"request_timeout", ApiErrorKind::transient},
    Entry{"network_error", ApiErrorKind::transient},
    Entry{"invalid_response", ApiErrorKind::transient},
    // A person must act: invite the bot, unarchive, grant a scope, pick another target.
    Entry{"not_in_channel", ApiErrorKind::needs_person},
    Entry{"channel_not_found", ApiErrorKind::needs_person},
    Entry{"is_archived", ApiErrorKind::needs_person},
    Entry{"restricted_action", ApiErrorKind::needs_person},
    Entry{"restricted_action_read_only_channel", ApiErrorKind::needs_person},
    Entry{"restricted_action_thread_only_channel", ApiErrorKind::needs_person},
    Entry{"restricted_action_non_threadable_channel", ApiErrorKind::needs_person},
    Entry{"missing_scope", ApiErrorKind::needs_person},
    Entry{"cannot_dm_bot", ApiErrorKind::needs_person},
    Entry{"user_not_found", ApiErrorKind::needs_person},
    Entry{"user_disabled", ApiErrorKind::needs_person},
    Entry{"method_not_supported_for_channel_type", ApiErrorKind::needs_person},
    Entry{"ekm_access_denied", ApiErrorKind::needs_person},
    // Refusals about one conversation (a shared channel whose other organisation has not
    // granted the app access), not about the token: the token still works everywhere else.
    Entry{"no_permission", ApiErrorKind::needs_person},
    Entry{"team_access_not_granted", ApiErrorKind::needs_person},
    // Files (a chart's upload): the workspace does not take the file.
    Entry{"file_uploads_disabled", ApiErrorKind::needs_person},
    Entry{"file_uploads_except_images_disabled", ApiErrorKind::needs_person},
    Entry{"file_type_not_allowed", ApiErrorKind::needs_person},
    Entry{"file_upload_size_restricted", ApiErrorKind::needs_person},
    // The message itself was refused: the content goes again as plain text.
    Entry{"invalid_blocks", ApiErrorKind::malformed},
    Entry{"invalid_blocks_format", ApiErrorKind::malformed},
    Entry{"msg_too_long", ApiErrorKind::malformed},
    Entry{"too_many_attachments", ApiErrorKind::malformed},
    Entry{"invalid_metadata_format", ApiErrorKind::malformed},
    Entry{"invalid_metadata_schema", ApiErrorKind::malformed},
    Entry{"metadata_too_large", ApiErrorKind::malformed},
    // The token no longer works.
    Entry{"invalid_auth", ApiErrorKind::auth},
    Entry{"not_authed", ApiErrorKind::auth},
    Entry{"token_revoked", ApiErrorKind::auth},
    Entry{"token_expired", ApiErrorKind::auth},
    Entry{"account_inactive", ApiErrorKind::auth},
    Entry{"not_allowed_token_type", ApiErrorKind::auth},
    Entry{"app_uninstalled", ApiErrorKind::auth},
    Entry{"team_disabled", ApiErrorKind::auth},
    Entry{"user_removed_from_team", ApiErrorKind::auth},
};

}  // namespace

ApiErrorKind classify_api_error(std::string_view error) {
  for (const auto& e : table) {
    if (e.error == error) return e.kind;
  }
  if (error.starts_with("http_")) {
    int status = 0;
    auto digits = error.substr(5);
    std::from_chars(digits.data(), digits.data() + digits.size(), status);
    return status == 429 || status >= 500 ? ApiErrorKind::transient : ApiErrorKind::permanent;
  }
  return ApiErrorKind::permanent;
}

std::string_view to_string(ApiErrorKind kind) {
  switch (kind) {
    case ApiErrorKind::transient:
      return "transient";
    case ApiErrorKind::needs_person:
      return "needs_person";
    case ApiErrorKind::malformed:
      return "malformed";
    case ApiErrorKind::auth:
      return "auth";
    case ApiErrorKind::permanent:
      return "permanent";
  }
  return "permanent";
}

std::string how_to_fix(std::string_view error, std::string_view channel, std::string_view scope) {
  std::string where = channel.empty()                          ? std::string("that channel")
                      : channel[0] == 'D' || channel[0] == 'U' ? std::string("that direct message")
                                                               : "<#" + std::string(channel) + ">";
  if (error == "not_in_channel" || error == "channel_not_found" ||
      error == "method_not_supported_for_channel_type") {
    return "Invite the bot: type `/invite @itpm` in " + where +
           " (a private channel needs this; a deleted one needs another channel).";
  }
  if (error == "is_archived")
    return where + " is archived: unarchive it or choose another channel.";
  if (error.starts_with("restricted_action")) {
    return "Posting in " + where +
           " is restricted: ask a workspace admin to let the bot post there, or choose another "
           "channel.";
  }
  if (error == "missing_scope") {
    return "The Slack app lacks the " +
           (scope.empty() ? std::string("scope this needs")
                          : "`" + std::string(scope) + "` scope") +
           ": add it under OAuth & Permissions (or from deploy/manifest.yaml) and "
           "reinstall the app.";
  }
  if (error == "cannot_dm_bot") return "That person is a bot: choose a person as the owner.";
  if (error == "user_not_found" || error == "user_disabled") {
    return "That person is no longer in the workspace: choose another owner.";
  }
  if (error == "no_permission" || error == "team_access_not_granted") {
    return where +
           " is shared with another organisation that has not granted the app access: ask a "
           "workspace admin to approve itpm-bot for that channel, or choose another channel.";
  }
  if (error.starts_with("file_upload") || error == "file_type_not_allowed") {
    return "The workspace does not take PNG uploads from apps: a workspace admin can allow "
           "them (Settings & permissions, File uploads); until then the text version is posted.";
  }
  if (error == "ekm_access_denied")
    return "Enterprise Key Management refused access to " + where + ".";
  return "";
}

}  // namespace itpm::bot
