#pragma once
// Supervision of the bot's background work (scheduler rounds, posts, survey refreshes,
// backups, the HTTP listener) and of conditions that stop it from serving (the store refusing
// writes). Each task reports the outcome of every unit of work; a failure is logged once, with
// what the task was doing. A task whose last `failing_after` units all failed is failing:
// /readyz answers 503 naming it and /metrics shows it, until a unit succeeds again.
// Thread-safe (backups report from their own thread).

#include "bot/ops/metrics.hpp"

#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace itpm::bot {

class Health {
 public:
  static constexpr int failing_after = 3;

  explicit Health(Metrics& metrics) : metrics_(metrics) {}

  // A unit of `task`'s work failed while `doing` (logged as an error).
  void failed(std::string_view task, std::string_view doing, std::string_view error);
  // A unit of `task`'s work went well: the task is no longer failing.
  void succeeded(std::string_view task);

  // A condition that keeps the bot from serving (`why`), until cleared.
  void set_problem(std::string_view name, std::string why);
  void clear_problem(std::string_view name);

  // Why the bot is not ready, one line; empty when nothing is failing.
  [[nodiscard]] std::string problems() const;

 private:
  struct Task {
    int failures_in_a_row = 0;
    std::string last_error;
  };
  void publish(const std::string& task, const Task& t);

  Metrics& metrics_;
  mutable std::mutex mutex_;
  std::map<std::string, Task, std::less<>> tasks_;
  std::map<std::string, std::string, std::less<>> problems_;
};

}  // namespace itpm::bot
