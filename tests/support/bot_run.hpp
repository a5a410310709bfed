#pragma once
// The real itpm-bot binary started against a SlackSim, in a temp data dir.

#include "tests/support/temp_dir.hpp"
#include "tools/process/child_process.hpp"
#include "tools/slack_sim/sim_server.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace itpm::test {

// A simulator on loopback (TLS unless `tls` is false) with short ack timeouts for tests.
std::unique_ptr<sim::SlackSim> make_sim(
    bool tls = true, std::chrono::milliseconds ping_interval = std::chrono::seconds(5));

// The channel ID the simulator gave `#name`.
inline std::string channel_id(sim::SlackSim& sim, const std::string& name) {
  std::string ref = sim.escape_like_slack("#" + name);  // <#C0X00001|name>
  return ref.substr(2, ref.find('|') - 2);
}

class BotRun {
 public:
  // Starts itpm-bot with the simulator's URL, tokens and CA; `env` overrides or adds
  // variables, `unset` removes them.
  // `data_dir` empty: a fresh one in the run's temp dir. `subcommand` (with its arguments)
  // runs that instead of the bot (`doctor`).
  BotRun(sim::SlackSim& sim, std::map<std::string, std::string> env = {},
         std::vector<std::string> unset = {}, std::filesystem::path data_dir = {},
         std::vector<std::string> subcommand = {});

  process::ChildProcess& process() { return *process_; }
  // The port of /healthz, /readyz and /metrics, read from the bot's log (waits up to 10 s).
  std::uint16_t http_port();
  // Waits until the simulator has greeted `n` sockets in total.
  bool wait_hellos(int n, std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // Sends `/itpm <text>` (typed form) and waits for its ack; returns the ack payload's text.
  std::string command(const std::string& text,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // SIGTERM, then the exit status (nullopt if it did not stop within 15 s).
  std::optional<int> terminate();

 private:
  sim::SlackSim& sim_;
  TempDir dir_;
  std::unique_ptr<process::ChildProcess> process_;
};

}  // namespace itpm::test
