#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace itpm::commands {

// A Slack-escaped reference (`<@U1|alice>`, `<#C1|ops>`, `<!subteam^S1|@sre>`, `<https://x|y>`).
struct SlackRef {
  enum class Kind { user, channel, user_group, link, special };
  Kind kind;
  std::string id;     // user/channel/group ID, the URL, or the special word (here, channel)
  std::string label;  // may be empty
};

// Parses a whole token of the form `<...>`; nullopt when it is not one.
std::optional<SlackRef> parse_ref(std::string_view token);

// Renders a reference back in Slack syntax. Specials (`<!here>`, ...) are never rendered:
// they come back as harmless escaped text.
std::string render_ref(const SlackRef& ref);

// Undoes Slack's escaping of `&`, `<`, `>` in user text (`&amp;` last).
std::string unescape(std::string_view text);

// Escapes `&`, `<`, `>` so user text cannot form a mention, link or `<!channel>`.
std::string escape(std::string_view text);

// User text as Slack sent it (escaped) to the form that is stored: `&amp;`, `&lt;`, `&gt;`
// undone; the mentions, channels, user groups and links Slack sent kept as references
// (`<@U1|alice>`); a broadcast (`<!here>`) kept only as the word "@here"; and a typed "<" that
// would start a reference changed to "‹", so that stored text holds no reference the person
// did not make.
std::string text_from_slack(std::string_view escaped);

// Stored user text as mrkdwn: its mentions and channels render as such again; a user group as
// its name (no ping each time the text is shown); a link with a label as "label (<url>)", so
// the address is always visible; never a broadcast; everything else is escaped.
std::string render_text(std::string_view stored);

}  // namespace itpm::commands
