#include "commands/areas/handler_support.hpp"

#include "commands/calendar/dates.hpp"
#include "commands/language/suggest.hpp"
#include "commands/render/reply.hpp"
#include "commands/render/slack_text.hpp"
#include "common/utf8.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace itpm::commands {

std::int64_t millis(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string user_mention(const std::string& id) {
  return id.empty() ? "nobody" : "<@" + id + ">";
}

std::string channel_mention(const std::string& id) {
  return id.empty() ? "no channel" : "<#" + id + ">";
}

std::string user_mentions(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ", ") + user_mention(id);
  return out;
}

std::optional<double> parse_percent(std::string_view text) {
  if (text.ends_with('%')) text.remove_suffix(1);
  auto dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view decimals = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  auto digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (whole.empty() || whole.size() > 3 || !digits(whole) || !digits(decimals) ||
      decimals.size() > 3 || (dot != std::string_view::npos && decimals.empty()))
    return std::nullopt;
  double value = std::stod(std::string(whole));
  double scale = 0.1;
  for (char c : decimals) {
    value += (c - '0') * scale;
    scale /= 10;
  }
  value = std::round(value * 1000) / 1000;
  if (value > 100) return std::nullopt;
  return value;
}

std::string show_percent(double percent) {
  std::string text = fmt::format("{:.3f}", percent);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text + "%";
}

std::string zone_error(std::string_view zone) {
  if (find_zone(std::string(zone)) != nullptr) return "";
  return fmt::format(
      "Unknown time zone \"{}\"; use an IANA name like Europe/Amsterdam or America/New_York.",
      shown_text(zone, 40));
}

std::string thousands(std::int64_t n) {
  // The magnitude as unsigned: -n overflows for the smallest int64.
  std::uint64_t magnitude =
      n < 0 ? 0 - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n);
  std::string digits = std::to_string(magnitude);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (n < 0 ? "-" : "") + out;
}

std::string shown_text(std::string_view text, std::size_t max) {
  auto head = common::utf8::prefix(text, max);
  if (head.size() == text.size()) return render_text(text);
  return render_text(head) + "…";
}

std::string shown_list(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + shown_text(w, 40);
  return out;
}

std::size_t char_count(std::string_view text) {
  std::size_t pos = 0;
  std::size_t chars = 0;
  while (pos < text.size()) {
    common::utf8::next(text, pos);
    ++chars;
  }
  return chars;
}

std::string length_error(std::string_view what, std::string_view text, std::size_t max) {
  std::size_t n = char_count(text);
  if (n <= max) return "";
  return fmt::format("The {} is {} characters long; keep it to {} (put details in a linked doc).",
                     what, thousands(static_cast<std::int64_t>(n)), max);
}

Outcome mistake(const ParsedCommand& cmd, const std::string& message) {
  return reply_only(error_reply(message + (mutates(*cmd.verb) ? " Nothing was saved." : ""),
                                usage(*cmd.area, *cmd.verb)));
}

Outcome refusal(const std::string& message) {
  return reply_only(error_reply(message + " Nothing was saved.", ""));
}

Outcome unknown_program(const ParsedCommand& cmd, const Context& ctx, const std::string& key) {
  // Suggestions come from the keys that share the typed key's first letter, a bounded number
  // of them read from the keys alone: a mistyped key costs the same in any workspace.
  constexpr std::size_t most_compared = 500;
  std::vector<std::string> keys;
  if (!key.empty()) {
    ctx.repos.program_keys(key.substr(0, 1), [&](std::string_view k) {
      keys.emplace_back(k);
      return keys.size() < most_compared;
    });
  }
  std::vector<std::string_view> views(keys.begin(), keys.end());
  auto near = nearest(key, views);
  return mistake(cmd, fmt::format("No program \"{}\".{}", shown_text(key, 40),
                                  near ? " Did you mean `" + *near + "`?"
                                       : " See them with `/itpm program list --all`."));
}

std::variant<storage::Program, Outcome> open_program(const ParsedCommand& cmd, const Context& ctx,
                                                     const std::string& key) {
  auto program = ctx.repos.find<storage::Program>(key);
  if (!program) return unknown_program(cmd, ctx, key);
  if (program->status == storage::ProgramStatus::closed) {
    return mistake(cmd, fmt::format("Program {} is closed. Reopen it or pick an open one: "
                                    "`/itpm program list`.",
                                    key));
  }
  return std::move(*program);
}

