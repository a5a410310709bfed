#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rocksdb {
class Env;
class Snapshot;
struct ReadOptions;
}  // namespace rocksdb

namespace itpm::storage {

// Column families in their frozen order. New families are appended, never reordered or
// removed: the order is how an existing database maps names to handles.
enum class Family : std::uint8_t {
  meta,
  programs,
  risks,
  decisions,
  reviews,
  milestones,
  status_updates,
  audit,
  outbox,
  schedule,
  dedupe,
  risks_by_program,        // program, 25 - score, risk number
  decisions_by_program,    // program, ~date, ~number
  decisions_by_date,       // ~date, ~number
  decisions_by_tag,        // tag, ~date, ~number
  decision_terms,          // before schema 5: term, chunk of 256 decisions -> packed postings
  dependencies,            // X-<number>
  actions,                 // A-<number>
  allocations,             // user, program -> percent
  surveys,                 // S-<number>
  votes,                   // survey number, user -> score
  quarantine,              // kind, number -> a row the bot could not process, and why
  risk_events,             // program, event (opened, closed, escalated), ms, risk number
  milestone_events,        // program, event (done, slipped), ms, milestone number
  open_actions_by_due,     // due date, number, program: corrective actions still open
  risks_by_score,          // closed?, 25 - score, number, likelihood, impact, status, level
  open_milestones_by_due,  // due date, number, program: milestones still open
  work_by_day,             // kind, day or ms, ...: work done, closed and due (kpi)
  escalation_events,       // event (raised, resolved), ms, audit sequence (kpi)
  risks_on_ladder,         // number: risks on the escalation ladder now
  program_health,          // rank of the latest status (red, amber, green), program
  open_programs,           // program: the programs not closed
  decision_postings,       // term, chunk of 4,096 decision numbers -> packed postings
  open_work_by_owner,      // owner, kind (risk, action, milestone), rank, due, number
  decisions_by_person,     // decider or recorder, ~date, ~number
  open_dependencies,       // scope (all, of a program, on a program), [program], need-by, number
  holidays,                // program ("" for the workspace), day -> a non-working day
  absences,                // user -> out of office until a day, with a delegate
  availability,            // month, service -> a month's availability
  report_schedules,        // P-<number>
};

inline constexpr std::size_t family_count = static_cast<std::size_t>(Family::report_schedules) + 1;

// Every family, in frozen order.
const std::vector<Family>& all_families();
std::string_view family_name(Family family);

// Thrown when the database cannot be opened or is of a schema this build cannot read.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The outcome of a write. `error` says what failed; nothing of the batch was applied.
struct [[nodiscard]] CommitResult {
  bool ok = true;
  std::string error;
  // The batch was refused because a key it was computed from changed after it was read
  // (Batch::expect): run what made it again on fresh data. `item` names that key ("R-1").
  bool conflict = false;
  std::string item;
  explicit operator bool() const { return ok; }

  static CommitResult failed(std::string error) { return {false, std::move(error), false, {}}; }
  static CommitResult changed(std::string item) {
    return {false, "changed meanwhile: " + item, true, std::move(item)};
  }
};

// Changes applied atomically by Store::commit: readers see all of them or none.
class Batch {
 public:
  void put(Family family, std::string_view key, std::string_view value);
  void remove(Family family, std::string_view key);
  // Merges `operand` into the value at `key` with the family's merge operator (families that
  // have one: decision_postings).
  void merge(Family family, std::string_view key, std::string_view operand);
  // Adds `delta` to the counter `name` (read with Store::counter); concurrent batches add up.
  void add_to_counter(std::string_view name, std::int64_t delta);
  // Sets the counter `name` (for migrations that count afresh).
  void set_counter(std::string_view name, std::int64_t value);
  // Makes the batch conditional: it is applied only if `key` still holds `value` (nullopt:
  // nothing) as the database stood before it, after every batch committed ahead of it. A
  // change computed from a read is written only if the read is still true, so two changes to
  // one item made at the same moment cannot overwrite each other. `item` names the key for
  // the refusal ("R-1").
  void expect(Family family, std::string_view key, std::optional<std::string> value,
              std::string item);
  // Moves every write and expectation of `other` to the end of this batch.
  void append(Batch&& other);
  [[nodiscard]] bool empty() const { return ops_.empty(); }
  [[nodiscard]] std::size_t size() const { return ops_.size(); }

