#pragma once
// What the benchmarks that run the real bot on a generated workspace share: a store imported
// from itpm-workspace-gen's export (kept and reused), the bot started on it against the
// simulator and waited for until ready, and commands timed from the slash command to their
// ack and their answer.

#include "bench/bot_process.hpp"
#include "bench/measure.hpp"
#include "tests/support/http_get.hpp"
#include "tools/process/child_process.hpp"
#include "tools/slack_sim/sim_server.hpp"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace itpm::bench {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;
using sim::Snapshot;

inline double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

struct Timing {
  std::vector<double> ack_ms;
  std::vector<double> answer_ms;
  std::vector<double> cpu_us;  // the bot's CPU time from the slash command to the answer
  int unanswered = 0;          // no ack within 15 s, or no answer within 60 s
};

// Sends `text` and waits for its ack and its answer: the ack's payload, or (for an empty ack)
// the next response_url reply. With `bot` (its pid), also the CPU time the bot spent on it, all
// threads: commands are sent one at a time, so what the bot did meanwhile was this command
// (and the odd timer).
inline void time_command(sim::SlackSim& sim, const std::string& text, Timing& t, pid_t bot = 0) {
  double cpu_before = bot != 0 ? cpu_seconds(bot) : 0;
  auto note_cpu = [&] {
    if (bot != 0) t.cpu_us.push_back((cpu_seconds(bot) - cpu_before) * 1e6);
  };
  int replies_before = sim.snapshot().count_calls("response_url");
  sim::SlashCommand command;
  command.text = text;
  auto sent = SteadyClock::now();
  std::string id = sim.send_slash_command(command);
  bool acked = sim.wait_for([&](const Snapshot& s) { return s.ack_for(id) != nullptr; }, 15s);
  double ack_ms = seconds_since(sent) * 1000;
  if (!acked) {
    ++t.unanswered;
    return;
  }
  t.ack_ms.push_back(ack_ms);
  Snapshot s = sim.snapshot();
  const auto* ack = s.ack_for(id);
  bool in_ack = ack->payload.is_object() && !ack->payload.value("text", "").empty() &&
                ack->payload.value("text", "").find("Working on it") == std::string::npos;
  if (in_ack) {
    t.answer_ms.push_back(ack_ms);
    note_cpu();
    return;
  }
  bool answered = sim.wait_for(
      [&](const Snapshot& now) { return now.count_calls("response_url") > replies_before; }, 60s);
  if (!answered) {
    ++t.unanswered;
    return;
  }
  t.answer_ms.push_back(seconds_since(sent) * 1000);
  note_cpu();
}

inline process::ChildOptions child(const sim::SlackSim& sim, std::vector<std::string> argv,
                                   const std::filesystem::path& ca,
                                   const std::filesystem::path& log) {
  process::ChildOptions options;
  options.argv = std::move(argv);
  options.set_env = slack_env(sim, ca);
  options.set_env["ITPM_ADMINS"] = "U0DEMO1";
  options.set_env["ITPM_LOG_LEVEL"] = "info";  // the line with the HTTP port
  options.output_file = log.string();
  return options;
}

inline int run(const std::string& program, std::vector<std::string> args,
               const std::filesystem::path& log) {
  process::ChildOptions options;
  options.argv = {program};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.output_file = log.string();
  process::ChildProcess p(options);
  auto status = p.wait_exit(30min);
  if (!status) throw std::runtime_error(program + " did not finish within 30 minutes");
  return *status;
}

// A generated workspace of `scale`, imported into a store in `dir` with `itpm-bot import` (both
// kept and reused: delete them to start again), and what making them took.
struct Workspace {
  std::filesystem::path data;
  double generate_s = 0;
  double import_s = 0;
  double json_mib = 0;
};

inline Workspace prepare_workspace(const std::string& bot, const std::string& gen,
                                   const std::filesystem::path& dir, int scale) {
  Workspace w;
  auto json_path = dir / fmt::format("workspace-{}.json", scale);
  w.data = dir / fmt::format("data-{}", scale);
  if (!std::filesystem::exists(json_path)) {
    auto start = SteadyClock::now();
    if (run(gen, {std::to_string(scale), json_path.string()}, dir / "gen.log") != 0)
      throw std::runtime_error("itpm-workspace-gen failed; see gen.log");
    w.generate_s = seconds_since(start);
  }
  w.json_mib = static_cast<double>(std::filesystem::file_size(json_path)) / (1 << 20);
  if (!std::filesystem::exists(w.data)) {
    auto start = SteadyClock::now();
    if (run(bot, {"import", "--data-dir", w.data.string(), "--from", json_path.string()},
            dir / fmt::format("import-{}.log", scale)) != 0)
      throw std::runtime_error("import failed; see import log");
    w.import_s = seconds_since(start);
  }
  return w;
}

// The bot started on `data` (logging to `log`), once the simulator has greeted its socket (the
// `hellos`th) and /readyz says ready; `startup_s` receives how long that took.
inline std::unique_ptr<process::ChildProcess> start_ready(sim::SlackSim& sim,
                                                          const std::string& bot,
                                                          const std::filesystem::path& data,
                                                          const std::filesystem::path& ca,
                                                          const std::filesystem::path& log,
                                                          int hellos, double& startup_s) {
  auto spawn = SteadyClock::now();
  auto process = std::make_unique<process::ChildProcess>(
      child(sim, {bot, "--data-dir", data.string(), "--http-listen", "127.0.0.1:0"}, ca, log));
  if (!sim.wait_for([&](const Snapshot& s) { return s.hellos_sent >= hellos; }, 60s))
    throw std::runtime_error("the bot did not connect");
  for (;;) {
    try {
      auto port = logged_http_port(log);
      if (port && test::http_get(*port, "/readyz").status == 200) break;
    } catch (const std::exception&) {
      // not listening yet
    }
    if (seconds_since(spawn) > 60) throw std::runtime_error("the bot was not ready in 60 s");
  }
  startup_s = seconds_since(spawn);
  return process;
}

}  // namespace itpm::bench
