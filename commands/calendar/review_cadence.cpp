#include "commands/calendar/review_cadence.hpp"

#include "commands/job.hpp"

#include "common/iso_date.hpp"

#include "commands/areas/dep_commands.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/areas/milestone_commands.hpp"
#include "commands/areas/risk_ladder.hpp"
#include "commands/areas/staff_commands.hpp"
#include "commands/areas/working_calendars.hpp"
#include "commands/calendar/dates.hpp"
#include "commands/calendar/recurrence.hpp"
#include "commands/render/reply.hpp"

#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>

namespace itpm::commands {
namespace {

using storage::Review;

constexpr std::int64_t minute_ms = 60'000;

std::chrono::sys_seconds seconds_at(std::int64_t ms) {
  return std::chrono::floor<std::chrono::seconds>(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms)));
}

std::string risk_item(const storage::Risk& r, int threshold) {
  std::string extra = user_mention(r.owner);
  if (r.on_ladder()) extra += fmt::format(", escalated L{}", r.escalation_level);
  if (!r.due.empty()) extra += ", mitigation due " + show_date(r.due);
  return fmt::format("{} *{}* {} {} “{}” ({})", band_dot(r.score(), threshold),
                     storage::risk_id(r.number), band(r.score(), threshold), r.score(),
                     shown_text(r.title, 80), extra);
}

Outcome note(Outcome out, std::string text) {
  out.reply.text = std::move(text);
  return out;
}

// Ends a cadence whose program closed or that has no occurrence left.
Outcome end_cadence(Outcome out, const Review& before, const Context& ctx, const std::string& why) {
  out.writes.append(cancel_cadence(before, ctx, std::string(bot_actor)).writes);
  return note(std::move(out), fmt::format("{} ended: {}", storage::review_id(before.number), why));
}

Outcome fire_reminder(const storage::ScheduledJob& job, std::int64_t occurrence,
                      const Review& review, const storage::Program& program, const Context& ctx,
                      Outcome out) {
  std::string id = storage::review_id(review.number);
  std::int64_t now = millis(ctx.now);
  std::int64_t late = now - job.due_ms;
  auto grace = std::chrono::duration_cast<std::chrono::milliseconds>(ctx.policy.grace).count();
  if (late > grace) {
    return note(
        std::move(out),
        fmt::format("reminder of {} for {} skipped: {} late, beyond the grace window", id,
                    show_occurrence(occurrence, review.zone), spelled_duration(late / minute_ms)));
  }
  // To the nearest minute: a reminder that runs a few ms after its due time is still "in 1 hour".
  std::int64_t left_ms = occurrence - now;
  std::int64_t left =
      (left_ms >= 0 ? left_ms + minute_ms / 2 : left_ms - minute_ms / 2) / minute_ms;
  std::string when = left > 0    ? "in " + spelled_duration(left)
                     : left == 0 ? "starts now"
                                 : "started " + spelled_duration(-left) + " ago";
  std::string headline = fmt::format("🗓 *{}* review {} ({})", program.key, when,
                                     show_occurrence(occurrence, review.zone));
  std::vector<std::string> notes;
  for (const auto& day :
       holiday_dates(review, review.last_at != 0 ? review.last_at : review.created_at, occurrence,
                     review_days_off(ctx, review))) {
    notes.push_back(fmt::format("_No review on {}: a holiday{}._", show_date(day),
                                review.on_holiday == "next" ? ", moved to this one" : ""));
  }
  if (late >= minute_ms) {
    notes.push_back(fmt::format("_Posted late: this reminder was due {}; the bot was offline._",
                                show_time(job.due_ms, review.zone)));
  }
  PostMessage post = agenda(program, &review, headline, notes, ctx);
  concerns(post, id, "the agenda for " + show_occurrence(occurrence, review.zone),
           {program.owner, review.created_by});
  out.effects.emplace_back(std::move(post));
  return note(std::move(out),
              fmt::format("{} agenda posted for {}", id, show_occurrence(occurrence, review.zone)));
}