 private:
  friend class Store;
  enum class Kind { put, remove, merge };
  struct Op {
    Family family;
    Kind kind;
    std::string key;
    std::string value;
  };
  struct Expectation {
    Family family;
    std::string key;
    std::optional<std::string> value;
    std::string item;
  };
  std::vector<Op> ops_;
  std::vector<Expectation> expectations_;
  std::vector<std::string> sequences_;  // sequences this batch drew numbers from
};

struct CommitStats {
  std::uint64_t batches = 0;        // batches committed
  std::uint64_t synced_writes = 0;  // WAL syncs that carried them
};

// One RocksDB instance with the project's column families. Opening creates a missing
// database and refuses a newer schema (StoreError); open_database (database.hpp) also
// migrates an older one forward.
// Thread-safe: reads and commits may come from any thread.
class Store {
 public:
  // 2: decision search postings packed in per-term chunks (schema 1 had one key per posting).
  // 3: risk_events and milestone_events (what happened in a program, by time),
  //    open_actions_by_due.
  // 4: risks_by_score (every program's risks by score), open_milestones_by_due, work_by_day
  //    and escalation_events (a quarter's kpi inputs, the latter from the audit log),
  //    risks_on_ladder; open_actions_by_due rows carry the program.
  // 5: program_health (each program's latest status) and open_programs; search postings
  //    move to decision_postings, in chunks of 4,096 decisions (decision_terms is emptied);
  //    counters of risks by status, likelihood and impact.
  // 6: open_work_by_owner (the open programs each person owns or sponsors, and their open
  //    risks, corrective actions and milestones).
  // 7: decisions_by_person (each decision under its deciders and who recorded it) and
  //    open_dependencies (by need-by date: all, of each program, on each program).
  // 8: risk_events also holds each move of a risk onto the escalation ladder, under its
  //    program (from the audit log).
  static constexpr std::uint32_t schema_version = 8;

  struct Options {
    bool sync = true;  // false only for benchmarks that measure the cost of durability
    // Non-empty: open read-only as a follower of a database another process has open (for
    // backups and exports while the bot runs); RocksDB keeps its own state in this folder.
    std::filesystem::path follower_dir;
    // The RocksDB environment (files, threads, clock); nullptr: the default. Tests pass one
    // whose file system fails on demand (a full disk, I/O errors).
    rocksdb::Env* env = nullptr;
  };

  // Opens (or creates) the database in `dir`. Throws StoreError with a readable message; also
  // for a folder that holds something other than an itpm-bot database (other files, another
  // program's RocksDB) and for a damaged one, which are never written to.
  static std::unique_ptr<Store> open(const std::filesystem::path& dir, Options options);
  static std::unique_ptr<Store> open(const std::filesystem::path& dir) {
    return open(dir, Options{});
  }

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The value at `key`, or nullopt when there is none.
  [[nodiscard]] std::optional<std::string> get(Family family, std::string_view key) const;

  // Visits every key starting with `prefix` in key order (reverse order when `reverse`), until
  // `visit` returns false.
  void scan(Family family, std::string_view prefix,
            const std::function<bool(std::string_view key, std::string_view value)>& visit,
            bool reverse = false) const;

  // Visits every key in [from, to) in key order, until `visit` returns false.
  void scan_range(
      Family family, std::string_view from, std::string_view to,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) const;

  // While one lives, this thread's reads of the store (get, scan) see it as it was when the
  // view was made, whatever is committed meanwhile: a long read (a report) on a worker sees one
  // consistent state. Views nest; the innermost one counts.
  class ReadView {
   public:
    explicit ReadView(const Store& store);
    ~ReadView();
    ReadView(const ReadView&) = delete;
    ReadView& operator=(const ReadView&) = delete;
    // Whether a view is open on this thread.
    [[nodiscard]] static bool active();

   private:
    friend class Store;
    const Store& store_;
    // Read before the snapshot is taken: what version() says while the view is open.
    std::array<std::uint64_t, family_count> versions_;
    const rocksdb::Snapshot* snapshot_;
    const ReadView* outer_;
  };

  // Thrown by the read that goes past this thread's ReadBudget. Not a std::exception: code that
  // turns errors into replies lets it through to whoever set the budget.
  struct OverBudget {};

  // While one lives, this thread's reads of any store count rows (a get is one, a scan one per
  // key it visits) and the read past `rows` throws OverBudget. The dispatcher runs a page of a
  // list on the I/O thread within one, and on the worker when it throws: whatever a person
  // asks for, the I/O thread reads at most that many rows for them. Budgets do not nest.
  class ReadBudget {
   public:
    explicit ReadBudget(std::uint64_t rows);
    ~ReadBudget();
    ReadBudget(const ReadBudget&) = delete;
    ReadBudget& operator=(const ReadBudget&) = delete;

