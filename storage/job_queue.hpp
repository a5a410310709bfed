#pragma once
// Jobs keyed by due time (the scheduler's queue): the earliest is one seek away.

#include "storage/store.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace itpm::storage {

// A job that falls due at `due_ms` (ms since the Unix epoch).
struct ScheduledJob {
  std::int64_t due_ms = 0;
  std::uint64_t seq = 0;
  nlohmann::json job;  // discarded JSON when the row is not readable
  std::string raw;     // the row as stored
};

class JobQueue {
 public:
  explicit JobQueue(Store& store) : store_(store) {}

  // Adds `job` due at `due_ms` within `batch`; returns its sequence number.
  std::uint64_t schedule(Batch& batch, std::int64_t due_ms, const nlohmann::json& job);
  // Up to `limit` jobs due at or before `now_ms`, earliest first.
  [[nodiscard]] std::vector<ScheduledJob> due(std::int64_t now_ms, std::size_t limit) const;
  // The jobs due at exactly `due_ms`.
  [[nodiscard]] std::vector<ScheduledJob> at(std::int64_t due_ms) const;
  // When the earliest job falls due; nullopt when there is none.
  [[nodiscard]] std::optional<std::int64_t> next_due() const;
  void unschedule(Batch& batch, const ScheduledJob& job);
  // Moves `job` out of the schedule into the quarantine (storage/quarantine.hpp).
  void quarantine(Batch& batch, const ScheduledJob& job, std::string_view error,
                  std::int64_t at_ms);
  // Writes a job as it was exported.
  static void restore(Batch& batch, const ScheduledJob& job);

 private:
  Store& store_;
};

// Every job in `store`, earliest first (exports).
std::vector<ScheduledJob> all_jobs(const Store& store);

}  // namespace itpm::storage
