#pragma once
// A data dir prepared before the bot starts: commands run straight on its store, and the
// escalation ladder's pending steps made due at once.

#include "commands/areas/config_commands.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/registry.hpp"
#include "storage/job_queue.hpp"
#include "storage/repositories.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

namespace itpm::test {

// Runs `/itpm <text>` (Slack-escaped) as U0DEMO1 in C0DEMO1 on `repos`, committing its writes.
inline void run_on_store(storage::Repositories& repos, const std::string& text) {
  commands::Registry registry;
  commands::Command c;
  c.user_id = "U0DEMO1";
  c.channel_id = "C0DEMO1";
  c.text = text;
  auto out = registry.handle(
      c, commands::make_context(repos, {}, std::chrono::system_clock::now(), "UTC"));
  REQUIRE(repos.store().commit(std::move(out.writes)));
}

// Moves every pending escalation-ladder step to a second ago, within `batch`.
inline void make_ladder_steps_due(storage::Repositories& repos, storage::Batch& batch) {
  auto now_ms = commands::millis(std::chrono::system_clock::now());
  for (const auto& job : storage::all_jobs(repos.store())) {
    if (job.job.value("kind", "") != "risk_ladder") continue;
    repos.jobs().unschedule(batch, job);
    repos.jobs().schedule(batch, now_ms - 1000, job.job);
  }
}

}  // namespace itpm::test