   private:
    friend class Store;
    std::uint64_t left_;
  };

  // A number that changes after every committed write touching `family` (in this process;
  // a follower's stays put). Read it before reading the family: a result computed from what
  // was read may be reused for as long as the number is the same. Under a ReadView of this
  // store, the number as it was when the view was made: a result kept with that number holds
  // what the view sees.
  [[nodiscard]] std::uint64_t version(Family family) const;
  // The number itself, whatever view is open (to tell whether a result computed under a view
  // is still the newest one).
  [[nodiscard]] std::uint64_t current_version(Family family) const;

  // The value of a counter that batches add to (0 when never touched).
  [[nodiscard]] std::int64_t counter(std::string_view name) const;
  // Rewrites `family` into its last level, merging what writes left apart (a search term's
  // postings arrive one merge operand per decision): after a bulk load (an import, a
  // rebuild), so that reads do not merge them again on every query and the bot does not
  // compact while it answers. Blocks until done; throws StoreError on failure.
  void compact(Family family);

  // RocksDB's estimate of the keys in `family` (cheap; exact only after compaction).
  [[nodiscard]] std::uint64_t estimate_keys(Family family) const;

  // Draws the next number of sequence `name` (1, 2, 3, ...). Numbers are never handed out
  // twice, also across a crash: the batch that uses the number also makes it durable.
  std::uint64_t next_sequence(std::string_view name, Batch& batch);

  // Applies `batch` atomically and, unless Options::sync is off, durably (WAL synced) before
  // returning; refuses it (CommitResult::conflict) when one of its expectations is false.
  CommitResult commit(Batch batch);

  // Why writes are refused (the disk is full, an I/O error), or empty while they work. After
  // a failed write RocksDB refuses every write; the committer tries to resume it (RocksDB
  // Resume) every second and on each commit until it works again, so the store recovers on its
  // own once space returns. Writes acknowledged before the failure are not lost.
  [[nodiscard]] std::string write_error() const;
  // Calls `changed(error)` on the committer's thread when writes start failing (with the
  // error) or work again (empty).
  void watch_writes(std::function<void(const std::string& error)> changed);

  // Queues `batch` for the group committer, which writes every batch queued meanwhile with one
  // synced write; `done` runs on the committer thread once the batch is durable (or failed, or
  // refused for a false expectation: checked in queue order, each batch against the ones
  // ahead of it).
  void commit_async(Batch batch, std::function<void(CommitResult)> done);

  // Writes a consistent copy of the database into `dir` (which must not exist) while it stays
  // open for writes. Throws StoreError.
  void checkpoint(const std::filesystem::path& dir) const;

  struct BackupInfo {
    std::uint32_t id = 0;
    std::int64_t timestamp = 0;  // seconds since the Unix epoch
    std::uint64_t size = 0;      // bytes
  };
  // Adds a backup to `backup_dir` (a RocksDB BackupEngine folder), verifies it against its
  // checksums, and keeps only the newest `keep`. Throws StoreError.
  BackupInfo backup(const std::filesystem::path& backup_dir, int keep) const;
  // Deletes backup `id` from `backup_dir`. Throws StoreError.
  static void delete_backup(const std::filesystem::path& backup_dir, std::uint32_t id);
  // Restores the newest backup in `backup_dir` into `data_dir`. Throws StoreError.
  static BackupInfo restore_latest(const std::filesystem::path& backup_dir,
                                   const std::filesystem::path& data_dir);

  // Records `version` as the database's schema version when `batch` commits (migrations).
  static void set_schema_version(Batch& batch, std::uint32_t version);

  // The sequence number of the newest write this instance sees (a follower: as of its
  // last catch-up).
  [[nodiscard]] std::uint64_t latest_sequence() const;

  [[nodiscard]] CommitStats stats() const;
  [[nodiscard]] std::uint32_t stored_schema_version() const;
  [[nodiscard]] const std::filesystem::path& dir() const;

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  // Counts one row read against this thread's ReadBudget, if any; throws OverBudget past it.
  static void spend_row();
  // Reads at this thread's ReadView of this store, if any.
  [[nodiscard]] rocksdb::ReadOptions read_options() const;

  std::unique_ptr<Impl> impl_;
};

}  // namespace itpm::storage
