#include "bot/ops/periodic_backup.hpp"

#include <spdlog/spdlog.h>

namespace itpm::bot {

PeriodicBackup::PeriodicBackup(storage::Store& store, std::filesystem::path dir,
                               std::chrono::milliseconds interval, int keep, Done done)
    : store_(store),
      dir_(std::move(dir)),
      interval_(interval),
      keep_(keep),
      done_(std::move(done)),
      thread_([this] { run(); }) {}

PeriodicBackup::~PeriodicBackup() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_requested_.notify_all();
  thread_.join();
}

void PeriodicBackup::run() {
  std::unique_lock lock(mutex_);
  while (!stop_requested_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    std::string error;
    try {
      auto info = store_.backup(dir_, keep_);
      spdlog::info("backup {} written to {} ({} bytes, verified)", info.id, dir_.string(),
                   info.size);
    } catch (const std::exception& e) {
      error = e.what();
      if (error.empty()) error = "unknown error";
    }
    if (!error.empty() && !done_) spdlog::error("periodic backup failed: {}", error);
    if (done_) done_(error);
    lock.lock();
  }
}

}  // namespace itpm::bot
