#include "commands/areas/decision_commands.hpp"

#include "commands/language/arg_builders.hpp"
#include "common/iso_date.hpp"

#include "commands/areas/audit_command.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/areas/item_access.hpp"
#include "commands/calendar/dates.hpp"
#include "commands/render/reply.hpp"
#include "commands/render/slack_text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace itpm::commands {
namespace {

using storage::Change;
using storage::Decision;
using storage::Program;

std::string title_of(const Decision& d) {
  return shown_text(d.title, 200);
}

// "_(superseded by D-9)_" or "".
std::string superseded_mark(const Decision& d) {
  return d.superseded_by == 0
             ? ""
             : fmt::format(" _(superseded by {})_", storage::decision_id(d.superseded_by));
}

// One line of a list or of search results.
std::string line(const Decision& d) {
  return fmt::format("• *{}* {} · {} · {}{}", storage::decision_id(d.number), show_date(d.date),
                     d.program, title_of(d), superseded_mark(d));
}

// "decided by @carol, @alice · Mon 2026-11-30 · recorded by @carol"
std::string provenance(const Decision& d) {
  std::string out;
  if (!d.decided_by.empty()) out = "decided by " + user_mentions(d.decided_by) + " · ";
  out += show_date(d.date) + " · recorded by " + user_mention(d.created_by);
  if (!d.permalink.empty()) out += " · <" + d.permalink + "|view in channel>";
  return out;
}

// The body shared by the channel post and `decision show`.
std::vector<std::string> body(const Decision& d) {
  std::vector<std::string> paragraphs = {
      fmt::format("✅ *{}* · {} · {}{}", storage::decision_id(d.number), d.program, title_of(d),
                  superseded_mark(d)),
      provenance(d)};
  if (!d.context.empty()) paragraphs.push_back("*Context:* " + shown_text(d.context, 2000));
  if (!d.alternatives.empty())
    paragraphs.push_back("*Alternatives:* " + shown_text(d.alternatives, 2000));
  if (!d.tags.empty()) paragraphs.push_back("Tags: " + shown_list(d.tags));
  if (d.supersedes != 0) {
    paragraphs.push_back(fmt::format("Supersedes {}.", storage::decision_id(d.supersedes)));
  }
  return paragraphs;
}

const ItemRules<Decision> decision_rules = {
    "decision",
    "D-7",
    "Find one with `/itpm decision search <words>`.",
    [](const Decision& d, const Context&) {
      std::vector<std::string> people = d.decided_by;
      people.push_back(d.created_by);
      return people;
    },
    [](const Decision& d, const Context&) {
      return fmt::format("whoever recorded or made {} ({}{})", storage::decision_id(d.number),
                         user_mention(d.created_by),
                         d.decided_by.empty() ? "" : ", " + user_mentions(d.decided_by));
    },
    [](const Decision& d, const Context&) {
      return d.superseded_by != 0
                 ? fmt::format("{} is already superseded by {}.", storage::decision_id(d.number),
                               storage::decision_id(d.superseded_by))
                 : std::string();
    }};

Outcome add(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const Program& program, open_program(cmd, ctx, cmd.required(arg::program)));
  Decision d;
  d.program = program.key;
  d.title = cmd.required(arg::title);
  for (const auto& ref : cmd.get(arg::decided_by)) {
    if (std::find(d.decided_by.begin(), d.decided_by.end(), ref.id) == d.decided_by.end())
      d.decided_by.push_back(ref.id);
  }
  if (auto v = cmd.get(arg::context)) d.context = *v;
  if (auto v = cmd.get(arg::alternatives)) d.alternatives = *v;
  if (auto v = cmd.get(arg::tags)) {
    for (auto& tag : split_list(*v)) {
      std::transform(tag.begin(), tag.end(), tag.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (std::find(d.tags.begin(), d.tags.end(), tag) == d.tags.end()) d.tags.push_back(tag);
    }
  }
  std::string error;
  d.date = *resolve_date("today", today_in(ctx.now, ctx.zone));
  if (!date_flag(cmd, ctx, arg::date, d.date, error)) return mistake(cmd, error);
  for (auto [what, text, max] :
       {std::tuple{"title", &d.title, 200}, std::tuple{"context", &d.context, 2000},
        std::tuple{"alternatives", &d.alternatives, 2000}}) {
    if (auto e = length_error(what, *text, static_cast<std::size_t>(max)); !e.empty())
      return mistake(cmd, e);
  }
  if (d.tags.size() > 10) return mistake(cmd, "Give at most 10 tags.");
  for (const auto& tag : d.tags) {
    if (auto e = length_error("tag \"" + shown_text(tag, 20) + "\"", tag, 40); !e.empty())
      return mistake(cmd, e);
  }
  d.channel = command.channel_id;
  d.created_by = command.user_id;
  d.created_at = millis(ctx.now);

  Outcome out;
  d.number = ctx.repos.next_number<storage::Decision>(out.writes);
  ctx.repos.save(out.writes, d, nullptr, Change{command.user_id, d.created_at, "add"});
  // A decision is public: it is posted in the channel as a message of its own, whose
  // permalink is then stored with it. The command itself gets no separate reply.
  PostMessage post;
  post.channel = command.channel_id;
  auto paragraphs = body(d);
  Reply shaped = text_reply(Visibility::in_channel, paragraphs);
  post.text = shaped.text;
  post.blocks = shaped.blocks;
  post.after_post = {AfterPost::Kind::decision, d.number};
  concerns(post, storage::decision_id(d.number), "its announcement");
  out.effects.emplace_back(std::move(post));
  out.reply.visibility = Visibility::in_channel;  // empty: the post above is the reply
  return out;
}

// The decision filter of `list`, or the mistake.
std::variant<storage::DecisionFilter, Outcome> filter_of(const ParsedCommand& cmd,
                                                         const Context& ctx) {
  storage::DecisionFilter filter;
  if (auto v = cmd.get(arg::program)) {
    if (!ctx.repos.find<storage::Program>(*v)) return unknown_program(cmd, ctx, *v);
    filter.program = *v;
  }
  if (auto v = cmd.get(arg::tag)) filter.tag = *v;
  std::transform(filter.tag.begin(), filter.tag.end(), filter.tag.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (auto v = cmd.get(arg::by)) filter.by = *v;
  std::string since;
  std::string until;
  std::string error;
  if (!date_flag(cmd, ctx, arg::since, since, error, DateLean::past) ||
      !date_flag(cmd, ctx, arg::until, until, error, DateLean::past))
    return mistake(cmd, error);
  if (!since.empty() && !until.empty() && until < since)
    return mistake(cmd, fmt::format("--until {} is before --since {}.", until, since));
  filter.since_days = common::days_from_date(since);
  filter.until_days = common::days_from_date(until);
  return filter;
}

Outcome list(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const auto& filter, filter_of(cmd, ctx));
  std::size_t total = 0;
  auto decisions = ctx.repos.decisions(filter, page_window(cmd), &total);
  if (total == 0) {
    return reply_only(text_reply(
        query_visibility(cmd),
        {"No decisions match.",
         "Record one: `/itpm decision add \"<title>\" --program <key> --decided-by @u`"}));
  }
  std::vector<std::string> lines;
  for (const auto& d : decisions) lines.push_back(line(d));
  return reply_only(
      page_reply(cmd, command, query_visibility(cmd),
                 fmt::format("*{} decision{}*, newest first{}", total, total == 1 ? "" : "s",
                             filter.program.empty() ? "" : " in " + filter.program),
                 lines, total, "Narrow with --since, --tag or --by, or raise --limit."));
}

// The most words a search scores: each is one more posting list to walk.
constexpr std::size_t max_search_words = 16;

Outcome search(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  storage::SearchQuery query;
  query.words = cmd.required(arg::words);
  auto window = page_window(cmd);
  query.limit = window.end();
  if (auto v = cmd.get(arg::program)) {
    if (!ctx.repos.find<storage::Program>(*v)) return unknown_program(cmd, ctx, *v);
    query.program = *v;
  }
  std::string shown_words = shown_text(query.words, 80);
  auto terms = storage::search_terms(query.words);
  if (terms.size() > max_search_words) {
    return mistake(cmd, fmt::format("A search takes at most {} words; “{}…” has {}. Keep the "
                                    "most telling ones.",
                                    max_search_words, shown_text(query.words, 40), terms.size()));
  }
  if (terms.empty()) {
    return mistake(cmd, fmt::format("“{}” has no words to search for (very common words like "
                                    "\"the\" are ignored).",
                                    shown_words));
  }
  std::size_t total = 0;
  auto hits = ctx.repos.search_decisions(query, &total);
  if (hits.empty()) {
    return reply_only(
        text_reply(query_visibility(cmd),
                   {fmt::format("No decisions match “{}”{}.", shown_words,
                                query.program.empty() ? "" : " in " + query.program),
                    "Try fewer or other words, or browse with `/itpm decision list`."}));
  }
  // Only the page's decisions are read.
  std::vector<std::string> lines;
  for (std::size_t i = window.skip; i < hits.size() && i < window.end(); ++i) {
    if (auto d = ctx.repos.find<storage::Decision>(hits[i].number)) lines.push_back(line(*d));
  }
  return reply_only(
      page_reply(cmd, command, query_visibility(cmd),
                 fmt::format("*{} {}* “{}”{}, best first", total,
                             total == 1 ? "decision matches" : "decisions match", shown_words,
                             query.program.empty() ? "" : " in " + query.program),
                 lines, total, "Add words to narrow it, or raise --limit."));
}

Outcome show(const ParsedCommand& cmd, const Command&, const Context& ctx) {
  ITPM_FOUND(const Decision& d, find_item(cmd, ctx, decision_rules, cmd.required(arg::id)));
  auto paragraphs = body(d);
  if (d.superseded_by != 0) {
    if (auto newer = ctx.repos.find<storage::Decision>(d.superseded_by)) {
      paragraphs.push_back(fmt::format("⚠️ Superseded by {}: {}",
                                       storage::decision_id(newer->number), title_of(*newer)));
    }
  }
  paragraphs.push_back(fmt::format("History: `/itpm audit {}`", storage::decision_id(d.number)));
  return reply_only(text_reply(query_visibility(cmd), paragraphs));
}

Outcome supersede(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const Decision& old_before,
             item_to_change(cmd, command, ctx, decision_rules, "supersede"));
  ITPM_FOUND(const Decision& new_before,
             find_item(cmd, ctx, decision_rules, cmd.required(arg::superseded_by)));
  std::string old_id = storage::decision_id(old_before.number);
  std::string new_id = storage::decision_id(new_before.number);
  const std::string& user = command.user_id;
  if (old_before.number == new_before.number)
    return mistake(cmd, "A decision cannot supersede itself.");
  if (new_before.supersedes != 0) {
    return mistake(cmd, fmt::format("{} already supersedes {}; record a new decision instead.",
                                    new_id, storage::decision_id(new_before.supersedes)));
  }
  // Following the chain from the old decision must not lead back to the new one.
  for (std::uint64_t n = old_before.supersedes; n != 0;) {
    if (n == new_before.number) {
      return mistake(
          cmd, fmt::format("{} is older in the same chain: {} supersedes it.", new_id, old_id));
    }
    auto earlier = ctx.repos.find<storage::Decision>(n);
    n = earlier ? earlier->supersedes : 0;
  }
  Decision old_after = old_before;
  old_after.superseded_by = new_before.number;
  Decision new_after = new_before;
  new_after.supersedes = old_before.number;
  Outcome out;
  auto now = millis(ctx.now);
  ctx.repos.save(out.writes, old_after, &old_before, Change{user, now, "superseded"});
  ctx.repos.save(out.writes, new_after, &new_before, Change{user, now, "supersedes"});
  out.reply = text_reply(
      Visibility::in_channel,
      {fmt::format("🔁 *{}* is superseded by *{}* ({})", old_id, new_id, user_mention(user)),
       fmt::format("~{}~\n→ {}", title_of(old_after), title_of(new_after))});
  return out;
}

}  // namespace

