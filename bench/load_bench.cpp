// The bot against the limit of its own transport, in one run: the local Slack simulator (TLS,
// loopback) pushes N slash commands with W unacked at a time, first to the null client (acks
// each envelope as soon as it has found its envelope_id), then to the real bot for `/itpm
// help`, `/itpm risk list --program dr-2027` (50 risks) and `/itpm risk add ...` (a durable
// write each). Reports acks/s, p50/p99 ack latency, CPU time per command and the peak RSS of
// each process; with a STARTUP_DIR (a store filled beforehand, e.g. by itpm-storage-bench),
// also the bot's start-up time on it to Socket Mode connected and to /readyz.
//
// usage: itpm-load-bench BOT NULL_CLIENT DIR [N] [W] [STARTUP_DIR]
// Prints a Markdown table; never a verdict.
#include "bench/measure.hpp"
#include "tests/support/http_get.hpp"
#include "tools/process/child_process.hpp"
#include "tools/slack_sim/sim_server.hpp"

#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <thread>

#include <sched.h>

namespace {

using namespace std::chrono_literals;
using itpm::bench::cpu_seconds;
using itpm::bench::memory_mib;
using itpm::bench::percentile;
using itpm::sim::Snapshot;
using SteadyClock = std::chrono::steady_clock;

struct Row {
  std::string client;
  std::string command;
  int acked = 0;
  int timed_out = 0;
  double acks_per_s = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double cpu_us_per_command = 0;
  double sim_cpu_us_per_command = 0;  // the simulator (this process) over the same run
};

// One timed run of `total` commands with `window` in flight; CPU time of `pid` over the run.
Row load(itpm::sim::SlackSim& sim, pid_t pid, const std::string& client, const std::string& text,
         int total, int window) {
  std::size_t acks_before = sim.snapshot().acks.size();
  std::size_t timeouts_before = sim.snapshot().timed_out.size();
  double cpu_before = cpu_seconds(pid);
  double sim_before = cpu_seconds(getpid());
  auto start = SteadyClock::now();
  sim.start_load(total, window, sim.escape_like_slack(text));
  bool done = sim.wait_for(
      [&](const Snapshot& s) {
        return s.acks.size() - acks_before + s.timed_out.size() - timeouts_before >=
               static_cast<std::size_t>(total);
      },
      10min);
  double elapsed = std::chrono::duration<double>(SteadyClock::now() - start).count();
  double cpu = cpu_seconds(pid) - cpu_before;
  double sim_cpu = cpu_seconds(getpid()) - sim_before;
  Snapshot s = sim.snapshot();
  if (!done) throw std::runtime_error("the load run did not finish within 10 minutes: " + text);
  std::vector<double> latencies;
  for (std::size_t i = acks_before; i < s.acks.size(); ++i)
    latencies.push_back(s.acks[i].latency_ms);
  Row row;
  row.client = client;
  row.command = text;
  row.acked = static_cast<int>(latencies.size());
  row.timed_out = static_cast<int>(s.timed_out.size() - timeouts_before);
  row.acks_per_s = static_cast<double>(row.acked) / elapsed;
  row.p50_ms = percentile(latencies, 0.5);
  row.p99_ms = percentile(latencies, 0.99);
  row.cpu_us_per_command = cpu * 1e6 / total;
  row.sim_cpu_us_per_command = sim_cpu * 1e6 / total;
  return row;
}

// Set when the simulator runs on core 0: clients under test then run on core 1.
bool pin_clients = false;

// Pins this process (the simulator, whose thread starts later) to core 0 when there are two
// cores or more. Without pinning, runs flip between "same core" and "own cores", and the
// numbers with them.
void pin_simulator() {
  if (std::thread::hardware_concurrency() < 2 || !std::filesystem::exists("/usr/bin/taskset"))
    return;
  cpu_set_t core0;
  CPU_ZERO(&core0);
  CPU_SET(0, &core0);
  pin_clients = sched_setaffinity(0, sizeof(core0), &core0) == 0;
}

itpm::process::ChildOptions child(const itpm::sim::SlackSim& sim, std::vector<std::string> argv,
                                  const std::filesystem::path& ca,
                                  const std::filesystem::path& log) {
  itpm::process::ChildOptions options;
  if (pin_clients) argv.insert(argv.begin(), {"/usr/bin/taskset", "-c", "1"});
  options.argv = std::move(argv);
  options.set_env = {{"SLACK_API_URL", sim.api_url()},
                     {"SLACK_APP_TOKEN", sim.options().app_token},
                     {"SLACK_BOT_TOKEN", sim.options().bot_token},
                     {"SSL_CERT_FILE", ca.string()},
                     {"ITPM_LOG_LEVEL", "warn"}};
  options.output_file = log.string();
  return options;
}

bool wait_connected(const itpm::sim::SlackSim& sim, int hellos) {
  return sim.wait_for([hellos](const Snapshot& s) { return s.hellos_sent >= hellos; }, 120s);
}

std::uint16_t http_port(const std::filesystem::path& log) {
  // The bot logs its listener at start-up, before it connects.
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string marker = "health and metrics on http://127.0.0.1:";
  auto at = text.find(marker);
  if (at == std::string::npos) throw std::runtime_error("no HTTP port in " + log.string());
  return static_cast<std::uint16_t>(std::stoi(text.substr(at + marker.size())));
}

void stop(itpm::process::ChildProcess& process) {
  process.signal(SIGTERM);
  if (!process.wait_exit(30s)) throw std::runtime_error("a process did not stop within 30 s");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    fmt::print(stderr, "usage: itpm-load-bench BOT NULL_CLIENT DIR [N] [W] [STARTUP_DIR]\n");
    return 2;
  }
  std::string bot_path = argv[1];
  std::string null_path = argv[2];
  std::filesystem::path dir = argv[3];
  int total = argc > 4 ? std::stoi(argv[4]) : 20000;
  int window = argc > 5 ? std::stoi(argv[5]) : 64;
  std::filesystem::path startup_dir = argc > 6 ? argv[6] : "";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  pin_simulator();
  itpm::sim::SimOptions sim_options;
  sim_options.tls = true;
  itpm::sim::SlackSim sim(sim_options);
  sim.start();
  auto ca = dir / "ca.pem";
  std::ofstream(ca) << sim.cert_pem();
  std::vector<Row> rows;
  int hellos = 0;

