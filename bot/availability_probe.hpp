#pragma once
// Reads a month's availability from Prometheus (commands.md §7): at each month's end for the
// month just ended (when it has no number yet), and when an admin asks (`kpi availability
// measure`). The request and what an answer leads to are commands/areas/availability.hpp's;
// this sends the request (HTTP API `query`, a form POST, with a bearer token when one is set),
// stores what came of it in one write and sends its posts.
//
// A month-end reading that fails stores nothing. It is tried again after 1, 2, 4 and 8 hours,
// then every 12, until it works, someone records the month, or the next month ends; a changed
// query is tried at once. Admins hear of a month's failure once by DM (in their working hours).

#include "bot/follow_ups.hpp"
#include "bot/ops/metrics.hpp"
#include "bot/transport/http_client.hpp"
#include "commands/areas/availability.hpp"
#include "commands/command.hpp"
#include "storage/repositories.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/system_timer.hpp>

#include <chrono>
#include <string>

namespace itpm::bot {

class AvailabilityProbe {
 public:
  AvailabilityProbe(boost::asio::any_io_executor executor, HttpClient& http, std::string token,
                    storage::Repositories& repos, commands::Settings settings,
                    FollowUps& follow_ups, Metrics& metrics);

  // Starts the month-end runs (nothing is asked while no query is configured).
  void start();
  void stop();
  // Settings may have changed: plan again (a new query does not wait out a retry pause).
  void wake();
  // Reads the month an admin asked for now; the answer goes to their response_url.
  void measure(commands::MeasureAvailability asked);

 private:
  static boost::asio::awaitable<void> run(AvailabilityProbe* self);
  static boost::asio::awaitable<void> answer(AvailabilityProbe* self,
                                             commands::MeasureAvailability asked);
  // Sends the query for `month`; a network failure comes back as an unreachable() answer.
  static boost::asio::awaitable<commands::PrometheusAnswer> ask(AvailabilityProbe* self,
                                                                commands::Policy policy,
                                                                std::string month);
  // Stores what `answer` leads to (commands::measured) and sends its posts: its reply, and
  // whether a number was stored (a failed write says so in the reply).
  struct Kept {
    commands::Reply reply;
    bool stored = false;
  };
  static boost::asio::awaitable<Kept> keep(AvailabilityProbe* self, std::string month,
                                           commands::PrometheusAnswer answer, std::string asked_by,
                                           bool tell_admins);

  boost::asio::any_io_executor executor_;
  HttpClient& http_;
  std::string token_;
  storage::Repositories& repos_;
  commands::Settings settings_;
  FollowUps& follow_ups_;
  Metrics& metrics_;
  boost::asio::system_timer timer_;
  bool stopped_ = false;
  // The month-end reading that failed last, with which query, and when to try again.
  std::string failed_month_;
  std::string failed_query_;
  int failures_ = 0;
  std::chrono::system_clock::time_point retry_at_;
  std::string told_month_;  // the month admins were told about
};

}  // namespace itpm::bot