Outcome pass_occurrence(std::int64_t occurrence, const Review& before, const Context& ctx,
                        Outcome out) {
  Review after = before;
  after.last_at = occurrence;
  auto next =
      next_review_time(after, std::max(occurrence, millis(ctx.now)), review_days_off(ctx, after));
  if (!next) return end_cadence(std::move(out), before, ctx, "no occurrence left");
  schedule_occurrence(out.writes, ctx.repos, after, *next, occurrence);
  ctx.repos.save(out.writes, after, &before,
                 storage::Change{std::string(bot_actor), millis(ctx.now), "occurred"});
  return note(std::move(out), fmt::format("{} next at {}", storage::review_id(before.number),
                                          show_occurrence(*next, before.zone)));
}

// The jobs of the cadence's planned occurrence (`review.next_at`), removed within `batch`.
void unschedule_occurrence(storage::Batch& batch, storage::Repositories& repos,
                           const Review& review) {
  std::vector<std::int64_t> times = {review.next_at};
  for (int before : review.remind) times.push_back(review.next_at - before * minute_ms);
  for (std::int64_t due : times) {
    for (const auto& row : repos.jobs().at(due)) {
      auto job = parse_job(row.job);
      if (!job) continue;
      bool ours =
          std::visit(Overloaded{
                         [&](const ReviewReminder& j) {
                           return j.review == review.number && j.occurrence == review.next_at;
                         },
                         [&](const ReviewOccurrence& j) {
                           return j.review == review.number && j.occurrence == review.next_at;
                         },
                         [](const auto&) { return false; },
                     },
                     *job);
      if (ours) repos.jobs().unschedule(batch, row);
    }
  }
}

}  // namespace

std::string describe_cadence(const std::string& every, const std::string& zone) {
  auto spec = parse_recurrence(every);
  std::string what =
      std::holds_alternative<Recurrence>(spec) ? describe(std::get<Recurrence>(spec)) : every;
  return fmt::format("{} ({})", what, zone);
}

std::optional<std::int64_t> next_review_time(const Review& review, std::int64_t after_ms,
                                             const DaysOff& off) {
  auto spec = parse_recurrence(review.every);
  const date::time_zone* zone = find_zone(review.zone);
  auto anchor = common::parse_date(review.anchor);
  if (!std::holds_alternative<Recurrence>(spec) || zone == nullptr || !anchor) return std::nullopt;
  std::set<std::chrono::sys_days> skipped;
  for (const auto& d : review.skipped) {
    if (auto day = common::parse_date(d)) skipped.insert(*day);
  }
  bool moves = review.on_holiday == "next";
  if (!moves) skipped.insert(off.holidays.begin(), off.holidays.end());
  auto next =
      next_occurrence(std::get<Recurrence>(spec), *zone, seconds_at(after_ms), *anchor, skipped);
  if (!next) return std::nullopt;
  if (moves) {
    // On a holiday: the next working day (not a holiday, a day the week works), same time.
    auto local = zone->to_local(*next);
    auto day =
        std::chrono::sys_days(std::chrono::floor<std::chrono::days>(local.time_since_epoch()));
    auto time_of_day = local.time_since_epoch() - day.time_since_epoch();
    if (off.holidays.contains(day)) {
      int guard = 0;
      do {
        day += std::chrono::days(1);
      } while (++guard < 366 &&
               (off.holidays.contains(day) || !off.hours.working_day(std::chrono::weekday(day))));
      next = zone->to_sys(date::local_seconds{day.time_since_epoch() + time_of_day},
                          date::choose::earliest);
    }
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(next->time_since_epoch()).count();
}

std::vector<std::string> holiday_dates(const Review& review, std::int64_t from_ms,
                                       std::int64_t to_ms, const DaysOff& off) {
  std::vector<std::string> out;
  const date::time_zone* zone = find_zone(review.zone);
  if (zone == nullptr || off.holidays.empty()) return out;
  Review plain = review;
  plain.on_holiday.clear();
  std::int64_t t = from_ms;
  for (int i = 0; i < 400; ++i) {
    auto next = next_review_time(plain, t);
    if (!next || *next >= to_ms) break;
    auto day = local_day(*next, *zone);
    if (off.holidays.contains(day)) out.push_back(iso_date(day));
    t = *next;
  }
  return out;
}

void schedule_occurrence(storage::Batch& batch, storage::Repositories& repos, Review& review,
                         std::int64_t at, std::int64_t not_before_ms) {
  review.next_at = at;
  for (int before : review.remind) {
    std::int64_t due = at - before * minute_ms;
    if (due <= not_before_ms) continue;
    repos.jobs().schedule(batch, due, job_row(ReviewReminder{review.number, at, before}));
  }
  repos.jobs().schedule(batch, at, job_row(ReviewOccurrence{review.number, at}));
}

void move_occurrence(storage::Batch& batch, storage::Repositories& repos, const Review& before,
                     std::int64_t at, const storage::Change& change) {
  Review after = before;
  unschedule_occurrence(batch, repos, before);
  schedule_occurrence(batch, repos, after, at, change.at);
  repos.save(batch, after, &before, change);
}

std::string show_occurrence(std::int64_t ms, const std::string& zone) {
  const date::time_zone* tz = find_zone(zone);
  if (tz == nullptr) return show_time(ms, "UTC");
  auto t = std::chrono::floor<std::chrono::minutes>(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms)));
  return date::format("%a %Y-%m-%d %H:%M ", date::make_zoned(tz, t)) + zone;
}

