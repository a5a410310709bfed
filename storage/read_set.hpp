#pragma once
// Optimistic concurrency for the bot's writers. Commands and jobs that write read the store,
// compute a change, and commit it later through the group committer, while the next command
// is already being handled. A ReadSet notes every record they read on this thread
// (Repositories::find and settings), and makes their batch conditional on those reads
// (Batch::expect): if another change to one of those records was committed first, the batch
// is refused with CommitResult::conflict, and the caller runs the command again on fresh data.
// Commands that write nothing keep no ReadSet: their reads cost no bookkeeping.

#include "storage/store.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace itpm::storage {

class ReadSet {
 public:
  // Becomes this thread's active read set until destroyed (the previous one is restored).
  ReadSet();
  ~ReadSet();
  ReadSet(const ReadSet&) = delete;
  ReadSet& operator=(const ReadSet&) = delete;

  // The active read set of this thread, or nullptr when no one is noting reads.
  static ReadSet* active();

  // Notes that `key` held `value` (nullopt: nothing); `item` names it ("R-1", "dr-2027").
  // A key read twice keeps its first value: the batch must hold for every read. Constant
  // time, whatever was noted before.
  void note(Family family, std::string_view key, const std::optional<std::string>& value,
            std::string item);

  // Makes `batch` conditional on every read noted so far, in the order they were first read.
  void expect_in(Batch& batch) const;

  [[nodiscard]] std::size_t size() const { return reads_.size(); }

 private:
  struct Read {
    std::optional<std::string> value;
    std::string item;
    std::size_t order = 0;
  };
  // Family number, then the key: one string per read.
  std::unordered_map<std::string, Read> reads_;
  ReadSet* previous_;
};

}  // namespace itpm::storage
