#pragma once
// The store's insides, shared by its files: the RocksDB handles, the ID sequences, the versions
// of each family, the write-error state and its resume, and the group committer (a thread that
// checks each batch's expectations against the database and the batches before it in its
// group, then writes the group as one synced write). Only storage/store*.cpp include this.

#include "storage/key_codec.hpp"
#include "storage/store.hpp"

#include <rocksdb/db.h>
#include <rocksdb/file_system.h>
#include <rocksdb/write_batch.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace itpm::storage {
namespace store_detail {

inline constexpr std::string_view schema_key = "schema_version";

inline std::string encode_u32(std::uint32_t v) {
  std::string out(4, '\0');
  for (int i = 3; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>(v & 0xffU);
    v >>= 8U;
  }
  return out;
}

inline std::uint64_t decode_be(std::string_view s) {
  std::uint64_t v = 0;
  for (char c : s) v = (v << 8U) | static_cast<unsigned char>(c);
  return v;
}

inline std::string sequence_key(std::string_view name) {
  return KeyBuilder().str("seq").str(name).done();
}
inline std::string counter_key(std::string_view name) {
  return KeyBuilder().str("ctr").str(name).done();
}

inline std::string encode_i64(std::int64_t v) {
  return KeyBuilder().u64(static_cast<std::uint64_t>(v)).done();
}
inline std::int64_t decode_i64(std::string_view s) {
  return static_cast<std::int64_t>(decode_be(s));
}

}  // namespace store_detail

struct Store::Impl {
  rocksdb::DB* db = nullptr;
  rocksdb::ColumnFamilyHandle* default_handle = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // indexed by Family
  Options options;

  std::mutex sequence_mutex;
  std::map<std::string, std::uint64_t, std::less<>> sequences;  // last number handed out

  std::mutex queue_mutex;
  std::condition_variable queue_changed;
  std::deque<std::pair<Batch, std::function<void(CommitResult)>>> queue;
  bool stopping = false;
  std::thread committer;

  std::mutex stats_mutex;
  CommitStats stats;

  // Held from checking a batch's expectations until it is written, so that no other write
  // comes between (the group committer and Store::commit).
  std::mutex write_mutex;

  // Why writes fail (empty while they work); guarded by write_mutex, read under error_mutex.
  mutable std::mutex error_mutex;
  std::string write_error;
  std::function<void(const std::string&)> on_write_state;
  std::chrono::steady_clock::time_point last_resume;
  std::shared_ptr<rocksdb::FileSystem> fs;  // for the free space
  std::filesystem::path dir;                // the database's folder
  static constexpr std::uint64_t min_free_bytes = 1U << 20U;

  void set_write_error(std::string error) {
    std::function<void(const std::string&)> notify;
    {
      std::lock_guard lock(error_mutex);
      if (write_error == error) return;
      write_error = error;
      notify = on_write_state;
    }
    if (notify) notify(error);
  }

  [[nodiscard]] std::string current_write_error() const {
    std::lock_guard lock(error_mutex);
    return write_error;
  }

  // With write_mutex held: once writes failed, asks RocksDB to resume (at most once a second
  // unless `now`); returns the error that still stands, empty when writes work again.
  std::string resume_if_failed(bool now) {
    std::string error = current_write_error();
    if (error.empty()) return error;
    auto t = std::chrono::steady_clock::now();
    if (!now && t - last_resume < std::chrono::seconds(1)) return error;
    last_resume = t;
    // While the disk is still full a resume fails, and a failed one leaves RocksDB refusing
    // writes until it is reopened: wait for free space first (as RocksDB's own recovery does).
    std::uint64_t free = 0;
    auto space = fs->GetFreeSpace(dir.string(), rocksdb::IOOptions(), &free, nullptr);
    if (space.ok() && free < min_free_bytes) return error;
    rocksdb::Status s = db->Resume();
    if (!s.ok()) return error;
    set_write_error({});
    return {};
  }

