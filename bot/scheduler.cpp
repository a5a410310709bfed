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

#include <set>

namespace itpm::bot {

namespace net = boost::asio;

Round next_round(storage::Repositories& repos, const commands::Context& ctx, std::size_t max) {
  Round round;
  std::int64_t now = commands::millis(ctx.now);
  std::set<std::string> touched;
  for (const auto& row : repos.jobs().due(now, max)) {
    auto job = commands::parse_job(row.job);
    if (job && !touched.insert(commands::job_item(*job)).second) break;
    commands::Outcome outcome;
    try {
      outcome = commands::fire_job(row, job, ctx);
    } catch (const std::exception& e) {
      // A job that cannot run (malformed) must not block the ones after it.
      outcome = commands::Outcome{};
      repos.jobs().unschedule(outcome.writes, row);
      outcome.reply.text = std::string("a job failed and was dropped: ") + e.what();
    }
    round.writes.append(std::move(outcome.writes));
    for (auto& post : queue_posts(repos, round.writes, outcome.effects, now))
      round.posts.push_back(std::move(post));
    if (!outcome.reply.text.empty()) round.log.push_back(std::move(outcome.reply.text));
    round.lateness_ms.push_back(now - row.due_ms);
    ++round.fired;
  }
  return round;
}

Scheduler::Scheduler(net::any_io_executor executor, storage::Repositories& repos,
                     FollowUps& follow_ups, Metrics& metrics, commands::Settings settings)
    : executor_(std::move(executor)),
      repos_(repos),
      follow_ups_(follow_ups),
      metrics_(metrics),
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
  constexpr std::size_t round_size = 32;  // posts of a burst start after the first few
  // Re-read the schedule at least hourly: a wall-clock step (NTP) cannot delay a job longer.
  constexpr auto longest_sleep = std::chrono::hours(1);
  while (!self->stopped_) {
    auto now = std::chrono::system_clock::now();
    commands::Context ctx = commands::make_context(self->repos_, self->settings_, now, "");
    Round round = next_round(self->repos_, ctx, round_size);
    if (round.fired > 0) {
      auto committed =
          co_await commit(self->executor_, self->repos_.store(), std::move(round.writes));
      if (!committed) {
        spdlog::error("cannot store fired jobs: {}", committed.error);
        // Nothing was written: the jobs are still due. Try again shortly.
        self->timer_.expires_after(std::chrono::seconds(5));
        co_await self->timer_.async_wait(net::as_tuple(net::use_awaitable));
        continue;
      }
      for (const auto& line : round.log) spdlog::info("scheduler: {}", line);
      self->metrics_.set("itpm_job_lateness_seconds", {},
                         static_cast<double>(round.lateness_ms.back()) / 1000.0);
      self->metrics_.add("itpm_jobs_fired_total", {}, static_cast<double>(round.fired));
      for (auto& post : round.posts) self->follow_ups_.post(std::move(post));
      continue;
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
    self->timer_.expires_at(until);
    co_await self->timer_.async_wait(net::as_tuple(net::use_awaitable));
  }
}

}  // namespace itpm::bot
