// Every read command at a large organisation's ten years, and 10× it: for each SCALE, a
// workspace written by itpm-workspace-gen is loaded with `itpm-bot import` (the real import
// path; the store is kept in DIR and reused), the bot is started on it against the local Slack
// simulator (TLS, loopback), and each command is sent ROUNDS times one after another. For each: the
// time from the slash command to its ack, and to its answer (the ack's payload, or the response_url
// reply that follows it), p50 and p99; after each round, the Home tab of R-1's owner opened
// (app_home_opened to its views.publish). Then `help` sent 20 times while a `report` runs, and the
// bot's start-up time and peak RSS. Each command's CPU column is the bot's CPU time (all threads)
// from the slash command to its answer, p50.
//
// usage: itpm-scale-bench BOT GEN DIR [ROUNDS] [SCALE...] [-- COMMAND...]
//        (defaults: 5 rounds, scales 1 and 10, the read commands below)
// Prints Markdown; never a verdict.
#include "bench/measure.hpp"
#include "bench/scale_run.hpp"
#include "tests/support/http_get.hpp"
#include "tools/process/child_process.hpp"
#include "tools/slack_sim/sim_server.hpp"

#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using itpm::bench::child;
using itpm::bench::memory_mib;
using itpm::bench::percentile;
using itpm::bench::run;
using itpm::bench::seconds_since;
using itpm::bench::SteadyClock;
using itpm::bench::time_command;
using itpm::bench::Timing;
using itpm::sim::Snapshot;

const std::vector<std::string> read_commands = {"report",
                                                "kpi",
                                                "risk list",
                                                "risk heatmap",
                                                "review now p00001",
                                                "milestone list --overdue",
                                                "action list --overdue",
                                                "decision search failover patroni",
                                                "help",
                                                "risk list --program p00001"};

struct ScaleResult {
  int scale = 0;
  double generate_s = 0;
  double import_s = 0;
  double json_mib = 0;
  double startup_s = 0;
  std::map<std::string, Timing> timings;
  Timing help_during_report;
  Timing home;  // app_home_opened to its views.publish
  double peak_rss_mib = 0;
};

// The owner of R-1 as `risk show R-1` names them (a person with work to show), or U0DEMO1.
std::string owner_of_first_risk(itpm::sim::SlackSim& sim) {
  itpm::sim::SlashCommand command;
  command.text = "risk show R-1";
  std::string id = sim.send_slash_command(command);
  if (!sim.wait_for([&](const Snapshot& s) { return s.ack_for(id) != nullptr; }, 15s))
    return "U0DEMO1";
  std::string text = sim.snapshot().ack_for(id)->payload.value("text", "");
  auto owner = text.find("owner <@");
  if (owner == std::string::npos) return "U0DEMO1";
  auto start = owner + 8;
  return text.substr(start, text.find_first_of(">|", start) - start);
}

