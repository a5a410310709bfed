#pragma once
// Personal dashboard links (commands.md §7): who may look, at what, until when, signed with
// HMAC-SHA256 under a key kept in the store. A link is "<payload>.<mac>", both base64url; the
// payload is "1|<user>|<scope>|<expires, Unix seconds>". Pure: the key comes from the caller.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace itpm::commands::dashboard {

// A link's grant: `scope` is all_programs or one program's key.
struct Grant {
  std::string user;
  std::string scope;
  std::int64_t expires = 0;  // Unix seconds
  bool operator==(const Grant&) const = default;
};

inline constexpr std::string_view all_programs = "*";

// The link's token for `grant`, signed with `key`.
std::string sign(const Grant& grant, std::string_view key);

enum class LinkProblem { none, malformed, forged, expired };

struct Checked {
  std::optional<Grant> grant;  // set when problem is none
  LinkProblem problem = LinkProblem::none;
  std::int64_t expired_at = 0;  // for expired: when (only said once the signature holds)
};

// Whether `token` is a link signed with `key` that has not expired at `now` (Unix seconds).
// The MAC is compared in constant time, and nothing of an unsigned payload is believed.
Checked check(std::string_view token, std::string_view key, std::int64_t now);

// base64url without padding (RFC 4648 §5), and back (nullopt for anything else).
std::string base64url(std::string_view bytes);
std::optional<std::string> from_base64url(std::string_view text);

}  // namespace itpm::commands::dashboard