PostMessage agenda(const storage::Program& program, const Review* review,
                   const std::string& headline, const std::vector<std::string>& notes,
                   const Context& ctx) {
  std::vector<std::string> paragraphs = {headline};
  paragraphs.insert(paragraphs.end(), notes.begin(), notes.end());

  auto latest = ctx.repos.status_updates(program.key, 1);
  if (latest.empty()) {
    paragraphs.push_back(fmt::format(
        "*Status:* none recorded yet — `/itpm status {} green \"<summary>\"`", program.key));
  } else {
    const auto& s = latest.front();
    paragraphs.push_back(fmt::format("*Status:* {} {} — “{}” ({}, {})", status_dot(s.status),
                                     s.status, shown_text(s.summary, 300), user_mention(s.by),
                                     ago(s.at, ctx.now)));
  }

  std::vector<std::string> risks;
  std::size_t open_risks = 0;
  auto program_risks = ctx.repos.risks_of_program(program.key);
  for (const auto& r : *program_risks) {
    if (r.status == storage::RiskStatus::closed || r.status == storage::RiskStatus::accepted)
      continue;
    if (++open_risks <= 5) risks.push_back(risk_item(r, ctx.policy.escalation_threshold));
  }
  if (risks.empty()) {
    paragraphs.emplace_back("*Risks:* none open");
  } else {
    std::string text = "*Risks:*";
    for (const auto& r : risks) text += "\n" + r;
    if (open_risks > risks.size()) {
      text += fmt::format("\n… and {} more: `/itpm risk list --program {}`",
                          open_risks - risks.size(), program.key);
    }
    paragraphs.push_back(std::move(text));
  }

  // Decisions since the last review (the cadence's start before its first one; two weeks
  // for an agenda asked for without a cadence).
  std::int64_t since_ms = review == nullptr      ? millis(ctx.now) - 14 * 24 * 60 * minute_ms
                          : review->last_at != 0 ? review->last_at
                                                 : review->created_at;
  const date::time_zone* zone = find_zone(review != nullptr ? review->zone : ctx.zone);
  if (zone == nullptr) zone = date::locate_zone("UTC");
  storage::DecisionFilter filter;
  filter.program = program.key;
  filter.since_days = local_day(since_ms, *zone).time_since_epoch().count();
  std::size_t total = 0;
  auto decisions = ctx.repos.decisions(filter, 5, &total);
  std::string since_label = review != nullptr && review->last_at != 0
                                ? "since the last review"
                                : "since " + show_date(iso_date(local_day(since_ms, *zone)));
  if (decisions.empty()) {
    paragraphs.push_back(fmt::format("*Decisions {}:* none", since_label));
  } else {
    std::string text = fmt::format("*Decisions {}:*", since_label);
    for (const auto& d : decisions) {
      text += fmt::format("\n• *{}* {}", storage::decision_id(d.number), shown_text(d.title, 120));
    }
    if (total > decisions.size()) {
      text += fmt::format("\n… and {} more: `/itpm decision list --program {}`",
                          total - decisions.size(), program.key);
    }
    paragraphs.push_back(std::move(text));
  }

  // Milestones due in the next 14 days, and overdue ones, soonest first.
  auto today = local_day(millis(ctx.now), *zone);
  std::size_t due_soon = 0;
  std::vector<storage::Milestone> milestones =
      ctx.repos.open_milestones(iso_date(today + std::chrono::days(15)), program.key, 5, &due_soon);
  if (milestones.empty()) {
    paragraphs.emplace_back("*Milestones:* none due in the next 14 days");
  } else {
    std::string text = "*Milestones:*";
    for (const auto& m : milestones) {
      text += fmt::format("\n• *{}* “{}” {} ({})", storage::milestone_id(m.number),
                          shown_text(m.title, 80), milestone_due(m, today), user_mention(m.owner));
    }
    if (due_soon > milestones.size()) {
      text += fmt::format("\n… and {} more: `/itpm milestone list --program {}`",
                          due_soon - milestones.size(), program.key);
    }
    paragraphs.push_back(std::move(text));
  }

  // Open dependencies of the program, soonest need-by first (overdue ones say so).
  // The first five read, the rest counted from the index.
  std::size_t open_deps = 0;
  auto deps = ctx.repos.open_dependencies_of(program.key, 5, &open_deps);
  if (!deps.empty()) {
    std::string text = "*Dependencies:*";
    for (const auto& d : deps) text += "\n• " + dependency_line(d, today);
    if (open_deps > deps.size()) {
      text += fmt::format("\n… and {} more: `/itpm dep list --program {}`", open_deps - deps.size(),
                          program.key);
    }
    paragraphs.push_back(std::move(text));
  }

  if (auto over = over_allocated(ctx.repos, program.key); !over.empty()) {
    std::string text = "*Staffing:*";
    for (const auto& o : over) text += "\n⚠️ " + o;
    paragraphs.push_back(std::move(text));
  }

  if (review != nullptr && review->last_at != 0 &&
      (latest.empty() || latest.front().at < review->last_at)) {
    paragraphs.push_back(fmt::format("*Stale:* no status update since the last review ({})",
                                     show_occurrence(review->last_at, review->zone)));
  }

  std::string footer =
      fmt::format("Record the status: `/itpm status {} green|amber|red \"...\"`", program.key);
  if (review != nullptr) {
    footer +=
        fmt::format(" · skip a review: `/itpm review skip {}`", storage::review_id(review->number));
  }
  Reply reply = text_reply(Visibility::in_channel, paragraphs);
  reply.blocks.push_back(context_line(footer));
  // Opens the status form for whoever presses it.
  reply.blocks.push_back(command_buttons({{"Record status", "review record " + program.key}}));
  PostMessage post;
  post.channel = review != nullptr ? review->channel : program.channel;
  post.text = reply.text;
  post.blocks = std::move(reply.blocks);
  return post;
}

