#include "commands/render/slack_text.hpp"

#include <algorithm>
#include <vector>

namespace itpm::commands {
namespace {

bool is_slack_id(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

// Where the next character Slack reads as markup (&, <, >) is, from `from`; npos for none. A
// plain loop: string_view::find_first_of calls memchr on its set once per character.
std::size_t next_special(std::string_view text, std::size_t from) {
  for (std::size_t i = from; i < text.size(); ++i) {
    char c = text[i];
    if (c == '&' || c == '<' || c == '>') return i;
  }
  return std::string_view::npos;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

}  // namespace

std::optional<SlackRef> parse_ref(std::string_view token) {
  if (token.size() < 3 || token.front() != '<' || token.back() != '>') return std::nullopt;
  std::string_view body = token.substr(1, token.size() - 2);
  if (body.find_first_of("<>") != std::string_view::npos) return std::nullopt;
  std::string_view label;
  if (auto bar = body.find('|'); bar != std::string_view::npos) {
    label = body.substr(bar + 1);
    body = body.substr(0, bar);
  }
  auto make = [&](SlackRef::Kind kind, std::string_view id) -> std::optional<SlackRef> {
    return SlackRef{kind, std::string(id), unescape(label)};
  };
  if (body.starts_with('@')) {
    if (!is_slack_id(body.substr(1))) return std::nullopt;
    return make(SlackRef::Kind::user, body.substr(1));
  }
  if (body.starts_with('#')) {
    if (!is_slack_id(body.substr(1))) return std::nullopt;
    return make(SlackRef::Kind::channel, body.substr(1));
  }
  if (body.starts_with("!subteam^")) {
    if (!is_slack_id(body.substr(9))) return std::nullopt;
    return make(SlackRef::Kind::user_group, body.substr(9));
  }
  if (body.starts_with('!')) return make(SlackRef::Kind::special, body.substr(1));
  if (body.find(':') != std::string_view::npos) {
    return SlackRef{SlackRef::Kind::link, unescape(body), unescape(label)};
  }
  return std::nullopt;
}

std::string render_ref(const SlackRef& ref) {
  switch (ref.kind) {
    case SlackRef::Kind::user:
      return "<@" + ref.id + ">";
    case SlackRef::Kind::channel:
      return "<#" + ref.id + ">";
    case SlackRef::Kind::user_group:
      return "<!subteam^" + ref.id + ">";
    case SlackRef::Kind::link: {
      // A URL with a bar or angle bracket in it could smuggle a second token; show it as text.
      if (ref.id.find_first_of("|<> ") != std::string::npos) return escape(ref.id);
      // "&" escaped too: Slack unescapes the address (and parse_ref does), so it reads back.
      std::string out = "<" + escape(ref.id);
      if (!ref.label.empty()) out += "|" + escape(ref.label);
      return out + ">";
    }
    case SlackRef::Kind::special:
      return escape("<!" + ref.id + ">");
  }
  return {};
}

std::string unescape(std::string_view text) {
  std::string out(text);
  replace_all(out, "&lt;", "<");
  replace_all(out, "&gt;", ">");
  replace_all(out, "&amp;", "&");
  return out;
}

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    auto special = next_special(text, i);
    out.append(text.substr(i, special == std::string_view::npos ? special : special - i));
    if (special == std::string_view::npos) break;
    out += text[special] == '&' ? "&amp;" : text[special] == '<' ? "&lt;" : "&gt;";
    i = special + 1;
  }
  return out;
}

namespace {

// A `<...>` reference starting at `at` in `text` that is kept in stored text (a person,
// channel, user group or link), with its length; nullopt otherwise.
std::optional<std::pair<SlackRef, std::size_t>> kept_ref_at(std::string_view text, std::size_t at) {
  auto close = text.find('>', at);
  if (close == std::string_view::npos) return std::nullopt;
  auto ref = parse_ref(text.substr(at, close - at + 1));
  if (!ref) return std::nullopt;
  return std::pair{std::move(*ref), close - at + 1};
}

}  // namespace

std::string text_from_slack(std::string_view escaped) {
  std::string out;
  out.reserve(escaped.size());
  std::vector<std::size_t> bare;  // where a "<" that is no reference of Slack's went in `out`
  for (std::size_t i = 0; i < escaped.size();) {
    // A "<" that would start a mention, channel or broadcast without being one Slack sent (a
    // typed "&lt;", or a bare "<" whose reference only closes after unescaping "&gt;") becomes
    // "‹", so stored text can only hold the references Slack itself sent.
    auto imitation = [&](std::size_t next) {
      return next < escaped.size() &&
             (escaped[next] == '@' || escaped[next] == '#' || escaped[next] == '!');
    };
    if (escaped[i] == '<') {
      if (auto found = kept_ref_at(escaped, i)) {
        auto& [ref, length] = *found;
        if (ref.kind == SlackRef::Kind::special) {
          out += "@" + ref.id;  // a broadcast the person typed: kept as a harmless word
        } else {
          out.append(escaped.substr(i, length));
        }
        i += length;
        continue;
      }
      if (!imitation(i + 1)) bare.push_back(out.size());
      out += imitation(i + 1) ? "‹" : "<";
      ++i;
    } else if (escaped.substr(i).starts_with("&lt;")) {
      if (!imitation(i + 4)) bare.push_back(out.size());
      out += imitation(i + 4) ? "‹" : "<";
      i += 4;
    } else if (escaped.substr(i).starts_with("&gt;")) {
      out += '>';
      i += 4;
    } else if (escaped.substr(i).starts_with("&amp;")) {
      out += '&';
      i += 5;
    } else {
      out += escaped[i++];
    }
  }
  // What follows a bare "<" in `out` can still close a reference of another kind ("<<!|x>E>"
  // keeps "<" and turns "<!|x>" into "@", forming "<@E>"): those become "‹" too, last first so
  // that earlier positions hold.
  for (auto at = bare.rbegin(); at != bare.rend(); ++at) {
    auto found = kept_ref_at(out, *at);
    if (found && found->first.kind != SlackRef::Kind::link) out.replace(*at, 1, "‹");
  }
  return out;
}

namespace {

// A reference inside stored text, shown again and again (lists, agendas): a user group is
// named, not pinged, and a link shows where it goes (a typed masked link "Approved" could
// point anywhere).
std::string render_stored_ref(const SlackRef& ref) {
  if (ref.kind == SlackRef::Kind::user_group) {
    std::string name = ref.label.empty() ? "@group" : ref.label;
    if (!name.starts_with("@")) name.insert(0, "@");
    return escape(name);
  }
  if (ref.kind == SlackRef::Kind::link && !ref.label.empty() && ref.label != ref.id &&
      ref.id.find_first_of("|<> ") == std::string::npos) {
    return escape(ref.label) + " (<" + escape(ref.id) + ">)";
  }
  return render_ref(ref);
}

}  // namespace

std::string render_text(std::string_view stored) {
  // Most titles hold nothing to escape and no mention: kept as they are.
  if (next_special(stored, 0) == std::string_view::npos) return std::string(stored);
  std::string out;
  out.reserve(stored.size());
  for (std::size_t i = 0; i < stored.size();) {
    if (stored[i] == '<') {
      if (auto found = kept_ref_at(stored, i)) {
        out += render_stored_ref(found->first);
        i += found->second;
        continue;
      }
    }
    auto next = stored.find('<', i + 1);
    out += escape(stored.substr(i, next == std::string_view::npos ? next : next - i));
    i = next == std::string_view::npos ? stored.size() : next;
  }
  return out;
}

}  // namespace itpm::commands
