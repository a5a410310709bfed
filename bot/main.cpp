// itpm-bot: the Slack chat-ops bot for infrastructure program cadence.
#include "bot/app.hpp"
#include "bot/ops/config.hpp"
#include "bot/ops/doctor.hpp"
#include "bot/ops/healthcheck.hpp"
#include "bot/ops/logging.hpp"
#include "bot/ops/operator_commands.hpp"
#include "bot/ops/version.hpp"

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <iostream>

namespace {

std::string environment_help() {
  std::string out = "\nEnvironment (command line wins, then environment, then --config file):\n";
  for (const auto& [key, help] : itpm::bot::known_settings()) {
    out += "  " + key + std::string(key.size() < 24 ? 24 - key.size() : 1, ' ') + help + "\n";
  }
  out +=
      "  SSL_CERT_FILE           extra CA bundle, added to the system store\n"
      "\nExit codes: 0 stopped cleanly, 1 runtime error (store, listener), 2 bad configuration,\n"
      "3 Slack rejected a token, 4 Socket Mode is disabled for the app.\n";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{
      "itpm-bot: runs an infrastructure program's operating cadence in Slack (Socket Mode)"};
  cli.set_version_flag("--version", std::string("itpm-bot ") + ITPM_VERSION + " (revision " +
                                        itpm::bot::build_revision() + ")");
  cli.footer(environment_help());
  itpm::bot::Settings command_line;
  std::string config_file;
  std::string data_dir;
  std::string http_listen;
  std::string log_level;
  cli.add_option("--data-dir", data_dir, "RocksDB directory (ITPM_DATA_DIR)");
  cli.add_option("--config", config_file,
                 "KEY=VALUE settings file (the example is deploy/itpm-bot.env.example)");
  cli.add_option("--http-listen", http_listen,
                 "health/metrics listener HOST:PORT (ITPM_HTTP_LISTEN)");
  cli.add_option("--log-level", log_level, "debug|info|warn|error (ITPM_LOG_LEVEL)");

  std::string sub_data_dir;
  std::string backup_dir;
  std::string out;
  std::string format = "json";
  std::string import_file;
  int keep = 7;
  bool force = false;
  auto* backup = cli.add_subcommand(
      "backup", "back up the database (also while the bot runs), verify, keep N");
  backup->add_option("--data-dir", sub_data_dir, "the bot's data directory")->required();
  backup->add_option("--to", backup_dir, "backup folder (RocksDB BackupEngine layout)")->required();
  backup->add_option("--keep", keep, "backups to keep (default 7)")->check(CLI::PositiveNumber);
  auto* restore = cli.add_subcommand("restore", "restore the newest backup into a data directory");
  restore->add_option("--from", backup_dir, "backup folder")->required();
  restore->add_option("--data-dir", sub_data_dir, "data directory to restore into")->required();
  restore->add_flag("--force", force, "replace a non-empty data directory");
  auto* export_cmd = cli.add_subcommand("export", "write every record as JSON (or CSV files)");
  export_cmd->add_option("--data-dir", sub_data_dir, "the bot's data directory")->required();
  export_cmd->add_option("--format", format, "json (default) or csv");
  export_cmd->add_flag("--force", force, "replace files that exist (never through a symlink)");
  export_cmd->add_option("--out", out,
                         "JSON file (default: stdout) or CSV folder (default: ./itpm-export)");
  auto* import_cmd =
      cli.add_subcommand("import", "load a JSON export into an empty data directory");
  import_cmd->add_option("--data-dir", sub_data_dir, "data directory to load into")->required();
  import_cmd->add_option("--from", import_file, "the JSON export")->required();
  std::string holidays_program;
  auto* holidays_cmd = cli.add_subcommand("holidays", "load holidays (commands.md §6)");
  auto* holidays_import = holidays_cmd->add_subcommand(
      "import", "add the all-day events of an iCalendar file as holidays (bot stopped)");
  holidays_import->add_option("--data-dir", sub_data_dir, "the bot's data directory")->required();
  holidays_import->add_option("--from", import_file, "the .ics file")->required();
  holidays_import->add_option("--program", holidays_program,
                              "a program's holidays (default: everyone's)");
  holidays_cmd->require_subcommand(1);
  auto* quarantine_cmd = cli.add_subcommand(
      "quarantine", "list stored rows the bot could not process and moved aside");
  quarantine_cmd->add_option("--data-dir", sub_data_dir, "the bot's data directory")->required();
  auto* rotate = cli.add_subcommand(
      "rotate-dashboard-key",
      "sign dashboard links with a new key: every link given before stops working (bot stopped)");
  rotate->add_option("--data-dir", sub_data_dir, "the bot's data directory")->required();
  auto* doctor = cli.add_subcommand(
      "doctor",
      "check the tokens, their scopes and that the bot can post in every program's channel "
      "(uses the same settings as the bot: environment, --config, --data-dir)");
  auto* healthcheck = cli.add_subcommand(
      "healthcheck",
      "exit 0 when the running bot's /readyz says ready, 1 when not (a container HEALTHCHECK)");
  healthcheck->add_option("--http-listen", http_listen,
                          "the bot's health listener HOST:PORT (ITPM_HTTP_LISTEN)");
  cli.require_subcommand(0, 1);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = cli.exit(e);
    return code == 0 ? 0 : itpm::bot::exit_config_error;
  }
  if (backup->parsed()) return itpm::bot::run_backup(sub_data_dir, backup_dir, keep);
  if (restore->parsed()) return itpm::bot::run_restore(backup_dir, sub_data_dir, force);
  if (export_cmd->parsed()) return itpm::bot::run_export(sub_data_dir, format, out, force);
  if (import_cmd->parsed()) return itpm::bot::run_import(sub_data_dir, import_file);
  if (quarantine_cmd->parsed()) return itpm::bot::run_quarantine_list(sub_data_dir);
  if (rotate->parsed()) return itpm::bot::run_rotate_dashboard_key(sub_data_dir);
  if (holidays_import->parsed())
    return itpm::bot::run_holidays_import(sub_data_dir, import_file, holidays_program);
  if (!data_dir.empty()) command_line["ITPM_DATA_DIR"] = data_dir;
  if (healthcheck->parsed() && http_listen.empty()) {
    // The listener as the bot reads it: environment, then --config file, then the default.
    http_listen = "127.0.0.1:9464";
    auto env = itpm::bot::settings_from_environment();
    if (auto it = env.find("ITPM_HTTP_LISTEN"); it != env.end()) {
      http_listen = it->second;
    } else if (!config_file.empty()) {
      auto read = itpm::bot::read_settings_file(config_file);
      if (auto* file = std::get_if<itpm::bot::Settings>(&read);
          file != nullptr && file->contains("ITPM_HTTP_LISTEN"))
        http_listen = file->at("ITPM_HTTP_LISTEN");
    }
  }
  if (healthcheck->parsed()) return itpm::bot::run_healthcheck(http_listen);
  if (!http_listen.empty()) command_line["ITPM_HTTP_LISTEN"] = http_listen;
  if (!log_level.empty()) command_line["ITPM_LOG_LEVEL"] = log_level;