Outcome fire_review_job(const storage::ScheduledJob& job, std::uint64_t number,
                        std::int64_t occurrence, bool reminder, const Context& ctx) {
  Outcome out;
  std::string id = storage::review_id(number);
  auto review = ctx.repos.find<storage::Review>(number);
  if (!review || review->status != storage::ReviewStatus::active || review->next_at != occurrence) {
    return note(std::move(out), fmt::format("job of {} dropped: that occurrence is off", id));
  }
  auto program = ctx.repos.find<storage::Program>(review->program);
  if (!program || program->status != storage::ProgramStatus::open) {
    return end_cadence(std::move(out), *review, ctx,
                       fmt::format("program {} is closed", review->program));
  }
  // A holiday declared where nothing re-planned the cadence (imported while the bot was
  // stopped): the occurrence moves off it now, and this job is dropped.
  DaysOff off = review_days_off(ctx, *review);
  const date::time_zone* zone = find_zone(review->zone);
  auto moved = zone != nullptr && off.holidays.contains(local_day(occurrence, *zone))
                   ? next_review_time(*review, occurrence - 1, off)
                   : std::nullopt;
  if (moved && *moved != occurrence) {
    move_occurrence(out.writes, ctx.repos, *review, *moved,
                    storage::Change{std::string(bot_actor), millis(ctx.now), "holiday"});
    return note(std::move(out), fmt::format("{}: {} is a holiday; next review {}", id,
                                            show_occurrence(occurrence, review->zone),
                                            show_occurrence(*moved, review->zone)));
  }
  if (reminder) return fire_reminder(job, occurrence, *review, *program, ctx, std::move(out));
  return pass_occurrence(occurrence, *review, ctx, std::move(out));
}

}  // namespace itpm::commands
