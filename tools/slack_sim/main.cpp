// itpm-slack-sim: the local Slack simulator. Serves the Web API and Socket Mode on loopback;
// optionally starts the bot against itself; then either lets a person type /itpm commands
// (--interactive), drives a load run (--load), or just serves until interrupted.
#include "tools/process/child_process.hpp"
#include "tools/slack_sim/sim_server.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>

#include <unistd.h>

namespace {

using itpm::sim::SlackSim;
using itpm::sim::Snapshot;
using namespace std::chrono_literals;

std::mutex print_mutex;

void print(const std::string& line) {
  std::lock_guard lock(print_mutex);
  std::cout << line << std::endl;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto index = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(index, v.size() - 1)];
}

// Waits (at most Slack's 3 s and a little) for the envelope's ack or its timeout, then for
// the posts and DMs that follow it (until the bot has made no call for 300 ms, at most 3 s),
// so the next prompt comes after them.
void wait_for_ack(const SlackSim& sim, const std::string& id) {
  sim.wait_for(
      [&](const Snapshot& s) {
        return s.ack_for(id) != nullptr ||
               std::find(s.timed_out.begin(), s.timed_out.end(), id) != s.timed_out.end();
      },
      4s);
  auto until = std::chrono::steady_clock::now() + 3s;
  while (std::chrono::steady_clock::now() < until) {
    std::size_t calls = sim.snapshot().calls.size();
    if (!sim.wait_for([&](const Snapshot& s) { return s.calls.size() != calls; }, 300ms)) break;
  }
}

// `name=value name="two words" owner=@bob` as a form's values: a person as their user ID.
std::map<std::string, std::string> form_values(const SlackSim& sim, const std::string& typed) {
  std::map<std::string, std::string> values;
  std::size_t at = 0;
  while (at < typed.size()) {
    if (typed[at] == ' ') {
      ++at;
      continue;
    }
    auto eq = typed.find('=', at);
    if (eq == std::string::npos) break;
    std::string name = typed.substr(at, eq - at);
    std::string value;
    at = eq + 1;
    if (at < typed.size() && typed[at] == '"') {
      auto close = typed.find('"', at + 1);
      value = typed.substr(at + 1, close == std::string::npos ? close : close - at - 1);
      at = close == std::string::npos ? typed.size() : close + 1;
    } else {
      auto space = typed.find(' ', at);
      value = typed.substr(at, space == std::string::npos ? space : space - at);
      at = space == std::string::npos ? typed.size() : space;
    }
    if (value.starts_with("@")) {
      std::string escaped = sim.escape_like_slack(value);
      value = escaped.substr(2, escaped.find('|') - 2);
    }
    values[name] = value;
  }
  return values;
}

