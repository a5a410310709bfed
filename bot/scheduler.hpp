#pragma once
// Runs the jobs of the schedule family when they fall due: review reminders and occurrences,
// escalation ladder steps, overdue mitigation checks (commands/jobs.hpp decides what each
// does). One timer is armed for the earliest job, so nothing runs while nothing is due.
// Firing is one atomic batch per round: the jobs' removal, the changes they make, the jobs
// they schedule next and the outbox rows of their posts; the posts go out once it is durable.

#include "bot/follow_ups.hpp"
#include "bot/ops/metrics.hpp"
#include "commands/command.hpp"
#include "storage/repositories.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/system_timer.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace itpm::bot {

// One round of due jobs.
struct Round {
  storage::Batch writes;
  std::vector<QueuedPost> posts;  // in the outbox within `writes`
  std::size_t fired = 0;
  std::vector<std::string> log;  // what each job did
  std::vector<std::int64_t> lateness_ms;
};

// Runs up to `max` jobs due at ctx.now, oldest first, into one batch. A job whose item
// (review, risk) another job of this round already changed waits for the next round, so
// every job reads the state its predecessors left. The clock is ctx.now: tests run rounds on
// virtual time.
Round next_round(storage::Repositories& repos, const commands::Context& ctx, std::size_t max);

class Scheduler {
 public:
  Scheduler(boost::asio::any_io_executor executor, storage::Repositories& repos,
            FollowUps& follow_ups, Metrics& metrics, commands::Settings settings);

  void start();
  // A job may have been added: look at the earliest due time again.
  void wake();
  void stop();

 private:
  static boost::asio::awaitable<void> run(Scheduler* self);

  boost::asio::any_io_executor executor_;
  storage::Repositories& repos_;
  FollowUps& follow_ups_;
  Metrics& metrics_;
  commands::Settings settings_;
  boost::asio::system_timer timer_;
  bool stopped_ = false;
};

}  // namespace itpm::bot
