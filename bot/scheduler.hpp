#pragma once
// Runs the jobs of the schedule family when they fall due: review reminders and occurrences,
// escalation ladder steps, overdue mitigation checks (commands/job.hpp says what a job is,
// commands/job_runner.hpp what each does). One timer is armed for the earliest job, so nothing runs
// while nothing is due. Firing is one atomic batch per round: the jobs' removal, the changes they
// make, the jobs they schedule next and the outbox rows of their posts; the posts go out once it is
// durable.

#include "bot/follow_ups.hpp"
#include "bot/ops/health.hpp"
#include "bot/ops/metrics.hpp"
#include "commands/command.hpp"
#include "storage/repositories.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/system_timer.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace itpm::bot {

// One round of due jobs.
struct Round {
  storage::Batch writes;
  std::vector<QueuedPost> posts;  // in the outbox within `writes`
  std::size_t fired = 0;
  std::vector<std::string> log;          // what each job did
  std::vector<std::string> quarantined;  // why each job moved to the quarantine did
  std::vector<std::int64_t> lateness_ms;
};

// Runs up to `max` jobs due at ctx.now, oldest first, into one batch. A job whose item
// (review, risk) another job of this round already changed waits for the next round, so
// every job reads the state its predecessors left. A job that cannot run (unknown kind, bad
// fields, or its run threw) is moved to the quarantine in the same batch: it neither blocks
// the jobs after it nor runs again. The batch holds only while what the jobs read is
// unchanged. The clock is ctx.now: tests run rounds on virtual time.
Round next_round(storage::Repositories& repos, const commands::Context& ctx, std::size_t max);

class Scheduler {
 public:
  // Reports each round to `health` as the task "scheduler".
  Scheduler(boost::asio::any_io_executor executor, storage::Repositories& repos,
            FollowUps& follow_ups, Metrics& metrics, Health& health, commands::Settings settings);

  void start();
  // A job may have been added: look at the earliest due time again.
  void wake();
  void stop();

 private:
  static boost::asio::awaitable<void> run(Scheduler* self);
  // Runs and stores one round; returns when to look again (nullopt: at once). Throws what the
  // round met (a failed write included).
  static boost::asio::awaitable<std::optional<std::chrono::system_clock::time_point>> step(
      Scheduler* self);

  boost::asio::any_io_executor executor_;
  storage::Repositories& repos_;
  FollowUps& follow_ups_;
  Metrics& metrics_;
  Health& health_;
  int conflicts_ = 0;  // rounds in a row that met a change made meanwhile
  commands::Settings settings_;
  boost::asio::system_timer timer_;
  bool stopped_ = false;
};

}  // namespace itpm::bot
