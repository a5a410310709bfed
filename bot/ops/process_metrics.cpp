#include "bot/ops/process_metrics.hpp"

#include <fmt/format.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <vector>

namespace itpm::bot {
namespace {

std::string read_file(const char* path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The fields of /proc/self/stat after the command name (which may hold spaces): field 3 is
// the first of them.
std::vector<std::string> stat_fields() {
  std::string stat = read_file("/proc/self/stat");
  auto close = stat.rfind(')');
  std::vector<std::string> fields;
  if (close == std::string::npos) return fields;
  std::istringstream rest(stat.substr(close + 1));
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;
}

// /proc/stat's btime: when the machine booted, in seconds since the Unix epoch.
std::optional<double> boot_time() {
  std::istringstream stat(read_file("/proc/stat"));
  for (std::string line; std::getline(stat, line);) {
    if (line.starts_with("btime ")) return std::stod(line.substr(6));
  }
  return std::nullopt;
}

// The soft limit of "Max open files" in /proc/self/limits.
std::optional<double> max_fds() {
  std::istringstream limits(read_file("/proc/self/limits"));
  for (std::string line; std::getline(limits, line);) {
    if (!line.starts_with("Max open files")) continue;
    std::istringstream values(line.substr(std::string_view("Max open files").size()));
    std::string soft;
    values >> soft;
    if (soft == "unlimited") return std::nullopt;
    return std::stod(soft);
  }
  return std::nullopt;
}

void sample(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            double value) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, value);
}

}  // namespace

std::string render_process_metrics() {
  std::string out;
  auto fields = stat_fields();
  double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  // Fields, numbered as proc(5) does from 1: utime 14, stime 15, starttime 22, vsize 23, rss 24.
  auto field = [&](std::size_t number) -> std::optional<double> {
    if (fields.size() < number - 2) return std::nullopt;
    try {
      return std::stod(fields[number - 3]);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  };
  if (auto u = field(14), s = field(15); u && s && ticks > 0) {
    sample(out, "process_cpu_seconds_total", "counter", "User and system CPU time spent, seconds.",
           (*u + *s) / ticks);
  }
  if (auto rss = field(24)) {
    sample(out, "process_resident_memory_bytes", "gauge", "Resident memory size, bytes.",
           *rss * page);
  }
  if (auto vsize = field(23)) {
    sample(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size, bytes.", *vsize);
  }
  std::error_code ec;
  std::size_t fds = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec))
    ++fds;
  if (!ec) {
    sample(out, "process_open_fds", "gauge", "Open file descriptors.", static_cast<double>(fds));
  }
  if (auto max = max_fds()) {
    sample(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.", *max);
  }
  if (auto start = field(22), boot = boot_time(); start && boot && ticks > 0) {
    sample(out, "process_start_time_seconds", "gauge",
           "Start time of the process since the Unix epoch, seconds.", *boot + *start / ticks);
  }
  return out;
}

}  // namespace itpm::bot
