#include "commands/areas/review_commands.hpp"

#include "commands/language/arg_builders.hpp"
#include "common/iso_date.hpp"

#include "commands/areas/handler_support.hpp"
#include "commands/areas/item_access.hpp"
#include "commands/areas/working_calendars.hpp"
#include "commands/calendar/dates.hpp"
#include "commands/calendar/recurrence.hpp"
#include "commands/calendar/review_cadence.hpp"
#include "commands/render/reply.hpp"

#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace itpm::commands {
namespace {

using storage::Change;
using storage::Program;
using storage::Review;
using storage::StatusUpdate;

constexpr int max_remind_minutes = 7 * 24 * 60;

// "1h,10m" -> {60, 10}; on a mistake, `error` says what is wrong.
std::vector<int> parse_remind(std::string_view text, std::string& error) {
  std::vector<int> out;
  for (const auto& piece : split_list(text)) {
    int n = -1;
    auto [end, ec] = std::from_chars(piece.data(), piece.data() + piece.size(), n);
    std::string unit(end, piece.data() + piece.size());
    int factor = unit == "m" ? 1 : unit == "h" ? 60 : unit == "d" ? 24 * 60 : 0;
    if (ec != std::errc() || factor == 0 || n < 0 || n > max_remind_minutes / factor) {
      error = fmt::format(
          "--remind takes times before the review like 1h, 30m or 1d, up to 7d, separated by "
          "commas (got \"{}\").",
          shown_text(piece, 20));
      return {};
    }
    out.push_back(n * factor);
  }
  if (out.size() > 3) {
    error = "--remind takes at most three times (like 1d,1h,10m).";
    return {};
  }
  std::sort(out.begin(), out.end(), std::greater<>());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string remind_text(const std::vector<int>& remind) {
  std::string out;
  for (int m : remind) {
    out += (out.empty() ? "" : ", ") + (m == 0 ? std::string("0 minutes") : spelled_duration(m));
  }
  return out;
}

std::string cadence_text(const Review& r) {
  return describe_cadence(r.every, r.zone);
}

std::string line(const Review& r) {
  std::string out = fmt::format("*{}* {} · {} · {}", storage::review_id(r.number), r.program,
                                cadence_text(r), channel_mention(r.channel));
  if (r.status == storage::ReviewStatus::active) {
    out += " · next " + show_occurrence(r.next_at, r.zone);
  } else {
    out += " · _" + storage::status_name(r.status) + "_";
  }
  if (!r.skipped.empty()) out += " · skipping " + shown_list(r.skipped);
  if (r.on_holiday == "next") out += " · on a holiday: the next working day";
  return out;
}

const ItemRules<Review> review_rules = {
    "review cadence",
    "V-2",
    "See them with `/itpm review list`.",
    [](const Review& r, const Context&) { return std::vector<std::string>{r.created_by}; },
    [](const Review& r, const Context&) {
      return user_mention(r.created_by) + " (who scheduled it)";
    },
    [](const Review& r, const Context&) {
      return r.status != storage::ReviewStatus::active
                 ? fmt::format("{} is {}.", storage::review_id(r.number),
                               storage::status_name(r.status))
                 : std::string();
    }};

Outcome schedule(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const Program& program, open_program(cmd, ctx, cmd.required(arg::program)));
  auto spec = parse_recurrence(cmd.required(arg::every));
  if (auto* error = std::get_if<std::string>(&spec)) return mistake(cmd, *error);
  Review r;
  r.program = program.key;
  r.every = to_spec(std::get<Recurrence>(spec));
  r.zone = cmd.get(arg::tz).value_or(ctx.zone);
  if (auto err = zone_error(r.zone); !err.empty()) return mistake(cmd, err);
  r.channel = cmd.get(arg::channel).value_or(program.channel);
  r.on_holiday = cmd.get(arg::on_holiday).value_or("skip") == "next" ? "next" : "";
  r.remind = {60};
  if (auto v = cmd.get(arg::remind)) {
    std::string error;
    r.remind = parse_remind(*v, error);
    if (!error.empty()) return mistake(cmd, error);
    if (r.remind.empty()) return mistake(cmd, "--remind needs at least one time, like 1h.");
  }
  for (const auto& other : ctx.repos.all<storage::Review>()) {
    if (other.status == storage::ReviewStatus::active && other.program == r.program &&
        other.every == r.every && other.zone == r.zone) {
      return mistake(cmd, fmt::format("{} already has that review: {}. Change it by cancelling "
                                      "it first (`/itpm review cancel {}`).",
                                      program.key, storage::review_id(other.number),
                                      storage::review_id(other.number)));
    }
  }
  r.created_by = command.user_id;
  r.created_at = millis(ctx.now);
  // Every-n-weeks cadences count from the week of their first occurrence: the next matching
  // day, whichever week it falls in.
  Recurrence weekly = std::get<Recurrence>(spec);
  weekly.interval_weeks = 1;
  Review first = r;
  first.every = to_spec(weekly);
  first.anchor = iso_date(today_in(ctx.now, r.zone));
  auto first_at = next_review_time(first, r.created_at);
  if (!first_at) return mistake(cmd, "That cadence has no occurrence in the next ten years.");
  r.anchor = iso_date(local_day(*first_at, *find_zone(r.zone)));
  auto next = next_review_time(r, r.created_at, review_days_off(ctx, r));
  if (!next) return mistake(cmd, "That cadence has no occurrence in the next ten years.");

  Outcome out;
  r.number = ctx.repos.next_number<storage::Review>(out.writes);
  schedule_occurrence(out.writes, ctx.repos, r, *next, r.created_at);
  ctx.repos.save(out.writes, r, nullptr, Change{command.user_id, r.created_at, "add"});
  std::string id = storage::review_id(r.number);
  std::vector<std::string> paragraphs = {
      fmt::format("🗓 *{}* review cadence for *{}*: {}, in {}", id, program.key, cadence_text(r),
                  channel_mention(r.channel)),
      fmt::format("Next review {} · agenda posted {} before", show_occurrence(r.next_at, r.zone),
                  remind_text(r.remind))};
  if (r.next_at - r.remind.back() * 60'000 <= r.created_at) {
    paragraphs.push_back(fmt::format(
        "That review is too close for its reminder; post its agenda with `/itpm review now {}`.",
        program.key));
  }
  paragraphs.push_back(fmt::format(
      "Skip one: `/itpm review skip {} --date DATE` · stop: `/itpm review cancel {}`", id, id));
  out.reply = text_reply(Visibility::in_channel, paragraphs);
  return out;
}

Outcome list(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  std::string program = cmd.get(arg::program).value_or("");
  if (!program.empty() && !ctx.repos.find<storage::Program>(program))
    return unknown_program(cmd, ctx, program);
  std::vector<std::string> lines;
  for (const auto& r : ctx.repos.all<storage::Review>()) {
    if (r.status == storage::ReviewStatus::active && (program.empty() || r.program == program))
      lines.push_back(line(r));
  }
  std::string scope = program.empty() ? "" : " for " + program;
  if (lines.empty()) {
    return reply_only(
        text_reply(query_visibility(cmd),
                   {fmt::format("No review cadences{}.", scope),
                    "Schedule one: `/itpm review schedule <program> --every \"tue 15:00\"`"}));
  }
  std::size_t total = lines.size();
  lines = page_of(cmd, std::move(lines));
  return reply_only(
      page_reply(cmd, command, query_visibility(cmd),
                 fmt::format("*{} review cadence{}{}*", total, total == 1 ? "" : "s", scope), lines,
                 total, "Narrow with --program, or raise --limit."));
}

Outcome cancel(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const Review& before, item_to_change(cmd, command, ctx, review_rules, "cancel"));
  Outcome out = cancel_cadence(before, ctx, command.user_id);
  out.reply =
      text_reply(Visibility::in_channel,
                 {fmt::format("🛑 *{}* cancelled by {}: no more {} reviews {}.",
                              storage::review_id(before.number), user_mention(command.user_id),
                              before.program, cadence_text(before))});
  return out;
}