  // Bumped after each write that touched the family (see Store::version).
  std::array<std::atomic<std::uint64_t>, family_count> versions{};

  void bump_versions(const Batch& batch) {
    std::array<bool, family_count> touched{};
    for (const auto& op : batch.ops_) touched[static_cast<std::size_t>(op.family)] = true;
    for (std::size_t f = 0; f < family_count; ++f) {
      if (touched[f]) versions[f].fetch_add(1, std::memory_order_release);
    }
  }

  ~Impl() {
    if (committer.joinable()) {
      {
        std::lock_guard lock(queue_mutex);
        stopping = true;
      }
      queue_changed.notify_all();
      committer.join();
    }
    if (db == nullptr) return;
    if (committer.joinable() || stopping) {
      // Flushed memtables make the next start-up fast: nothing to replay from the WAL.
      (void)db->Flush(rocksdb::FlushOptions(), handles);
    }
    for (auto* h : handles) (void)db->DestroyColumnFamilyHandle(h);
    (void)db->DestroyColumnFamilyHandle(default_handle);
    (void)db->Close();
    delete db;
  }

  rocksdb::ColumnFamilyHandle* handle(Family f) const {
    return handles.at(static_cast<std::size_t>(f));
  }

  // Adds `batch` to `wb`, followed by the current value of every sequence it drew from: the
  // in-memory value is at least every number handed out, so once this write is durable no
  // durable record can carry a number the sequence would hand out again.
  void append(rocksdb::WriteBatch& wb, const Batch& batch) {
    for (const auto& op : batch.ops_) {
      switch (op.kind) {
        case Batch::Kind::put:
          wb.Put(handle(op.family), op.key, op.value);
          break;
        case Batch::Kind::remove:
          wb.Delete(handle(op.family), op.key);
          break;
        case Batch::Kind::merge:
          wb.Merge(handle(op.family), op.key, op.value);
          break;
      }
    }
    if (batch.sequences_.empty()) return;
    std::lock_guard lock(sequence_mutex);
    for (const auto& name : batch.sequences_) {
      wb.Put(handle(Family::meta), store_detail::sequence_key(name),
             KeyBuilder().u64(sequences.find(name)->second).done());
    }
  }

  // What the batches accepted so far in one group wrote to the keys that batches of the group
  // expect: what the next batch's expectations are checked against before the database. Views
  // into the group's batches, which outlive it; only expected keys are kept, so a group costs
  // one lookup per write and no copies.
  class Pending {
   public:
    explicit Pending(const std::deque<std::pair<Batch, std::function<void(CommitResult)>>>& group) {
      for (const auto& entry : group) {
        for (const auto& e : entry.first.expectations_)
          written_[static_cast<std::size_t>(e.family)].try_emplace(e.key, unwritten);
      }
    }
    Pending() = default;

    void note(const Batch& batch) {
      for (const auto& op : batch.ops_) {
        auto& family = written_[static_cast<std::size_t>(op.family)];
        if (family.empty()) continue;
        auto it = family.find(op.key);
        if (it == family.end()) continue;
        it->second = op.kind == Batch::Kind::put      ? &op.value
                     : op.kind == Batch::Kind::remove ? removed
                                                      : merged;
      }
    }

    enum class Written { no, value, merged };
    // Whether a batch of the group wrote the key; for a put or removal, `value` is what it
    // holds now (nullptr: nothing).
    Written find(Family family, std::string_view key, const std::string*& value) const {
      const auto& f = written_[static_cast<std::size_t>(family)];
      auto it = f.find(key);
      if (it == f.end() || it->second == unwritten) return Written::no;
      if (it->second == merged) return Written::merged;
      value = it->second == removed ? nullptr : it->second;
      return Written::value;
    }

