// The bot against the limit of its own transport, in one run: the local Slack simulator (TLS,
// loopback) pushes N slash commands with W unacked at a time, first to the null client (the
// bot's Socket Mode client acking each envelope at once), then to the real bot for `/itpm
// help`, `/itpm risk list --program dr-2027` (50 risks) and `/itpm risk add ...` (a durable
// write each), for ROUNDS rounds (default 5). Reports each column's median: acks/s, p50/p99
// ack latency, CPU time per command of the client and of the simulator (and a second null
// client row whose acks carry a canned reply as long as the list's); then the bot's peak
// RSS, and with a STARTUP_DIR (a store filled beforehand, e.g. by itpm-storage-bench) the
// bot's start-up time on it to Socket Mode connected and to /readyz.
//
// With ITPM_BOLT_PEER set to bench/bolt_peer/app.js (after `npm install` in that folder), each
// round also runs a Bolt-for-JavaScript app answering `help` and `risk list` alike, for the
// side-by-side rows of BENCHMARKS.md.
//
// usage: itpm-load-bench BOT NULL_CLIENT DIR [N] [W] [STARTUP_DIR] [ROUNDS] [ONLY]
// With ONLY (e.g. "risk list"), the bot runs only the commands that contain it: a profile of
// one command (perf record -p <the bot's pid>).
// Prints a Markdown table; never a verdict.
#include "bench/bot_process.hpp"
#include "bench/measure.hpp"
#include "tests/support/http_get.hpp"
#include "tools/process/child_process.hpp"
#include "tools/slack_sim/sim_server.hpp"

#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <thread>

#include <sched.h>

namespace {

// The ack of `risk list --program dr-2027` over the bench's 50 risks (its "ack bytes").
constexpr std::size_t list_ack_bytes = 4251;

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
  double ack_bytes = 0;               // mean size of an ack frame (with the reply it carries)
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
  double bytes = 0;
  for (std::size_t i = acks_before; i < s.acks.size(); ++i) {
    latencies.push_back(s.acks[i].latency_ms);
    bytes += static_cast<double>(s.acks[i].bytes);
  }
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
  row.ack_bytes = latencies.empty() ? 0 : bytes / static_cast<double>(latencies.size());
  return row;
}

// The core the clients under test run on ("" when not pinned). The simulator runs on the
// other one.
std::string client_core;

// Seconds a fixed spin loop takes on `core`.
double spin_seconds(int core) {
  double seconds = 0;
  std::thread probe([&] {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(core, &set);
    if (sched_setaffinity(0, sizeof(set), &set) != 0) return;
    auto start = SteadyClock::now();
    volatile std::uint64_t sink = 0;
    for (std::uint64_t i = 0; i < 50'000'000; ++i) sink = sink + i * i;
    seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  });
  probe.join();
  return seconds;
}

// With two cores or more, the clients under test (the null client and the bot alike) run on
// the faster of cores 0 and 1 and the simulator (this process, whose I/O thread starts later)
// on the other: unpinned, runs flip between "same core" and "own cores", and on this VM one
// virtual core is at times twice as slow as the other.
void pin_cores() {
  if (std::thread::hardware_concurrency() < 2 || !std::filesystem::exists("/usr/bin/taskset"))
    return;
  double core0 = spin_seconds(0);
  double core1 = spin_seconds(1);
  int client = core0 <= core1 ? 0 : 1;
  cpu_set_t simulator;
  CPU_ZERO(&simulator);
  CPU_SET(1 - client, &simulator);
  if (sched_setaffinity(0, sizeof(simulator), &simulator) != 0) return;
  client_core = std::to_string(client);
  fmt::print(stderr, "spin loop: core 0 {:.3f} s, core 1 {:.3f} s; clients on core {}\n", core0,
             core1, client);
}

// Each column's median over the rounds (counts summed).
std::vector<Row> medians(const std::vector<std::vector<Row>>& rounds) {
  std::vector<Row> out = rounds.front();
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto median = [&](double Row::*field) {
      std::vector<double> v;
      for (const auto& round : rounds) v.push_back(round[i].*field);
      return percentile(v, 0.5);
    };
    out[i].acks_per_s = median(&Row::acks_per_s);
    out[i].p50_ms = median(&Row::p50_ms);
    out[i].p99_ms = median(&Row::p99_ms);
    out[i].cpu_us_per_command = median(&Row::cpu_us_per_command);
    out[i].sim_cpu_us_per_command = median(&Row::sim_cpu_us_per_command);
    out[i].ack_bytes = median(&Row::ack_bytes);
    out[i].acked = 0;
    out[i].timed_out = 0;
    for (const auto& round : rounds) {
      out[i].acked += round[i].acked;
      out[i].timed_out += round[i].timed_out;
    }
  }
  return out;
}