Outcome skip(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const Review& before, item_to_change(cmd, command, ctx, review_rules, "change"));
  std::string id = storage::review_id(before.number);
  const date::time_zone* zone = find_zone(before.zone);
  if (zone == nullptr) return mistake(cmd, fmt::format("{} has an unknown zone.", id));
  std::string day = iso_date(local_day(before.next_at, *zone));
  std::string error;
  if (!date_flag(cmd, ctx, arg::date, day, error)) return mistake(cmd, error);
  if (std::find(before.skipped.begin(), before.skipped.end(), day) != before.skipped.end())
    return mistake(cmd, fmt::format("{} already skips {}.", id, show_date(day)));
  // The date must hold an occurrence that is still ahead (within a year).
  auto target = common::parse_date(day);
  auto today = today_in(ctx.now, before.zone);
  if (*target < today) return mistake(cmd, fmt::format("{} is in the past.", show_date(day)));
  if (*target > today + std::chrono::days(366))
    return mistake(cmd, "Skip dates can be at most a year ahead.");
  std::string upcoming;
  bool on_target = false;
  DaysOff off = review_days_off(ctx, before);
  for (std::int64_t t = millis(ctx.now), shown = 0; shown < 3;) {
    auto next = next_review_time(before, t, off);
    if (!next) break;
    auto d = local_day(*next, *zone);
    if (d == *target) {
      on_target = true;
      break;
    }
    if (d > *target) {
      upcoming += (shown++ == 0 ? " Next ones: " : "; ") + show_occurrence(*next, before.zone);
    }
    t = *next;
  }
  if (!on_target) {
    return mistake(cmd, fmt::format("{} has no review on {} (it meets {}).{}", id, show_date(day),
                                    cadence_text(before), upcoming.empty() ? "" : upcoming + "."));
  }
  Review after = before;
  after.skipped.push_back(day);
  std::sort(after.skipped.begin(), after.skipped.end());
  Outcome out;
  std::int64_t now = millis(ctx.now);
  if (local_day(before.next_at, *zone) == *target) {
    auto next = next_review_time(after, before.next_at, off);
    if (!next) return mistake(cmd, "Skipping that would leave no review in the next ten years.");
    schedule_occurrence(out.writes, ctx.repos, after, *next, now);
  }
  ctx.repos.save(out.writes, after, &before, Change{command.user_id, now, "skip"});
  out.reply =
      text_reply(Visibility::in_channel,
                 {fmt::format("⏭ *{}* {}: no review on {} (skipped by {}).", id, before.program,
                              show_date(day), user_mention(command.user_id)),
                  "Next review " + show_occurrence(after.next_at, after.zone)});
  return out;
}