int interactive(SlackSim& sim) {
  // A terminal echoes what the person types; piped input is echoed here so transcripts read well.
  bool echo_input = ::isatty(STDIN_FILENO) != 0;
  std::string user = "U0DEMO1";
  std::string channel = "C0DEMO1";
  print("Type /itpm commands as @alice in #demo (for example: /itpm help).");
  print("  :as bob        type as another user      :in #dr-program   type in another channel");
  print("  :press 4       press the button \"4\" on the newest message here that has one");
  print("  :submit title=\"Disk full\" owner=@bob due=2026-12-24   submit the form you have open");
  print("  :say text      write a message here    :shortcut decision|risk   log the newest one");
  print("  :home          open the app's Home tab");
  print("  :quit          stop the bot and the simulator (or Ctrl-D)");
  std::string line;
  for (;;) {
    {
      std::lock_guard lock(print_mutex);
      std::cout << "@" << sim.render_for_terminal("<@" + user + ">").substr(1) << " in "
                << sim.render_for_terminal("<#" + channel + ">") << "> " << std::flush;
    }
    if (!std::getline(std::cin, line)) break;
    if (!echo_input) print(line);
    if (line.empty()) continue;
    if (line == ":quit" || line == ":q") break;
    if (line.starts_with(":as ")) {
      std::string escaped = sim.escape_like_slack("@" + line.substr(4));
      user = escaped.substr(2, escaped.find('|') - 2);
      continue;
    }
    if (line.starts_with(":in ")) {
      std::string name = line.substr(4);
      std::string escaped = sim.escape_like_slack(name.starts_with("#") ? name : "#" + name);
      channel = escaped.substr(2, escaped.find('|') - 2);
      continue;
    }
    std::string id;
    if (line.starts_with(":press ")) {
      itpm::sim::ButtonPress press;
      press.user = user;
      press.channel = channel;
      press.label = line.substr(7);
      id = sim.press_button(press);
      if (id.empty()) {
        print("(no message here has a button \"" + press.label +
              "\", or the bot is not connected)");
        continue;
      }
      wait_for_ack(sim, id);
      continue;
    }
    if (line.starts_with(":submit")) {
      std::string problem;
      id = sim.submit_view(user, form_values(sim, line.substr(7)), &problem);
      if (id.empty()) {
        print("(" + problem + ")");
        continue;
      }
      wait_for_ack(sim, id);
      continue;
    }
    if (line.starts_with(":say ")) {
      sim.say(user, channel, sim.escape_like_slack(line.substr(5)));
      continue;
    }
    if (line.starts_with(":shortcut ")) {
      itpm::sim::MessageShortcut use;
      use.user = user;
      use.channel = channel;
      use.callback_id = "itpm_log_" + line.substr(10);
      id = sim.use_shortcut(use);
      if (id.empty()) {
        print("(no message here to use it on, or the bot is not connected)");
        continue;
      }
      wait_for_ack(sim, id);
      continue;
    }
    if (line == ":home") {
      std::size_t before = sim.snapshot().calls.size();
      if (sim.open_home(user).empty()) {
        print("(the bot is not connected)");
        continue;
      }
      sim.wait_for(
          [&](const Snapshot& s) {
            for (auto i = before; i < s.calls.size(); ++i) {
              if (s.calls[i].method == "views.publish") return true;
            }
            return false;
          },
          4s);
      continue;
    }
    std::string text = line;
    if (text.starts_with("/itpm")) text = text.substr(5);
    if (!text.empty() && text.front() == ' ') text.erase(0, 1);
    itpm::sim::SlashCommand cmd;
    cmd.text = text;
    cmd.user = user;
    cmd.channel = channel;
    id = sim.send_slash_command(cmd);
    if (id.empty()) {
      print("(only you) /itpm failed with the error \"dispatch_failed\": the bot is not connected");
      continue;
    }
    wait_for_ack(sim, id);
  }
  return 0;
}

