#include "bot/ops/health.hpp"

#include <catch2/catch.hpp>

using itpm::bot::Health;
using itpm::bot::Metrics;

TEST_CASE("a task is failing after three failures in a row, until one unit succeeds") {
  Metrics metrics;
  Health health(metrics);
  health.failed("scheduler", "running due jobs", "IO error: No space left on device");
  health.failed("scheduler", "running due jobs", "IO error: No space left on device");
  CHECK(health.problems().empty());  // two in a row: not yet
  health.succeeded("scheduler");
  health.failed("scheduler", "running due jobs", "IO error");
  health.failed("scheduler", "running due jobs", "IO error");
  CHECK(health.problems().empty());  // the streak started again
  health.failed("scheduler", "running due jobs", "IO error: No space left on device");
  CHECK(health.problems() ==
        "scheduler failing (3 times in a row; last: running due jobs: IO error: No space left on "
        "device)");
  CHECK(metrics.value("itpm_task_failing", {{"task", "scheduler"}}) == 1);
  CHECK(metrics.value("itpm_task_failures_total", {{"task", "scheduler"}}) == 5);
  health.succeeded("scheduler");
  CHECK(health.problems().empty());
  CHECK(metrics.value("itpm_task_failing", {{"task", "scheduler"}}) == 0);
}

TEST_CASE("a problem keeps the bot not ready until it is cleared") {
  Metrics metrics;
  Health health(metrics);
  health.set_problem("store", "writes refused: disk full");
  health.failed("posts", "sending outbox row 3", "boom");
  CHECK(health.problems() == "store: writes refused: disk full");
  CHECK(metrics.value("itpm_problem", {{"name", "store"}}) == 1);
  health.clear_problem("store");
  CHECK(health.problems().empty());
  CHECK(metrics.value("itpm_problem", {{"name", "store"}}) == 0);
}