  try {
    {
      itpm::process::ChildProcess null_client(child(sim, {null_path}, ca, dir / "null-client.log"));
      if (!wait_connected(sim, ++hellos))
        throw std::runtime_error("the null client did not connect");
      rows.push_back(load(sim, null_client.pid(), "null client", "help", total, window));
      fmt::print(stderr, "null client: peak RSS {:.1f} MiB\n",
                 memory_mib(null_client.pid(), "VmHWM"));
      stop(null_client);
    }
    double bot_peak = 0;
    {
      itpm::process::ChildProcess bot(child(
          sim, {bot_path, "--data-dir", (dir / "db").string(), "--http-listen", "127.0.0.1:0"}, ca,
          dir / "bot.log"));
      if (!wait_connected(sim, ++hellos)) throw std::runtime_error("the bot did not connect");
      // 50 risks for `risk list` (low scores: no escalation posts during the runs).
      Row setup =
          load(sim, bot.pid(), "bot", R"(program add dr-2027 "Disaster Recovery 2027")", 1, 1);
      if (setup.acked != 1) throw std::runtime_error("program add was not acked");
      setup = load(sim, bot.pid(), "bot",
                   R"(risk add "Failover runbook untested" --program dr-2027 -l 2 -i 3)", 50, 8);
      if (setup.acked != 50) throw std::runtime_error("the 50 risks were not all acked");
      rows.push_back(load(sim, bot.pid(), "bot", "help", total, window));
      rows.push_back(load(sim, bot.pid(), "bot", "risk list --program dr-2027", total, window));
      rows.push_back(load(sim, bot.pid(), "bot",
                          R"(risk add "Backups not encrypted" --program dr-2027 -l 2 -i 3)", total,
                          window));
      bot_peak = memory_mib(bot.pid(), "VmHWM");
      stop(bot);
    }

    fmt::print("N={} W={}, TLS WebSocket on 127.0.0.1, {}\n\n", total, window,
               pin_clients ? "simulator on core 0, client on core 1" : "not pinned to cores");
    fmt::print(
        "| client | command | acked | timed out | acks/s | vs null | p50 ms | p99 ms | p99 vs "
        "null | CPU µs/command | simulator CPU µs/command |\n");
    fmt::print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    const Row& base = rows.front();
    for (const auto& r : rows) {
      fmt::print(
          "| {} | `{}` | {} | {} | {:.0f} | {:.0f}% | {:.2f} | {:.2f} | {:.1f}× | {:.0f} | {:.0f} "
          "|\n",
          r.client, r.command, r.acked, r.timed_out, r.acks_per_s,
          100.0 * r.acks_per_s / base.acks_per_s, r.p50_ms, r.p99_ms, r.p99_ms / base.p99_ms,
          r.cpu_us_per_command, r.sim_cpu_us_per_command);
    }
    fmt::print("\nbot peak RSS over the runs: {:.1f} MiB\n", bot_peak);

    if (!startup_dir.empty()) {
      auto options =
          child(sim, {bot_path, "--data-dir", startup_dir.string(), "--http-listen", "127.0.0.1:0"},
                ca, dir / "bot-startup.log");
      options.set_env["ITPM_LOG_LEVEL"] = "info";  // the log line with the HTTP port
      auto spawn = SteadyClock::now();
      itpm::process::ChildProcess bot(options);
      if (!wait_connected(sim, ++hellos)) throw std::runtime_error("the bot did not connect");
      double connected_s = std::chrono::duration<double>(SteadyClock::now() - spawn).count();
      auto ready = itpm::test::http_get(http_port(dir / "bot-startup.log"), "/readyz");
      double ready_s = std::chrono::duration<double>(SteadyClock::now() - spawn).count();
      fmt::print(
          "start-up on {}: Socket Mode connected after {:.3f} s, /readyz {} \"{}\" after "
          "{:.3f} s; RSS {:.1f} MiB\n",
          startup_dir.string(), connected_s, ready.status, ready.body, ready_s,
          memory_mib(bot.pid(), "VmRSS"));
      stop(bot);
    }
  } catch (const std::exception& e) {
    Snapshot snap = sim.snapshot();
    fmt::print(stderr,
               "load bench failed: {} (logs in {}); simulator: {} tickets, {} handshakes "
               "accepted, {} refused, {} hellos\n",
               e.what(), dir.string(), snap.tickets_issued, snap.handshakes_accepted,
               snap.handshakes_refused, snap.hellos_sent);
    for (const auto& c : snap.closed) fmt::print(stderr, "  {}\n", c);
    return 1;
  }
  return 0;
}