Outcome now(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const Program& program, open_program(cmd, ctx, cmd.required(arg::program)));
  std::optional<Review> cadence;
  for (auto& r : ctx.repos.all<storage::Review>()) {
    if (r.status == storage::ReviewStatus::active && r.program == program.key) {
      cadence = std::move(r);
      break;
    }
  }
  std::string headline = fmt::format("🗓 *{}* review agenda (asked for by {})", program.key,
                                     user_mention(command.user_id));
  PostMessage post = agenda(program, cadence ? &*cadence : nullptr, headline, {}, ctx);
  Outcome out;
  if (post.channel != command.channel_id) {
    out.reply = text_reply(
        Visibility::ephemeral,
        {fmt::format("Posting the {} agenda in {}.", program.key, channel_mention(post.channel))});
  } else {
    out.reply.visibility = Visibility::in_channel;  // empty: the post is the reply
  }
  out.effects.emplace_back(std::move(post));
  return out;
}

Outcome record_status(const ParsedCommand& cmd, const Command& command, const Context& ctx,
                      const std::string& key, const std::string& color,
                      const std::string& summary) {
  ITPM_FOUND(const Program& program, open_program(cmd, ctx, key));
  if (auto e = length_error("summary", summary, 500); !e.empty()) return mistake(cmd, e);
  if (summary.empty()) return mistake(cmd, "Say in a few words why: the summary is empty.");
  auto previous = ctx.repos.status_updates(program.key, 1);
  StatusUpdate u;
  u.program = program.key;
  u.status = color;
  u.summary = summary;
  u.by = command.user_id;
  u.at = millis(ctx.now);
  Outcome out;
  u.number = ctx.repos.next_number<storage::StatusUpdate>(out.writes);
  ctx.repos.save(out.writes, u, nullptr, Change{command.user_id, u.at, "status"});
  std::string head = fmt::format("{} *{}* status {} — “{}” ({})", status_dot(color), program.key,
                                 color, shown_text(summary, 500), user_mention(command.user_id));
  std::string was = previous.empty() ? "First status update for " + program.key + "."
                                     : fmt::format("Was {} since {}.", previous.front().status,
                                                   show_time(previous.front().at, ctx.zone));
  out.reply = text_reply(Visibility::in_channel, {head, was});
  return out;
}

Outcome record(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  return record_status(cmd, command, ctx, cmd.required(arg::program), cmd.required(arg::status),
                       cmd.required(arg::summary));
}

