#pragma once
// A child process for the demo, the load run and the integration tests: environment
// control, captured output, signals, and bounded waits (pidfd + poll; no sleeps).

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <sys/types.h>

namespace itpm::process {

struct ChildOptions {
  std::vector<std::string> argv;
  std::map<std::string, std::string> set_env;  // added to (or replacing) the parent's environment
  std::vector<std::string> unset_env;
  std::string output_file;  // stdout+stderr go here when set; otherwise they are captured
};

class ChildProcess {
 public:
  // Starts the process. Throws std::system_error if it cannot.
  explicit ChildProcess(ChildOptions options);
  // Kills the child (SIGKILL) if it still runs, and reaps it.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }
  void signal(int signal_number) const;
  // The exit status (128 + signal when killed by one) once the child has exited and all its
  // output is read; nullopt if still running at timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  // Captured output so far (empty when it goes to a file).
  [[nodiscard]] std::string output() const;
  // Waits until the captured output contains `needle`.
  bool wait_for_output(std::string_view needle, std::chrono::milliseconds timeout) const;
  // Waits until the captured output has at least `lines` complete lines.
  bool wait_for_lines(std::size_t lines, std::chrono::milliseconds timeout) const;
  // Peak resident set size (VmHWM) in KiB while the child runs; 0 once it is gone.
  [[nodiscard]] long peak_rss_kib() const;

 private:
  void read_output(int fd);

  pid_t pid_ = -1;
  int pidfd_ = -1;
  std::optional<int> status_;
  std::thread reader_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::string output_;
};

}  // namespace itpm::process