  itpm::bot::setup_logging(itpm::bot::LogFormat::text, itpm::bot::logging_to_journal());

  itpm::bot::Settings file;
  if (!config_file.empty()) {
    auto read = itpm::bot::read_settings_file(config_file);
    if (auto* err = std::get_if<itpm::bot::ConfigError>(&read)) {
      std::cerr << "itpm-bot: " << err->message << "\n";
      return itpm::bot::exit_config_error;
    }
    file = std::get<itpm::bot::Settings>(read);
  }
  auto loaded = itpm::bot::load_config(command_line, itpm::bot::settings_from_environment(), file);
  if (auto* err = std::get_if<itpm::bot::ConfigError>(&loaded)) {
    std::cerr << "itpm-bot: " << err->message << "\n";
    return itpm::bot::exit_config_error;
  }
  const auto& config = std::get<itpm::bot::Config>(loaded);
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  itpm::bot::setup_logging(
      config.log_format == "json" ? itpm::bot::LogFormat::json : itpm::bot::LogFormat::text,
      itpm::bot::logging_to_journal());
  if (doctor->parsed()) {
    spdlog::set_level(spdlog::level::warn);  // its report is the output
    return itpm::bot::run_doctor(config);
  }
  spdlog::info("itpm-bot {} starting; Slack API {}", ITPM_VERSION, config.api_url);
  return itpm::bot::run_bot(config);
}