itpm::process::ChildOptions child(const itpm::sim::SlackSim& sim, std::vector<std::string> argv,
                                  const std::filesystem::path& ca,
                                  const std::filesystem::path& log) {
  itpm::process::ChildOptions options;
  if (!client_core.empty()) argv.insert(argv.begin(), {"/usr/bin/taskset", "-c", client_core});
  options.argv = std::move(argv);
  options.set_env = itpm::bench::slack_env(sim, ca);
  options.set_env["ITPM_LOG_LEVEL"] = "warn";
  options.output_file = log.string();
  return options;
}

bool wait_connected(const itpm::sim::SlackSim& sim, int hellos) {
  return sim.wait_for([hellos](const Snapshot& s) { return s.hellos_sent >= hellos; }, 120s);
}

std::uint16_t http_port(const std::filesystem::path& log) {
  // The bot logs its listener at start-up, before it connects.
  auto port = itpm::bench::logged_http_port(log);
  if (!port) throw std::runtime_error("no HTTP port in " + log.string());
  return *port;
}

void stop(itpm::process::ChildProcess& process) {
  process.signal(SIGTERM);
  if (!process.wait_exit(30s)) throw std::runtime_error("a process did not stop within 30 s");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    fmt::print(
        stderr,
        "usage: itpm-load-bench BOT NULL_CLIENT DIR [N] [W] [STARTUP_DIR] [ROUNDS] [ONLY]\n");
    return 2;
  }
  std::string bot_path = argv[1];
  std::string null_path = argv[2];
  std::filesystem::path dir = argv[3];
  int total = argc > 4 ? std::stoi(argv[4]) : 20000;
  int window = argc > 5 ? std::stoi(argv[5]) : 64;
  std::filesystem::path startup_dir = argc > 6 ? argv[6] : "";
  int rounds = std::max(1, argc > 7 ? std::stoi(argv[7]) : 5);
  std::string only = argc > 8 ? argv[8] : "";
  auto runs = [&](std::string_view command) {
    return command.find(only) != std::string_view::npos;
  };
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  pin_cores();
  itpm::sim::SimOptions sim_options;
  sim_options.tls = true;
  itpm::sim::SlackSim sim(sim_options);
  sim.start();
  auto ca = dir / "ca.pem";
  std::ofstream(ca) << sim.cert_pem();
  // Each round runs the null client, then the bot, on the same simulator; the table shows
  // each column's median over the rounds, as machine noise moves single runs by tens of
  // percent.
  std::vector<std::vector<Row>> rounds_rows;
  int hellos = 0;
  double bot_peak = 0;
  double peer_peak = 0;
  // ITPM_BOLT_PEER: bench/bolt_peer/app.js (after `npm install` there) for side-by-side rows.
  const char* peer_env = std::getenv("ITPM_BOLT_PEER");
  std::string bolt_peer = peer_env != nullptr ? peer_env : "";

  try {
    for (int round = 0; round < rounds; ++round) {
      std::vector<Row> rows;
      {
        itpm::process::ChildProcess null_client(
            child(sim, {null_path}, ca, dir / "null-client.log"));
        if (!wait_connected(sim, ++hellos))
          throw std::runtime_error("the null client did not connect");
        rows.push_back(load(sim, null_client.pid(), "null client", "help", total, window));
        stop(null_client);
      }
      {
        // The same with acks as long as `risk list`'s: the most any bot could do with replies
        // that size, as the simulator pays to receive them (TLS, unmasking, UTF-8 checks).
        auto options = child(sim, {null_path}, ca, dir / "null-client.log");
        options.set_env["ITPM_NULL_ACK_BYTES"] = std::to_string(list_ack_bytes);
        itpm::process::ChildProcess null_client(options);
        if (!wait_connected(sim, ++hellos))
          throw std::runtime_error("the null client did not connect");
        rows.push_back(
            load(sim, null_client.pid(), "null client, list-sized acks", "help", total, window));
        stop(null_client);
      }
      itpm::process::ChildProcess bot(child(
          sim, {bot_path, "--data-dir", (dir / "db").string(), "--http-listen", "127.0.0.1:0"}, ca,
          dir / "bot.log"));
      if (!wait_connected(sim, ++hellos)) throw std::runtime_error("the bot did not connect");
      if (round == 0) {
        // 50 risks for `risk list` (low scores: no escalation posts during the runs); `risk
        // add` writes into another program, so the list stays at 50.
        for (const char* setup : {R"(program add dr-2027 "Disaster Recovery 2027")",
                                  R"(program add ci-speed "CI speed")"}) {
          if (load(sim, bot.pid(), "bot", setup, 1, 1).acked != 1)
            throw std::runtime_error(std::string("not acked: ") + setup);
        }
        Row risks =
            load(sim, bot.pid(), "bot",
                 R"(risk add "Failover runbook untested" --program dr-2027 -l 2 -i 3)", 50, 8);
        if (risks.acked != 50) throw std::runtime_error("the 50 risks were not all acked");
      }
      // `risk update` changes the 50 risks of dr-2027 in turn, 64 commands in flight: several
      // at once on one risk, so changes made meanwhile are met and the command runs again.
      for (const char* command :
           {"help", "risk list --program dr-2027",
            R"(risk add "Backups not encrypted" --program ci-speed -l 2 -i 3)",
            R"(risk update R-{n%50} --mitigation "Drill {n}")"}) {
        if (runs(command)) rows.push_back(load(sim, bot.pid(), "bot", command, total, window));
      }
      bot_peak = std::max(bot_peak, memory_mib(bot.pid(), "VmHWM"));
      stop(bot);
      if (!bolt_peer.empty()) {
        // The Bolt peer (bench/bolt_peer) answers the same two reads on the same simulator.
        auto options = child(sim, {"/usr/bin/node", bolt_peer}, ca, dir / "bolt-peer.log");
        options.set_env["NODE_EXTRA_CA_CERTS"] = ca.string();
        itpm::process::ChildProcess peer(options);
        if (!wait_connected(sim, ++hellos))
          throw std::runtime_error("the Bolt peer did not connect");
        for (const char* command : {"help", "risk list --program dr-2027"}) {
          if (runs(command))
            rows.push_back(load(sim, peer.pid(), "Bolt peer", command, total, window));
        }
        peer_peak = std::max(peer_peak, memory_mib(peer.pid(), "VmHWM"));
        stop(peer);
      }
      rounds_rows.push_back(std::move(rows));
    }
    std::vector<Row> rows = medians(rounds_rows);

    fmt::print("N={} W={}, TLS WebSocket on 127.0.0.1, {}; medians of {} rounds\n\n", total, window,
               client_core.empty() ? "not pinned to cores"
                                   : "client on core " + client_core + ", simulator on the other",
               rounds);
    fmt::print(
        "| client | command | acked | timed out | acks/s | vs null | p50 ms | p99 ms | p99 vs "
        "null | CPU µs/command | simulator CPU µs/command | ack bytes |\n");
    fmt::print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    const Row& base = rows.front();
    for (const auto& r : rows) {
      fmt::print(
          "| {} | `{}` | {} | {} | {:.0f} | {:.0f}% | {:.2f} | {:.2f} | {:.1f}× | {:.0f} | {:.0f} "
          "| {:.0f} |\n",
          r.client, r.command, r.acked, r.timed_out, r.acks_per_s,
          100.0 * r.acks_per_s / base.acks_per_s, r.p50_ms, r.p99_ms, r.p99_ms / base.p99_ms,
          r.cpu_us_per_command, r.sim_cpu_us_per_command, r.ack_bytes);
    }
    fmt::print("\nbot peak RSS over the runs: {:.1f} MiB", bot_peak);
    if (!bolt_peer.empty()) fmt::print("; Bolt peer's: {:.1f} MiB", peer_peak);
    fmt::print("\nacks/s of each round:");
    for (std::size_t i = 0; i < rows.size(); ++i) {
      fmt::print("\n  {} `{}`:", rows[i].client, rows[i].command);
      for (const auto& round : rounds_rows) fmt::print(" {:.0f}", round[i].acks_per_s);
    }
    fmt::print("\n");

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
