#include "bot/scheduler.hpp"

#include "bot/async_commit.hpp"

#include "commands/areas/config_commands.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/job_runner.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace itpm::bot {

namespace net = boost::asio;

Round next_round(storage::Repositories& repos, const commands::Context& ctx, std::size_t max) {
  Round round;
  std::int64_t now = commands::millis(ctx.now);
  std::set<std::string> touched;
  // The round is written only if what its jobs read is unchanged by then (a command may have
  // acked the risk a ladder step is about to escalate): otherwise it is run again.
  storage::ReadSet reads;
  for (const auto& row : repos.jobs().due(now, max)) {
    commands::Outcome outcome;
    bool quarantined = false;
    try {
      auto job = commands::parse_job(row.job);
      if (job && !touched.insert(commands::job_item(*job)).second) break;
      quarantined = !job;
      outcome = commands::fire_job(row, job, ctx);
    } catch (const std::exception& e) {
      outcome = commands::Outcome{};
      std::string why = std::string("running it threw: ") + e.what();
      repos.jobs().quarantine(outcome.writes, row, why, now);
      outcome.reply.text = "job " + std::to_string(row.seq) + " " + why;
      quarantined = true;
    }
    round.writes.append(std::move(outcome.writes));
    // Escalations, reminders and breaches go ahead of everything else waiting to be posted.
    for (auto& effect : outcome.effects) {
      if (auto* post = std::get_if<commands::PostMessage>(&effect))
        post->priority = commands::PostPriority::urgent;
    }
    for (auto& post : queue_posts(repos, round.writes, outcome.effects, now))
      round.posts.push_back(std::move(post));
    auto& lines = quarantined ? round.quarantined : round.log;
    if (!outcome.reply.text.empty()) lines.push_back(std::move(outcome.reply.text));
    round.lateness_ms.push_back(now - row.due_ms);
    ++round.fired;
  }
  if (!round.writes.empty()) reads.expect_in(round.writes);
  return round;
}

Scheduler::Scheduler(net::any_io_executor executor, storage::Repositories& repos,
                     FollowUps& follow_ups, Metrics& metrics, Health& health,
                     commands::Settings settings)
    : executor_(std::move(executor)),
      repos_(repos),
      follow_ups_(follow_ups),
      metrics_(metrics),
      health_(health),
      settings_(std::move(settings)),
      timer_(executor_) {}

void Scheduler::start() {
  net::co_spawn(executor_, run(this), net::detached);
}

void Scheduler::wake() {
  timer_.cancel();
}

void Scheduler::stop() {
  stopped_ = true;
  timer_.cancel();
}

net::awaitable<void> Scheduler::run(Scheduler* self) {
  // After a failed round (the store refusing writes, say) the jobs are still due: try again
  // after a pause that grows while it keeps failing.
  int failures = 0;
  while (!self->stopped_) {
    std::optional<std::chrono::system_clock::time_point> next;
    std::string error;
    try {
      next = co_await step(self);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (error.empty()) {
      failures = 0;
      self->health_.succeeded("scheduler");
    } else {
      self->health_.failed("scheduler", "running due jobs", error);
      next = std::chrono::system_clock::now() + std::chrono::seconds(5 << std::min(failures++, 6));
    }
    if (!next || self->stopped_) continue;
    self->timer_.expires_at(*next);
    co_await self->timer_.async_wait(net::as_tuple(net::use_awaitable));
  }
}

net::awaitable<std::optional<std::chrono::system_clock::time_point>> Scheduler::step(
    Scheduler* self) {
  constexpr std::size_t round_size = 32;  // posts of a burst start after the first few
  // Re-read the schedule at least hourly: a wall-clock step (NTP) cannot delay a job longer.
  constexpr auto longest_sleep = std::chrono::hours(1);
  auto now = std::chrono::system_clock::now();
  commands::Context ctx = commands::make_context(self->repos_, self->settings_, now, "");
  Round round = next_round(self->repos_, ctx, round_size);
  if (round.fired > 0) {
    auto committed =
        co_await commit(self->executor_, self->repos_.store(), std::move(round.writes));
    self->conflicts_ = committed.conflict ? self->conflicts_ + 1 : 0;
    if (committed.conflict && self->conflicts_ < 3) {
      spdlog::debug("scheduler: {} changed meanwhile; running the round again", committed.item);
      co_return std::nullopt;
    }
    if (!committed) throw std::runtime_error("cannot store fired jobs: " + committed.error);
    for (const auto& line : round.log) spdlog::info("scheduler: {}", line);
    for (const auto& line : round.quarantined) spdlog::error("scheduler: {}", line);
    if (!round.quarantined.empty()) {
      self->metrics_.add("itpm_quarantined_total", {{"kind", "job"}},
                         static_cast<double>(round.quarantined.size()));
    }
    self->metrics_.set("itpm_job_lateness_seconds", {},
                       static_cast<double>(round.lateness_ms.back()) / 1000.0);
    self->metrics_.add("itpm_jobs_fired_total", {}, static_cast<double>(round.fired));
    for (auto& post : round.posts) self->follow_ups_.post(std::move(post));
    co_return std::nullopt;
  }
  self->metrics_.set(
      "itpm_scheduled_jobs_pending", {},
      static_cast<double>(self->repos_.store().estimate_keys(storage::Family::schedule)));
  auto next = self->repos_.jobs().next_due();
  auto until = now + longest_sleep;
  if (next) {
    auto due = std::chrono::system_clock::time_point(std::chrono::milliseconds(*next));
    until = std::min(until, due);
  }
  co_return until;
}

}  // namespace itpm::bot