std::optional<std::uint64_t> item_number(std::string_view text, char prefix) {
  if (!text.empty() && std::toupper(static_cast<unsigned char>(text.front())) == prefix) {
    text.remove_prefix(1);
    if (!text.empty() && text.front() == '-') text.remove_prefix(1);
  }
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end != text.data() + text.size() || n == 0) return std::nullopt;
  return n;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    auto piece = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    auto first = piece.find_first_not_of(' ');
    if (first != std::string_view::npos) {
      auto last = piece.find_last_not_of(' ');
      out.emplace_back(piece.substr(first, last - first + 1));
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

bool date_flag(const ParsedCommand& cmd, const Context& ctx, Arg<ArgType::date> flag,
               std::string& out, std::string& error, DateLean lean) {
  auto v = cmd.get(flag);
  if (!v) return true;
  auto date = resolve_date(*v, today_in(ctx.now, ctx.zone), lean);
  if (!date) {
    error =
        fmt::format("--{} must be a date like 2027-06-30, today, {} (got \"{}\").", flag.name,
                    lean == DateLean::past ? "yesterday or mon" : "+2w or fri", shown_text(*v, 40));
    return false;
  }
  out = *date;
  return true;
}

std::variant<std::string, Outcome> program_in_scope(const ParsedCommand& cmd, const Context& ctx) {
  auto v = cmd.get(arg::program);
  if (!v) return std::string();
  if (!ctx.repos.find<storage::Program>(*v)) return unknown_program(cmd, ctx, *v);
  return *v;
}

void send_picture(Outcome& out, const ParsedCommand& cmd, const Command& command, Chart chart) {
  PostMessage post;
  bool shared = cmd.get(arg::share);
  if (shared) {
    post.channel = command.channel_id;
  } else {
    post.to_user = command.user_id;
  }
  post.text = out.reply.text;
  post.blocks = out.reply.blocks;
  post.fallback_response_url = command.response_url;
  post.asked_by = command.user_id;
  post.chart = std::move(chart);
  out.effects.emplace_back(std::move(post));
  out.reply.visibility = Visibility::ephemeral;
  std::string where = shared ? "🖼️ The picture follows in this channel."
                             : "🖼️ The picture follows in our DM.";
  out.reply.text += "\n" + where;
  out.reply.blocks.push_back(context_line(where));
}

Visibility query_visibility(const ParsedCommand& cmd) {
  return cmd.get(arg::share) ? Visibility::in_channel : Visibility::ephemeral;
}

std::size_t page_size(const ParsedCommand& cmd) {
  return static_cast<std::size_t>(
      std::clamp<std::int64_t>(cmd.get(arg::limit).value_or(20), 1, 100));  // parsed 1-100
}

std::size_t list_page(const ParsedCommand& cmd) {
  return static_cast<std::size_t>(
      std::clamp<std::int64_t>(cmd.get(arg::page).value_or(1), 1, 1000));  // parsed 1-1000
}

storage::Window page_window(const ParsedCommand& cmd) {
  return {(list_page(cmd) - 1) * page_size(cmd), page_size(cmd)};
}

std::vector<std::string> page_of(const ParsedCommand& cmd, std::vector<std::string> all) {
  auto window = page_window(cmd);
  if (window.skip >= all.size()) return {};
  auto first = all.begin() + static_cast<std::ptrdiff_t>(window.skip);
  auto last = all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), window.end()));
  return {std::make_move_iterator(first), std::make_move_iterator(last)};
}

bool runs_program(const storage::Program& program, const std::string& user, const Context& ctx) {
  return user == program.owner || (!program.sponsor.empty() && user == program.sponsor) ||
         ctx.is_admin(user);
}

std::string program_leads(const storage::Program& program) {
  std::string out = "the program owner " + user_mention(program.owner);
  if (!program.sponsor.empty()) out += ", the sponsor " + user_mention(program.sponsor);
  return out;
}

Reply list_reply(Visibility visibility, const std::string& header,
                 const std::vector<std::string>& lines, std::size_t total,
                 const std::string& more_hint, std::size_t first) {
  // Slack refuses a section whose text exceeds 3,000 characters: lines are packed below that.
  constexpr std::size_t section_limit = 2900;
  std::vector<std::string> paragraphs = {header};
  std::string body;
  for (const auto& line : lines) {
    if (!body.empty() && body.size() + line.size() + 1 > section_limit) {
      paragraphs.push_back(std::move(body));
      body.clear();
    }
    if (!body.empty()) body += '\n';
    body += line;
  }
  if (!body.empty()) paragraphs.push_back(std::move(body));
  std::size_t last = first + lines.size();
  if (first > 0) {
    paragraphs.push_back(fmt::format("Showing {}–{} of {}.{}", first + 1, last, total,
                                     total > last && !more_hint.empty() ? " " + more_hint : ""));
  } else if (total > lines.size()) {
    paragraphs.push_back(fmt::format("… and {} more.{}", total - lines.size(),
                                     more_hint.empty() ? "" : " " + more_hint));
  }
  return text_reply(visibility, std::move(paragraphs));
}

