#pragma once
// What every area's handlers share: mentions, numbers, item ids, date flags, mistakes,
// permissions and paged lists. Handlers are pure: they read the repositories and return an
// Outcome.

#include "commands/calendar/dates.hpp"
#include "commands/command.hpp"
#include "commands/language/arg_names.hpp"
#include "commands/language/parser.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#define ITPM_CONCAT_INNER(a, b) a##b
#define ITPM_CONCAT(a, b) ITPM_CONCAT_INNER(a, b)
// Binds `decl` to what a lookup (a std::variant<T, Outcome>) found, or returns its Outcome (a
// refusal or mistake) from the enclosing handler: the one way handlers unwrap a lookup.
//   ITPM_FOUND(const Risk& before, item_to_change(cmd, command, ctx, risk_rules, "close"));
#define ITPM_FOUND(decl, ...)                                                     \
  auto ITPM_CONCAT(itpm_found_, __LINE__) = __VA_ARGS__;                          \
  if (auto* itpm_out = std::get_if<Outcome>(&ITPM_CONCAT(itpm_found_, __LINE__))) \
    return std::move(*itpm_out);                                                  \
  decl = std::get<0>(ITPM_CONCAT(itpm_found_, __LINE__))

namespace itpm::commands {

std::int64_t millis(std::chrono::system_clock::time_point t);

// `<@U1>` / `<#C1>` for a stored ID ("nobody" / "no channel" when empty).
std::string user_mention(const std::string& id);
std::string channel_mention(const std::string& id);
// "<@U1>, <@U2>"
std::string user_mentions(const std::vector<std::string>& ids);

// 250000 -> "250,000"
std::string thousands(std::int64_t n);

// "" when `zone` names an IANA time zone, else the mistake that says so and what to type.
std::string zone_error(std::string_view zone);

// A percentage as people type it: "99.95" or "99.95%", 0 to 100, at most three decimals;
// nullopt for anything else (a word, NaN, 101).
std::optional<double> parse_percent(std::string_view text);
// 99.95 -> "99.95%", 100 -> "100%": as few decimals as it needs, at most three.
std::string show_percent(double percent);

// Stored user text shortened to `max` characters (UTF-8 safe, with "…"), as mrkdwn: the
// references it holds render again, everything else is escaped (render_text).
std::string shown_text(std::string_view text, std::size_t max);

// "dr, infra": stored words (tags) joined with commas, each shown with shown_text(…, 40).
std::string shown_list(const std::vector<std::string>& words);

// Characters (code points) in UTF-8 text.
std::size_t char_count(std::string_view text);

// "" when `text` has at most `max` characters, else the mistake to report for field `what`.
std::string length_error(std::string_view what, std::string_view text, std::size_t max);

// The caller's mistake in `cmd`: ephemeral, with the verb's usage; says that nothing was
// saved when the verb writes.
Outcome mistake(const ParsedCommand& cmd, const std::string& message);

// A refusal for lack of permission (no usage: the command itself was right).
Outcome refusal(const std::string& message);

// An unknown program key: says so and suggests the nearest existing key.
Outcome unknown_program(const ParsedCommand& cmd, const Context& ctx, const std::string& key);

// --program's key (empty: every program), or the mistake if it names no program.
std::variant<std::string, Outcome> program_in_scope(const ParsedCommand& cmd, const Context& ctx);

// The open program `key`, or the mistake to reply with (unknown or closed).
std::variant<storage::Program, Outcome> open_program(const ParsedCommand& cmd, const Context& ctx,
                                                     const std::string& key);

// The number of a typed id: "R-12", "r12" and "12" all give 12 for prefix 'R'.
std::optional<std::uint64_t> item_number(std::string_view text, char prefix);

// "a, b ,c" -> {"a", "b", "c"} (empty pieces dropped).
std::vector<std::string> split_list(std::string_view text);

// Resolves the date flag `name` if given: true and `out` set, or false and `error` set.
// Leaves `out` alone when the flag is absent. Weekday names lean as `lean` says (a --since
// or --until to the past).
bool date_flag(const ParsedCommand& cmd, const Context& ctx, Arg<ArgType::date> flag,
               std::string& out, std::string& error, DateLean lean = DateLean::future);

// Queries answer the caller only, unless --share.
Visibility query_visibility(const ParsedCommand& cmd);

// --limit N (default 20, at most 100): how many items a page of a list shows.
std::size_t page_size(const ParsedCommand& cmd);
// --page N (1 when not given).
std::size_t list_page(const ParsedCommand& cmd);
// The matches a list shows: the --page'th --limit of them. Lists read only those; the others
// are counted (from index keys wherever they can be).
storage::Window page_window(const ParsedCommand& cmd);
// The lines of `all` (every match's line, in order) that the page `cmd` asks for shows: for
// lists whose items are few by nature (a program's cadences, a person's allocations).
std::vector<std::string> page_of(const ParsedCommand& cmd, std::vector<std::string> all);

// True when `user` may change items of `program`: its owner or sponsor, or an admin.
bool runs_program(const storage::Program& program, const std::string& user, const Context& ctx);

// "the program owner <@U1>, the sponsor <@U2>" for refusals.
std::string program_leads(const storage::Program& program);

// A list: a header, one line per item (packed into sections Slack accepts), and "… and N
// more" when `total` exceeds the lines shown.
// `first` is the number of items before the lines (a later page): then the reply says which
// ones it shows ("Showing 21–40 of 57.").
Reply list_reply(Visibility visibility, const std::string& header,
                 const std::vector<std::string>& lines, std::size_t total,
                 const std::string& more_hint, std::size_t first = 0);

// The page of a list that `cmd` asks for (--page, --limit): `lines` are that page's lines
// (the matches in page_window), `total` how many match in all. A "Next page" button (the same
// command with --page N+1) follows when more do; a page past the end says how many there are.
Reply page_reply(const ParsedCommand& cmd, const Command& command, Visibility visibility,
                 const std::string& header, const std::vector<std::string>& lines,
                 std::size_t total, const std::string& more_hint);

// A risk score's band (commands.md §2, one rule everywhere): 1–4 low, 5–9 medium, 10 up to the
// escalation threshold high, the threshold (`config set threshold`, default 15) and above
// critical; its index (0 low … 3 critical) and its colour dot.
int band_index(int score, int threshold);
std::string band(int score, int threshold);
std::string band_dot(int score, int threshold);

// For --image: `chart` goes as a picture to the channel the command came from with --share,
// else to the caller's DM, with out.reply (the text version) standing in for it if Slack
// refuses the upload; the reply then answers the caller alone and says where the picture goes.
void send_picture(Outcome& out, const ParsedCommand& cmd, const Command& command, Chart chart);

// Adds a one-section post (text and its Block Kit twin) to the outcome's effects.
void send(Outcome& out, PostMessage message);
// Adds buttons that run commands ({label, command}) to the post `send` added last.
void with_buttons(Outcome& out, const std::vector<std::pair<std::string, std::string>>& buttons);
// Marks `post` as being about item `item` ("R-12"): if Slack refuses it, the item's history says
// so, and for a scheduled post the people in `tell` (blank ids and repeats dropped) get a DM.
void concerns(PostMessage& post, std::string item, std::string what,
              std::vector<std::string> tell = {});

// Who the audit log names for what the bot did on its own (ladder steps, reviews).
inline constexpr std::string_view bot_actor = "itpm";

// A mention of the person behind a change, or "itpm" for the bot itself.
std::string actor_mention(const std::string& by);

// "just now", "5 minutes ago", "3 hours ago", "6 days ago".
std::string ago(std::int64_t then_ms, std::chrono::system_clock::time_point now);

// "1 hour", "10 minutes", "2 days 3 hours" for a number of whole minutes.
std::string spelled_duration(std::int64_t minutes);

// A program status's colour dot: 🟢 green, 🟠 amber, 🔴 red, ⚪ none.
std::string status_dot(const std::string& status);

}  // namespace itpm::commands