int load(SlackSim& sim, int total, int window, const std::string& text,
         const itpm::process::ChildProcess* bot) {
  auto start = std::chrono::steady_clock::now();
  sim.start_load(total, window, sim.escape_like_slack(text));
  bool done = sim.wait_for(
      [&](const Snapshot& s) {
        return static_cast<int>(s.acks.size() + s.timed_out.size()) >= total;
      },
      std::chrono::minutes(10));
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Snapshot s = sim.snapshot();
  std::vector<double> latencies;
  for (const auto& a : s.acks) latencies.push_back(a.latency_ms);
  long rss = bot != nullptr ? bot->peak_rss_kib() : 0;
  print(
      fmt::format("load: text=\"{}\" N={} W={} acked={} timed_out={} elapsed={:.2f}s acks/s={:.0f} "
                  "p50={:.2f}ms p99={:.2f}ms bot_peak_rss={:.1f}MiB",
                  text, total, window, s.acks.size(), s.timed_out.size(), elapsed,
                  static_cast<double>(s.acks.size()) / elapsed, percentile(latencies, 0.5),
                  percentile(latencies, 0.99), static_cast<double>(rss) / 1024.0));
  return done && s.timed_out.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{
      "itpm-slack-sim: a local Slack (Web API + Socket Mode) for itpm-bot's demo, tests and "
      "benchmarks"};
  int port = 0;
  bool plain = false;
  bool interactive_mode = false;
  std::string bot_path;
  std::string data_dir = "./demo-data";
  std::string cert_out;
  int load_total = 0;
  int load_window = 64;
  std::string load_text = "help";
  std::vector<std::string> setup;
  int ping_ms = 5000;
  cli.add_option("--port", port, "port on 127.0.0.1 (default: any free one)");
  cli.add_flag("--plain", plain, "plain HTTP and ws:// instead of TLS");
  cli.add_option("--spawn-bot", bot_path, "start this itpm-bot binary against the simulator");
  cli.add_option("--data-dir", data_dir,
                 "the spawned bot's data directory (its log goes to DIR/bot.log)");
  cli.add_option("--cert-out", cert_out,
                 "write the simulator's CA certificate here (default DIR/sim-ca.pem)");
  cli.add_flag("--interactive", interactive_mode,
               "read /itpm lines from stdin and print the replies");
  cli.add_option("--load", load_total, "send N slash commands and report acks/s and latency");
  cli.add_option("--window", load_window, "commands in flight during --load (default 64)");
  cli.add_option("--text", load_text, "the command text for --load (default: help)");
  cli.add_option("--setup", setup,
                 "a command sent (and acked) before --load starts; repeat for several");
  cli.add_option("--ping-interval-ms", ping_ms, "server ping interval (default 5000)");
  CLI11_PARSE(cli, argc, argv);

  itpm::sim::SimOptions options;
  options.tls = !plain;
  // Charts the bot uploads land beside its data, to be opened.
  if (interactive_mode) options.files_dir = (std::filesystem::path(data_dir) / "files").string();
  options.port = static_cast<std::uint16_t>(port);
  options.ping_interval = std::chrono::milliseconds(ping_ms);
  // The terminal shows what a Slack client would: mentions by name, entities decoded.
  SlackSim* shown_by = nullptr;
  if (interactive_mode) {
    options.on_output = [&shown_by](const std::string& line) {
      print(shown_by->render_for_terminal(line));
    };
  }
  SlackSim sim(options);
  shown_by = &sim;
  std::filesystem::create_directories(data_dir);
  if (cert_out.empty()) cert_out = (std::filesystem::path(data_dir) / "sim-ca.pem").string();
  try {
    sim.start();
  } catch (const std::exception& e) {
    std::cerr << "itpm-slack-sim: cannot start: " << e.what() << "\n";
    return 1;
  }
  if (!plain) std::ofstream(cert_out) << sim.cert_pem();
  print(fmt::format("slack simulator: Web API {}  app token {}  bot token {}", sim.api_url(),
                    options.app_token, options.bot_token));

  std::unique_ptr<itpm::process::ChildProcess> bot;
  if (!bot_path.empty()) {
    itpm::process::ChildOptions child;
    child.argv = {bot_path, "--data-dir", (std::filesystem::path(data_dir) / "db").string(),
                  "--http-listen", "127.0.0.1:0"};
    child.set_env = {{"SLACK_API_URL", sim.api_url()},
                     {"SLACK_APP_TOKEN", options.app_token},
                     {"SLACK_BOT_TOKEN", options.bot_token},
                     {"ITPM_ADMINS", "U0DEMO1"},
                     // The simulator's fake Prometheus: `kpi availability measure` works.
                     {"ITPM_PROMETHEUS_URL", sim.prometheus_url()}};
    if (!plain) child.set_env["SSL_CERT_FILE"] = cert_out;
    child.output_file = (std::filesystem::path(data_dir) / "bot.log").string();
    bot = std::make_unique<itpm::process::ChildProcess>(child);
    print(fmt::format("started itpm-bot (pid {}); its log: {}", bot->pid(), child.output_file));
    if (!sim.wait_for([](const Snapshot& s) { return s.hellos_sent >= 1; }, 30s)) {
      std::cerr << "itpm-slack-sim: the bot did not connect within 30 s; see " << child.output_file
                << "\n";
      return 1;
    }
    print("itpm-bot is connected over Socket Mode.");
    if (interactive_mode) {
      // The bot's read-only dashboard, as /itpm dashboard answers: open it in a browser here.
      print("Your dashboard link (open it in a browser on this machine):");
      itpm::sim::SlashCommand dashboard;
      dashboard.text = "dashboard";
      std::string id = sim.send_slash_command(dashboard);
      if (!id.empty())
        sim.wait_for([&](const Snapshot& s) { return s.ack_for(id) != nullptr; }, 10s);
    }
  }

  int rc = 0;
  for (const auto& text : setup) {
    itpm::sim::SlashCommand cmd;
    cmd.text = text;
    std::string id = sim.send_slash_command(cmd);
    if (id.empty() ||
        !sim.wait_for([&](const Snapshot& s) { return s.ack_for(id) != nullptr; }, 10s)) {
      std::cerr << "itpm-slack-sim: setup command not acked: " << text << "\n";
      return 1;
    }
  }
  if (load_total > 0) {
    rc = load(sim, load_total, load_window, load_text, bot.get());
  } else if (interactive_mode) {
    rc = interactive(sim);
  } else {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    print("serving; Ctrl-C stops");
    int sig = 0;
    sigwait(&set, &sig);
  }
  if (bot) {
    bot->signal(SIGTERM);
    auto status = bot->wait_exit(15s);
    print(fmt::format("itpm-bot stopped (exit {})", status ? std::to_string(*status) : "timeout"));
  }
  return rc;
}
