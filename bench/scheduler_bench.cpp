// The scheduler at scale, against the real bot and the local Slack simulator (TLS, loopback):
// a store with CADENCES review cadences (each with its reminder and occurrence jobs) and RISKS
// open risks on the escalation ladder (each with its level-2 job), of which BURST reminders
// fall due in the same second. Reports start-up time and memory, the bot's CPU use over an
// idle minute, and how late the burst's agendas reached Slack.
//
// usage: itpm-scheduler-bench BOT DIR [CADENCES] [RISKS] [BURST] [IDLE_SECONDS]
#include "bench/bot_process.hpp"
#include "bench/measure.hpp"
#include "commands/areas/handler_support.hpp"
#include "storage/repositories.hpp"
#include "tests/support/http_get.hpp"
#include "tools/process/child_process.hpp"
#include "tools/slack_sim/sim_server.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

namespace {

using namespace std::chrono_literals;
using itpm::bench::cpu_seconds;
using itpm::bench::memory_mib;
using itpm::bench::percentile;
using itpm::commands::millis;
using SysClock = std::chrono::system_clock;
using SteadyClock = std::chrono::steady_clock;

constexpr std::int64_t minute_ms = 60'000;

std::string channel_of(int program) {
  return fmt::format("C0B{:05}", program);
}

// Writes the programs, cadences, risks and their jobs. The last `burst` cadences (one per
// program) have their reminder at the returned time; the rest fall in the coming week.
// `burst_in_ms` counts from the end of writing (the slow part at scale).
std::int64_t populate(const std::filesystem::path& dir, int cadences, int risks, int burst,
                      std::int64_t burst_in_ms) {
  auto store = itpm::storage::Store::open(dir, {.sync = false, .follower_dir = {}});
  itpm::storage::Repositories repos(*store);
  std::int64_t now = millis(SysClock::now());
  itpm::storage::Batch batch;
  auto flush = [&](bool force) {
    if (force || batch.size() > 20000) {
      if (!store->commit(std::move(batch))) throw std::runtime_error("commit failed");
      batch = itpm::storage::Batch();
    }
  };
  int programs = std::max(burst, 1);
  for (int p = 0; p < programs; ++p) {
    itpm::storage::Program program;
    program.key = fmt::format("p{:05}", p);
    program.name = fmt::format("Program {}", p);
    program.owner = "U0DEMO1";
    program.channel = channel_of(p);
    program.created_at = now;
    repos.save(batch, program, nullptr, {"U0DEMO1", now, "add"});
    flush(false);
  }
  std::int64_t burst_at = 0;
  auto add_cadences = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      itpm::storage::Review r;
      r.number = repos.next_number<itpm::storage::Review>(batch);
      r.program = fmt::format("p{:05}", i % programs);
      r.every = "tue 15:00";
      r.zone = "UTC";
      r.channel = channel_of(i % programs);
      r.remind = {10};
      r.anchor = "2026-11-24";
      r.next_at = burst_at != 0 ? burst_at + 10 * minute_ms
                                : now + 60 * minute_ms + (7 * 24 * 60 * minute_ms / cadences) * i;
      r.created_by = "U0DEMO1";
      r.created_at = now;
      repos.save(batch, r, nullptr, {"U0DEMO1", now, "add"});
      repos.jobs().schedule(batch, r.next_at - 10 * minute_ms,
                            {{"kind", "review_reminder"},
                             {"review", r.number},
                             {"occurrence", r.next_at},
                             {"before", 10}});
      repos.jobs().schedule(batch, r.next_at,
                            {{"kind", "review"}, {"review", r.number}, {"occurrence", r.next_at}});
      flush(false);
    }
  };
  add_cadences(0, cadences - burst);
  for (int i = 0; i < risks; ++i) {
    itpm::storage::Risk risk;
    risk.number = repos.next_number<itpm::storage::Risk>(batch);
    risk.program = fmt::format("p{:05}", i % programs);
    risk.title = fmt::format("Risk {} of the scale run", i);
    risk.likelihood = 4;
    risk.impact = 5;
    risk.owner = "U0DEMO4";
    risk.escalation_level = 1;
    risk.escalated_at = now;
    risk.escalation_reason = "raised with score 20";
    risk.created_by = "U0DEMO1";
    risk.created_at = now;
    repos.save(batch, risk, nullptr, {"U0DEMO1", now, "add"});
    repos.jobs().schedule(
        batch, now + 24 * 60 * minute_ms + i,
        {{"kind", "risk_ladder"}, {"risk", risk.number}, {"level", 2}, {"ladder", now}});
    flush(false);
  }
  flush(true);
  burst_at = millis(SysClock::now()) + burst_in_ms;
  add_cadences(cadences - burst, cadences);
  flush(true);
  return burst_at;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    fmt::print(stderr,
               "usage: itpm-scheduler-bench BOT DIR [CADENCES] [RISKS] [BURST] [IDLE_SECONDS]\n");
    return 2;
  }
  std::string bot_path = argv[1];
  std::filesystem::path dir = argv[2];
  int cadences = argc > 3 ? std::stoi(argv[3]) : 100000;
  int risks = argc > 4 ? std::stoi(argv[4]) : 100000;
  int burst = std::min(argc > 5 ? std::stoi(argv[5]) : 1000, cadences);
  if (burst < 1) burst = 1;
  int idle_seconds = argc > 6 ? std::stoi(argv[6]) : 60;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  // The burst falls due after start-up and the idle minute (with room for both).
  auto populate_start = SteadyClock::now();
  std::int64_t burst_at =
      populate(dir / "db", cadences, risks, burst, (idle_seconds + 30) * 1000LL);
  double populate_s = std::chrono::duration<double>(SteadyClock::now() - populate_start).count();
  fmt::print("populate: {} cadences ({} jobs), {} risks on the ladder ({} jobs) in {:.1f} s\n",
             cadences, 2 * cadences, risks, risks, populate_s);

  itpm::sim::SimOptions sim_options;
  sim_options.tls = true;
  itpm::sim::SlackSim sim(sim_options);
  sim.start();
  auto ca = dir / "ca.pem";
  std::ofstream(ca) << sim.cert_pem();
  itpm::process::ChildOptions options;
  options.argv = {bot_path, "--data-dir", (dir / "db").string(), "--http-listen", "127.0.0.1:0"};
  options.set_env = itpm::bench::slack_env(sim, ca);
  options.set_env["ITPM_LOG_LEVEL"] = "info";
  options.output_file = (dir / "bot.log").string();
  auto spawn = SteadyClock::now();
  itpm::process::ChildProcess bot(options);
  if (!sim.wait_for([](const itpm::sim::Snapshot& s) { return s.hellos_sent >= 1; }, 120s)) {
    fmt::print(stderr, "the bot did not connect; see {}\n", options.output_file);
    return 1;
  }
  double startup_s = std::chrono::duration<double>(SteadyClock::now() - spawn).count();
  fmt::print("start-up: connected after {:.2f} s; RSS {:.1f} MiB\n", startup_s,
             memory_mib(bot.pid(), "VmRSS"));

  double cpu_before = cpu_seconds(bot.pid());
  std::this_thread::sleep_for(std::chrono::seconds(idle_seconds));  // the measurement itself
  double idle_cpu = cpu_seconds(bot.pid()) - cpu_before;
  fmt::print("idle: {:.2f} s CPU over {} s ({:.2f}%), RSS {:.1f} MiB\n", idle_cpu, idle_seconds,
             100.0 * idle_cpu / idle_seconds, memory_mib(bot.pid(), "VmRSS"));

  // The burst: when did each agenda reach Slack, against the second it was due?
  auto steady_at_burst =
      SteadyClock::now() + std::chrono::milliseconds(burst_at - millis(SysClock::now()));
  auto counted = [](const itpm::sim::Snapshot& s) {
    return static_cast<int>(s.ok_calls("chat.postMessage").size());
  };
  bool all = sim.wait_for([&](const itpm::sim::Snapshot& s) { return counted(s) >= burst; },
                          std::chrono::seconds(idle_seconds + 300));
  auto snapshot = sim.snapshot();
  std::vector<double> lateness;
  for (const auto* call : snapshot.ok_calls("chat.postMessage"))
    lateness.push_back(
        std::chrono::duration<double, std::milli>(call->at - steady_at_burst).count());
  fmt::print(
      "burst: {} of {} agendas posted; lateness at Slack p50 {:.0f} ms, p99 {:.0f} ms, max {:.0f} "
      "ms\n",
      lateness.size(), burst, percentile(lateness, 0.5), percentile(lateness, 0.99),
      percentile(lateness, 1.0));
  if (auto port = itpm::bench::logged_http_port(options.output_file)) {
    auto metrics = itpm::test::http_get(*port, "/metrics").body;
    for (const char* name :
         {"itpm_job_lateness_seconds ", "itpm_jobs_fired_total ", "itpm_scheduled_jobs_pending "}) {
      if (auto m = metrics.find(std::string("\n") + name); m != std::string::npos)
        fmt::print("metric: {}\n", metrics.substr(m + 1, metrics.find('\n', m + 1) - m - 1));
    }
  }
  fmt::print("memory: RSS {:.1f} MiB, peak {:.1f} MiB\n", memory_mib(bot.pid(), "VmRSS"),
             memory_mib(bot.pid(), "VmHWM"));
  bot.signal(SIGTERM);
  auto status = bot.wait_exit(30s);
  fmt::print("stopped: exit {}\n", status ? *status : -1);
  return all ? 0 : 1;
}
