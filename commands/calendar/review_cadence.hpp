#pragma once
// Review cadences at work: when the next review is, the jobs that remind people of it, and
// the agenda those reminders post (commands.md §2, review).
//
// Each active cadence has exactly one live occurrence, `next_at`. For it the schedule holds
// one "review_reminder" job per reminder offset and one "review" job at the occurrence
// itself. The reminder posts the agenda; the "review" job marks the occurrence as passed and
// schedules the next one. A job whose occurrence is no longer the cadence's `next_at`
// (skipped, cancelled) is dropped when it falls due.

#include "commands/calendar/working_time.hpp"
#include "commands/command.hpp"

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace itpm::commands {

// The days a cadence's occurrences avoid (commands.md §6): holidays of the workspace and its
// program, local dates in the cadence's zone; and the working week, for a cadence that moves
// to the next working day (`--on-holiday next`).
struct DaysOff {
  std::set<std::chrono::sys_days> holidays;
  WorkingHours hours = default_working_hours();
};

// The first occurrence of `review` strictly after `after_ms`: its skipped dates left out, and
// one on a holiday left out too or, with `on_holiday` "next", moved to the next working day at
// the same local time. nullopt when its spec or zone cannot be read or nothing falls within
// ten years.
std::optional<std::int64_t> next_review_time(const storage::Review& review, std::int64_t after_ms,
                                             const DaysOff& off = {});

// The local dates of `review`'s occurrences after `from_ms` and before `to_ms` that a holiday
// took (skipped or moved), in order: the next agenda says so.
std::vector<std::string> holiday_dates(const storage::Review& review, std::int64_t from_ms,
                                       std::int64_t to_ms, const DaysOff& off);

// Makes `at` the cadence's next occurrence and schedules its jobs: the reminders that fall
// after `not_before_ms` and the occurrence job.
void schedule_occurrence(storage::Batch& batch, storage::Repositories& repos,
                         storage::Review& review, std::int64_t at, std::int64_t not_before_ms);

// Moves the cadence's planned occurrence (`before.next_at`) to `at`, as a holiday declared or
// removed asks: the old occurrence's jobs are removed (it may come back later, and is never
// reminded of twice), the new one's scheduled, and the cadence saved with `change`.
void move_occurrence(storage::Batch& batch, storage::Repositories& repos,
                     const storage::Review& before, std::int64_t at, const storage::Change& change);

// "Tue 2026-12-01 15:00 Europe/Amsterdam": an occurrence in its cadence's zone.
std::string show_occurrence(std::int64_t ms, const std::string& zone);

// "every Mon at 09:00 (Europe/Berlin)": a cadence spec and its zone in words.
std::string describe_cadence(const std::string& every, const std::string& zone);

// Ends a cadence (a review cadence, a report schedule) as `by` did: cancelled now, saved with
// its audit entry; its stale jobs are dropped when they fall due.
template <class R>
Outcome cancel_cadence(const R& before, const Context& ctx, const std::string& by) {
  R after = before;
  after.status = storage::ReviewStatus::cancelled;
  after.cancelled_at =
      std::chrono::duration_cast<std::chrono::milliseconds>(ctx.now.time_since_epoch()).count();
  Outcome out;
  ctx.repos.save(out.writes, after, &before, storage::Change{by, after.cancelled_at, "cancel"});
  return out;
}

// The agenda of `program`'s review: status, open risks by score, decisions since the last
// review, what went stale. `review` may be null (an agenda asked for without a cadence).
// `headline` is the first line; `notes` come after it (a late post says so there).
PostMessage agenda(const storage::Program& program, const storage::Review* review,
                   const std::string& headline, const std::vector<std::string>& notes,
                   const Context& ctx);

// Runs review V-<review>'s job for `occurrence` at ctx.now: its reminder (the agenda) or, when
// not `reminder`, the occurrence passing. `job` is the stored row (its due time tells how
// late a reminder is); reminders missed by more than the grace window are skipped.
// `reply.text` says what happened, for the log.
Outcome fire_review_job(const storage::ScheduledJob& job, std::uint64_t review,
                        std::int64_t occurrence, bool reminder, const Context& ctx);

}  // namespace itpm::commands
