#pragma once

#include "storage/store.hpp"

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace itpm::bot {

// Backs the open store up every `interval` into `dir`, keeping the newest `keep`, on its own
// thread so that acks never wait for it. The first backup is taken one interval after start.
class PeriodicBackup {
 public:
  // `done` (optional) runs on the backup thread after each attempt, with what failed (empty
  // when it succeeded).
  using Done = std::function<void(const std::string& error)>;
  PeriodicBackup(storage::Store& store, std::filesystem::path dir,
                 std::chrono::milliseconds interval, int keep, Done done = {});
  // Stops the thread; a backup in progress finishes first.
  ~PeriodicBackup();
  PeriodicBackup(const PeriodicBackup&) = delete;
  PeriodicBackup& operator=(const PeriodicBackup&) = delete;

 private:
  void run();

  storage::Store& store_;
  std::filesystem::path dir_;
  std::chrono::milliseconds interval_;
  int keep_;
  Done done_;
  std::mutex mutex_;
  std::condition_variable stop_requested_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace itpm::bot