// Opens the Home tab of `user` and waits for the views.publish that answers it (the event's
// ack is not timed: the answer is what a person waits for).
void time_home(itpm::sim::SlackSim& sim, const std::string& user, Timing& t) {
  int published = sim.snapshot().count_calls("views.publish");
  auto sent = SteadyClock::now();
  bool answered =
      !sim.open_home(user).empty() &&
      sim.wait_for([&](const Snapshot& s) { return s.count_calls("views.publish") > published; },
                   60s);
  if (!answered) {
    ++t.unanswered;
    return;
  }
  t.answer_ms.push_back(seconds_since(sent) * 1000);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    fmt::print(stderr, "usage: itpm-scale-bench BOT GEN DIR [ROUNDS] [SCALE...] [-- COMMAND...]\n");
    return 2;
  }
  std::string bot_path = argv[1];
  std::string gen_path = argv[2];
  std::filesystem::path dir = argv[3];
  int rounds = argc > 4 ? std::max(1, std::stoi(argv[4])) : 5;
  std::vector<int> scales;
  std::vector<std::string> commands;
  for (int i = 5; i < argc; ++i) {
    if (std::string(argv[i]) == "--") {
      commands.assign(argv + i + 1, argv + argc);
      break;
    }
    scales.push_back(std::stoi(argv[i]));
  }
  if (scales.empty()) scales = {1, 10};
  if (commands.empty()) commands = read_commands;
  std::filesystem::create_directories(dir);

  itpm::sim::SimOptions sim_options;
  sim_options.tls = true;
  itpm::sim::SlackSim sim(sim_options);
  sim.start();
  auto ca = dir / "ca.pem";
  std::ofstream(ca) << sim.cert_pem();
  int hellos = 0;
  std::vector<ScaleResult> results;
  try {
    for (int scale : scales) {
      ScaleResult r;
      r.scale = scale;
      auto w = itpm::bench::prepare_workspace(bot_path, gen_path, dir, scale);
      r.generate_s = w.generate_s;
      r.import_s = w.import_s;
      r.json_mib = w.json_mib;
      auto bot = itpm::bench::start_ready(
          sim, bot_path, w.data, ca, dir / fmt::format("bot-{}.log", scale), ++hellos, r.startup_s);
      std::string owner = owner_of_first_risk(sim);
      for (int round = 0; round < rounds; ++round) {
        for (const auto& text : commands) time_command(sim, text, r.timings[text], bot->pid());
        time_home(sim, owner, r.home);
      }
      // help, one after another, while one report runs.
      for (int round = 0; round < rounds && commands == read_commands; ++round) {
        std::size_t acks_before = sim.snapshot().acks.size();
        itpm::sim::SlashCommand report;
        report.text = "report";
        std::string report_id = sim.send_slash_command(report);
        for (int i = 0; i < 20; ++i) {
          if (sim.snapshot().ack_for(report_id) != nullptr && i > 0) break;
          time_command(sim, "help", r.help_during_report);
        }
        sim.wait_for([&](const Snapshot& s) { return s.acks.size() > acks_before; }, 60s);
      }
      r.peak_rss_mib = memory_mib(bot->pid(), "VmHWM");
      bot->signal(SIGTERM);
      if (!bot->wait_exit(60s)) throw std::runtime_error("the bot did not stop within 60 s");
      results.push_back(std::move(r));
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "scale bench failed: {} (logs in {})\n", e.what(), dir.string());
    return 1;
  }

  fmt::print(
      "Each command {} times, one at a time; ms from the slash command to its ack and to "
      "its answer\n\n",
      rounds);
  fmt::print("| command |");
  for (const auto& r : results) {
    fmt::print(" ×{} ack p50 / p99 | ×{} answer p50 / p99 | ×{} CPU µs p50 |", r.scale, r.scale,
               r.scale);
  }
  fmt::print("\n|---|");
  for (std::size_t i = 0; i < results.size(); ++i) fmt::print("---:|---:|---:|");
  fmt::print("\n");
  auto cell = [](const std::vector<double>& v) {
    if (v.empty()) return std::string("—");
    return fmt::format("{:.1f} / {:.1f}", percentile(v, 0.5), percentile(v, 0.99));
  };
  auto cpu_cell = [](const std::vector<double>& v) {
    return v.empty() ? std::string("—") : fmt::format("{:.0f}", percentile(v, 0.5));
  };
  auto row = [&](const std::string& name, auto timing_of) {
    fmt::print("| {} |", name);
    for (const auto& r : results) {
      const Timing& t = timing_of(r);
      std::string missing = t.unanswered > 0 ? fmt::format(" ({} unanswered)", t.unanswered) : "";
      fmt::print(" {}{} | {} | {} |", cell(t.ack_ms), missing, cell(t.answer_ms),
                 cpu_cell(t.cpu_us));
    }
    fmt::print("\n");
  };
  for (const auto& text : commands) {
    row("`" + text + "`",
        [&](const ScaleResult& r) -> const Timing& { return r.timings.at(text); });
  }
  row("Home tab of R-1's owner (app_home_opened → views.publish)",
      [](const ScaleResult& r) -> const Timing& { return r.home; });
  row("`help` while a `report` runs",
      [](const ScaleResult& r) -> const Timing& { return r.help_during_report; });
  fmt::print(
      "\n| scale | export MiB | generate s | import s | start-up to /readyz s | peak RSS "
      "MiB |\n|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& r : results) {
    fmt::print("| ×{} | {:.0f} | {:.1f} | {:.1f} | {:.3f} | {:.1f} |\n", r.scale, r.json_mib,
               r.generate_s, r.import_s, r.startup_s, r.peak_rss_mib);
  }
  return 0;
}