AreaSpec decision_area() {
  using namespace args;
  return {"decision",
          {"dec", "d", "decisions"},
          "The decision log",
          "list",
          {
              {"add",
               {"new", "record"},
               "Record a decision",
               {req(arg::title, "\"<title>\"")},
               {required_program_flag, opt(arg::decided_by, "@u,@v"), opt(arg::context, "\"...\""),
                opt(arg::alternatives, "\"...\""), opt(arg::tags, "a,b"), opt(arg::date, "DATE")},
               add,
               Access::writes},
              {"list",
               {"ls"},
               "List decisions, newest first",
               {},
               {program_flag, opt(arg::since, "DATE"), opt(arg::until, "DATE"), opt(arg::tag, "t"),
                opt(arg::by, "@u"), limit_flag, page_flag, share_flag},
               list,
               Access::reads_page},
              {"search",
               {"find"},
               "Full-text search over decisions",
               {req(arg::words, "<words ...>")},
               {program_flag, limit_flag, page_flag, share_flag},
               search,
               Access::reads_widely},
              {"show", {"get"}, "Show one decision", {req(arg::id, "D-n")}, {share_flag}, show},
              {"supersede",
               {},
               "Mark a decision superseded by a newer one",
               {req(arg::id, "D-old")},
               {req(arg::superseded_by, "D-new")},
               supersede,
               Access::writes},
          }};
}

}  // namespace itpm::commands
