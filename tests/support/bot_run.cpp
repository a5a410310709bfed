#include "tests/support/bot_run.hpp"

#include <csignal>
#include <fstream>
#include <stdexcept>

namespace itpm::test {

std::unique_ptr<sim::SlackSim> make_sim(bool tls, std::chrono::milliseconds ping_interval) {
  sim::SimOptions options;
  options.tls = tls;
  options.ping_interval = ping_interval;
  auto s = std::make_unique<sim::SlackSim>(options);
  s->start();
  return s;
}

BotRun::BotRun(sim::SlackSim& sim, std::map<std::string, std::string> env,
               std::vector<std::string> unset, std::filesystem::path data_dir,
               std::vector<std::string> subcommand)
    : sim_(sim) {
  process::ChildOptions options;
  options.argv = {ITPM_BOT_PATH, "--data-dir",
                  (data_dir.empty() ? dir_.path() / "db" : data_dir).string(), "--http-listen",
                  "127.0.0.1:0"};
  options.argv.insert(options.argv.end(), subcommand.begin(), subcommand.end());
  options.set_env = {{"SLACK_API_URL", sim.api_url()},
                     {"SLACK_APP_TOKEN", sim.options().app_token},
                     {"SLACK_BOT_TOKEN", sim.options().bot_token},
                     {"ITPM_LOG_LEVEL", "debug"},
                     // Tests on the real clock that are not about working time work round it.
                     {"ITPM_WORKING_HOURS", "mon-sun 00:00-24:00"}};
  if (sim.options().tls) {
    auto ca = dir_.path() / "ca.pem";
    std::ofstream(ca) << sim.cert_pem();
    options.set_env["SSL_CERT_FILE"] = ca.string();
  }
  for (auto& [k, v] : env) options.set_env[k] = v;
  for (auto& k : unset) options.set_env.erase(k);
  options.unset_env = std::move(unset);
  process_ = std::make_unique<process::ChildProcess>(options);
}

std::uint16_t BotRun::http_port() {
  const std::string marker = "health and metrics on http://127.0.0.1:";
  if (!process_->wait_for_output(marker, std::chrono::seconds(10))) {
    throw std::runtime_error("the bot did not report its HTTP port:\n" + process_->output());
  }
  std::string out = process_->output();
  return static_cast<std::uint16_t>(std::stoi(out.substr(out.find(marker) + marker.size())));
}

bool BotRun::wait_hellos(int n, std::chrono::milliseconds timeout) {
  return sim_.wait_for([n](const sim::Snapshot& s) { return s.hellos_sent >= n; }, timeout);
}

std::string BotRun::command(const std::string& text, std::chrono::milliseconds timeout) {
  sim::SlashCommand cmd;
  cmd.text = text;
  std::string id = sim_.send_slash_command(cmd);
  if (id.empty()) throw std::runtime_error("no socket connected for: " + text);
  if (!sim_.wait_for([&](const sim::Snapshot& s) { return s.ack_for(id) != nullptr; }, timeout)) {
    throw std::runtime_error("no ack for: " + text + "\nbot output:\n" + process_->output());
  }
  sim::Snapshot snapshot = sim_.snapshot();
  const sim::AckRecord* ack = snapshot.ack_for(id);
  return ack->payload.is_object() ? ack->payload.value("text", "") : "";
}

std::optional<int> BotRun::terminate() {
  process_->signal(SIGTERM);
  return process_->wait_exit(std::chrono::seconds(15));
}

}  // namespace itpm::test