std::string status_line(const Program& p, const std::vector<StatusUpdate>& latest,
                        const Context& ctx) {
  if (latest.empty()) return fmt::format("⚪ *{}* no status yet", p.key);
  const auto& s = latest.front();
  return fmt::format("{} *{}* {} — “{}” ({}, {})", status_dot(s.status), p.key, s.status,
                     shown_text(s.summary, 200), user_mention(s.by), ago(s.at, ctx.now));
}

Outcome status(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  auto program = cmd.get(arg::program);
  auto color = cmd.get(arg::color);
  auto summary = cmd.get(arg::summary);
  if (!color && summary) {
    return mistake(cmd, fmt::format("Say how it stands: `/itpm status {} green|amber|red \"{}\"`.",
                                    program.value_or(""), shown_text(*summary, 80)));
  }
  if (color) {
    return record_status(cmd, command, ctx, program.value_or(""), *color, summary.value_or(""));
  }
  if (program) {
    auto p = ctx.repos.find<storage::Program>(*program);
    if (!p) return unknown_program(cmd, ctx, *program);
    auto updates = ctx.repos.status_updates(p->key, 5);
    std::vector<std::string> paragraphs = {status_line(*p, updates, ctx)};
    for (std::size_t i = 1; i < updates.size(); ++i) {
      paragraphs.push_back(fmt::format(
          "   before: {} — “{}” ({}, {})", updates[i].status, shown_text(updates[i].summary, 200),
          user_mention(updates[i].by), show_time(updates[i].at, ctx.zone)));
    }
    if (updates.empty()) {
      paragraphs.push_back(
          fmt::format("Record one: `/itpm status {} green \"<summary>\"`", p->key));
    }
    return reply_only(text_reply(query_visibility(cmd), paragraphs));
  }
  // The open programs are counted from their index; only the page's are read, each with its
  // latest status.
  auto window = page_window(cmd);
  std::vector<std::string> lines;
  std::size_t total = 0;
  ctx.repos.open_programs([&](std::string_view key) {
    if (!window.shows(total++)) return true;
    if (auto p = ctx.repos.find<storage::Program>(key))
      lines.push_back(status_line(*p, ctx.repos.status_updates(p->key, 1), ctx));
    return true;
  });
  if (total == 0) {
    return reply_only(
        text_reply(query_visibility(cmd),
                   {"No open programs.", "Start one: `/itpm program add <key> \"<name>\"`"}));
  }
  return reply_only(
      page_reply(cmd, command, query_visibility(cmd),
                 fmt::format("*Status of {} open program{}*", total, total == 1 ? "" : "s"), lines,
                 total, "Ask about one: `/itpm status <program>`."));
}

}  // namespace

AreaSpec review_area() {
  using namespace args;
  return {"review",
          {"rev", "reviews"},
          "The review cadence and agendas",
          "list",
          {
              {"schedule",
               {"add"},
               "Schedule a recurring review",
               {req(arg::program, "<program>")},
               {req(arg::every, "\"<spec>\""), opt(arg::tz, "Area/City"), opt(arg::channel, "#c"),
                opt(arg::remind, "1h[,10m]"), choice(arg::on_holiday, {"skip", "next"}, false)},
               schedule,
               Access::writes},
              {"list",
               {"ls"},
               "List review cadences",
               {},
               {program_flag, limit_flag, page_flag, share_flag},
               list,
               Access::reads_page},
              {"cancel", {}, "Cancel a cadence", {req(arg::id, "V-n")}, {}, cancel, Access::writes},
              {"skip",
               {},
               "Skip the next or a given occurrence",
               {req(arg::id, "V-n")},
               {opt(arg::date, "DATE")},
               skip,
               Access::writes},
              {"now",
               {},
               "Post the agenda now",
               {req(arg::program, "<program>")},
               {},
               now,
               Access::reads_widely},
              {"record",
               {},
               "Record a status update",
               {req(arg::program, "<program>"), req(arg::summary, "\"<summary>\"")},
               {choice(arg::status, {"green", "amber", "red"}, true)},
               record,
               Access::writes},
          }};
}

AreaSpec status_area() {
  using namespace args;
  return {"status",
          {"st"},
          "Show or record program status",
          "",
          {{"",
            {},
            "Show the latest status, or record one",
            {opt(arg::program, "[program]"), choice(arg::color, {"green", "amber", "red"}, false),
             opt(arg::summary, "[\"<summary>\"]")},
            {limit_flag, page_flag, share_flag},
            status,
            Access::writes}}};
}

}  // namespace itpm::commands