namespace {

// `text` without its --page flag (`--page 3`, `--page=3`).
std::string without_page(std::string_view text) {
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    auto flag = text.find("--page", at);
    if (flag == std::string_view::npos || (flag > 0 && text[flag - 1] != ' ')) {
      std::size_t upto = flag == std::string_view::npos ? text.size() : flag + 6;
      out += text.substr(at, upto - at);
      at = upto;
      continue;
    }
    out += text.substr(at, flag - at);
    std::size_t end = flag + 6;
    while (end < text.size() && (text[end] == ' ' || text[end] == '=')) ++end;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])) != 0) ++end;
    at = end;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

Reply page_reply(const ParsedCommand& cmd, const Command& command, Visibility visibility,
                 const std::string& header, const std::vector<std::string>& lines,
                 std::size_t total, const std::string& more_hint) {
  std::size_t page = list_page(cmd);
  std::size_t first = (page - 1) * page_size(cmd);
  if (first >= total && first > 0) {
    std::size_t pages = (total + page_size(cmd) - 1) / page_size(cmd);
    return text_reply(visibility,
                      {header, fmt::format("Page {} is past the end: this list has {} "
                                           "page{} of {}.",
                                           page, pages, pages == 1 ? "" : "s", page_size(cmd))});
  }
  const std::vector<std::string>& shown = lines;
  std::size_t last = first + shown.size();
  std::string next = without_page(command.text) + " --page " + std::to_string(page + 1);
  std::string hint = more_hint;
  if (last < total) hint = "Next page: `--page " + std::to_string(page + 1) + "`. " + hint;
  Reply reply = list_reply(visibility, header, shown, total, hint, first);
  // Slack's limit on a button's value; the hint above says what to type instead.
  constexpr std::size_t max_value = 2000;
  if (last < total && page < 1000 && next.size() <= max_value)
    reply.blocks.push_back(command_buttons({{"Next page", next}}));
  return reply;
}

int band_index(int score, int threshold) {
  if (score >= threshold) return 3;
  if (score >= 10) return 2;
  if (score >= 5) return 1;
  return 0;
}

std::string band(int score, int threshold) {
  static constexpr std::array<const char*, 4> names = {"low", "medium", "high", "critical"};
  return names.at(static_cast<std::size_t>(band_index(score, threshold)));
}

std::string band_dot(int score, int threshold) {
  static constexpr std::array<const char*, 4> dots = {"🟢", "🟡", "🟠", "🔴"};
  return dots.at(static_cast<std::size_t>(band_index(score, threshold)));
}

void send(Outcome& out, PostMessage message) {
  message.blocks.push_back(section(message.text));
  out.effects.emplace_back(std::move(message));
}

void with_buttons(Outcome& out, const std::vector<std::pair<std::string, std::string>>& buttons) {
  auto& post = std::get<PostMessage>(out.effects.back());
  post.blocks.push_back(command_buttons(buttons));
}

void concerns(PostMessage& post, std::string item, std::string what,
              std::vector<std::string> tell) {
  post.about_item = std::move(item);
  post.about_what = std::move(what);
  post.tell_if_refused.clear();
  for (auto& user : tell) {
    if (user.empty() || user == bot_actor ||
        std::find(post.tell_if_refused.begin(), post.tell_if_refused.end(), user) !=
            post.tell_if_refused.end())
      continue;
    post.tell_if_refused.push_back(std::move(user));
  }
}

std::string actor_mention(const std::string& by) {
  return by == bot_actor ? "itpm" : user_mention(by);
}

std::string ago(std::int64_t then_ms, std::chrono::system_clock::time_point now) {
  auto minutes = (millis(now) - then_ms) / 60000;
  auto plural = [](std::int64_t n, const char* unit) {
    return fmt::format("{} {}{} ago", n, unit, n == 1 ? "" : "s");
  };
  if (minutes < 1) return "just now";
  if (minutes < 60) return plural(minutes, "minute");
  if (minutes < 48 * 60) return plural(minutes / 60, "hour");
  return plural(minutes / (24 * 60), "day");
}

std::string spelled_duration(std::int64_t minutes) {
  auto part = [](std::int64_t n, const char* unit) {
    return fmt::format("{} {}{}", n, unit, n == 1 ? "" : "s");
  };
  std::int64_t days = minutes / (24 * 60);
  std::int64_t hours = minutes / 60 % 24;
  std::int64_t mins = minutes % 60;
  std::string out;
  if (days > 0) out = part(days, "day");
  if (hours > 0) out += (out.empty() ? "" : " ") + part(hours, "hour");
  if (mins > 0 || out.empty()) out += (out.empty() ? "" : " ") + part(mins, "minute");
  return out;
}

std::string status_dot(const std::string& status) {
  if (status == "green") return "🟢";
  if (status == "amber") return "🟠";
  if (status == "red") return "🔴";
  return "⚪";
}

}  // namespace itpm::commands