   private:
    static inline const std::string unwritten_marker{}, removed_marker{}, merged_marker{};
    static constexpr const std::string* unwritten = &unwritten_marker;
    static constexpr const std::string* removed = &removed_marker;
    static constexpr const std::string* merged = &merged_marker;
    std::array<std::unordered_map<std::string_view, const std::string*>, family_count> written_;
  };

  // nullopt when every expectation of `batch` holds; otherwise the refusal.
  std::optional<CommitResult> check(const Batch& batch, const Pending& pending) const {
    auto holds = [](const Batch::Expectation& e, const std::string* current) {
      return current == nullptr ? !e.value.has_value() : e.value == *current;
    };
    for (const auto& e : batch.expectations_) {
      const std::string* written = nullptr;
      switch (pending.find(e.family, e.key, written)) {
        case Pending::Written::merged:  // a merged value is one no read saw
          return CommitResult::changed(e.item);
        case Pending::Written::value:
          if (!holds(e, written)) return CommitResult::changed(e.item);
          continue;
        case Pending::Written::no:
          break;
      }
      std::string stored;
      rocksdb::Status s = db->Get(rocksdb::ReadOptions{}, handle(e.family), e.key, &stored);
      if (!s.ok() && !s.IsNotFound()) return CommitResult::failed(s.ToString());
      if (!holds(e, s.ok() ? &stored : nullptr)) return CommitResult::changed(e.item);
    }
    return std::nullopt;
  }

  CommitResult write(rocksdb::WriteBatch& wb, std::uint64_t batch_count) {
    rocksdb::WriteOptions wo;
    wo.sync = options.sync;
    rocksdb::Status s = db->Write(wo, &wb);
    {
      std::lock_guard lock(stats_mutex);
      if (s.ok()) {
        stats.batches += batch_count;
        ++stats.synced_writes;
      }
    }
    if (s.ok()) return {};
    set_write_error(s.ToString());
    return CommitResult::failed(s.ToString());
  }

  void run_committer() {
    for (;;) {
      std::deque<std::pair<Batch, std::function<void(CommitResult)>>> taken;
      {
        std::unique_lock lock(queue_mutex);
        auto woken = [&] { return stopping || !queue.empty(); };
        if (current_write_error().empty()) {
          queue_changed.wait(lock, woken);
        } else {
          // Writes are failing: wake every second to try resuming, work or not.
          queue_changed.wait_for(lock, std::chrono::seconds(1), woken);
        }
        if (queue.empty()) {
          if (stopping) return;
          lock.unlock();
          std::lock_guard write_lock(write_mutex);
          (void)resume_if_failed(false);
          continue;
        }
        taken.swap(queue);
      }
      bool conditional = false;
      for (const auto& entry : taken) conditional |= !entry.first.expectations_.empty();
      std::vector<std::optional<CommitResult>> refused(taken.size());
      CommitResult result;
      {
        std::lock_guard lock(write_mutex);
        if (auto error = resume_if_failed(false); !error.empty()) {
          // RocksDB refuses every write until it resumes: answer at once.
          for (auto& entry : taken) {
            if (entry.second) entry.second(CommitResult::failed(error));
          }
          continue;
        }
        rocksdb::WriteBatch wb;
        Pending pending(taken);
        std::uint64_t accepted = 0;
        for (std::size_t i = 0; i < taken.size(); ++i) {
          const Batch& batch = taken[i].first;
          if (conditional) {
            refused[i] = check(batch, pending);
            if (refused[i]) continue;
            pending.note(batch);
          }
          append(wb, batch);
          ++accepted;
        }
        if (accepted > 0) result = write(wb, accepted);
      }
      for (std::size_t i = 0; i < taken.size(); ++i) {
        auto& [batch, done] = taken[i];
        CommitResult mine = refused[i] ? *refused[i] : result;
        if (mine) bump_versions(batch);
        if (done) done(mine);
      }
    }
  }
};

}  // namespace itpm::storage
