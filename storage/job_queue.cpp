#include "storage/job_queue.hpp"

#include "storage/key_codec.hpp"
#include "storage/quarantine.hpp"

#include <limits>

namespace itpm::storage {
namespace {

std::string job_key(std::int64_t due_ms, std::uint64_t seq) {
  return KeyBuilder().u64(static_cast<std::uint64_t>(due_ms)).u64(seq).done();
}

std::vector<ScheduledJob> scan_jobs(const Store& store, std::int64_t until_ms, std::size_t limit) {
  std::vector<ScheduledJob> out;
  store.scan(Family::schedule, "", [&](std::string_view key, std::string_view value) {
    KeyReader r(key);
    auto due = static_cast<std::int64_t>(r.u64().value_or(0));
    if (due > until_ms || out.size() >= limit) return false;
    out.push_back(ScheduledJob{due, r.u64().value_or(0),
                               nlohmann::json::parse(value, nullptr, false), std::string(value)});
    return true;
  });
  return out;
}

}  // namespace

std::uint64_t JobQueue::schedule(Batch& batch, std::int64_t due_ms, const nlohmann::json& job) {
  std::uint64_t seq = store_.next_sequence("job", batch);
  batch.put(Family::schedule, job_key(due_ms, seq), job.dump());
  return seq;
}

std::vector<ScheduledJob> JobQueue::due(std::int64_t now_ms, std::size_t limit) const {
  return scan_jobs(store_, now_ms, limit);
}

std::vector<ScheduledJob> JobQueue::at(std::int64_t due_ms) const {
  std::vector<ScheduledJob> out;
  store_.scan(Family::schedule, KeyBuilder().u64(static_cast<std::uint64_t>(due_ms)).done(),
              [&](std::string_view key, std::string_view value) {
                KeyReader r(key);
                (void)r.u64();
                out.push_back(ScheduledJob{due_ms, r.u64().value_or(0),
                                           nlohmann::json::parse(value, nullptr, false),
                                           std::string(value)});
                return true;
              });
  return out;
}

std::vector<ScheduledJob> all_jobs(const Store& store) {
  return scan_jobs(store, std::numeric_limits<std::int64_t>::max(),
                   std::numeric_limits<std::size_t>::max());
}

std::optional<std::int64_t> JobQueue::next_due() const {
  std::optional<std::int64_t> due;
  store_.scan(Family::schedule, "", [&](std::string_view key, std::string_view) {
    KeyReader r(key);
    due = static_cast<std::int64_t>(r.u64().value_or(0));
    return false;
  });
  return due;
}

void JobQueue::unschedule(Batch& batch, const ScheduledJob& job) {
  batch.remove(Family::schedule, job_key(job.due_ms, job.seq));
}

void JobQueue::quarantine(Batch& batch, const ScheduledJob& job, std::string_view error,
                          std::int64_t at_ms) {
  unschedule(batch, job);
  storage::quarantine(batch, QuarantinedRow{"job", job.seq, job.raw, std::string(error), at_ms});
}

void JobQueue::restore(Batch& batch, const ScheduledJob& job) {
  batch.put(Family::schedule, job_key(job.due_ms, job.seq), job.job.dump());
}

}  // namespace itpm::storage
