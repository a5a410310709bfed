#pragma once
// The typed repositories: records read and written through their RecordTraits, the audit
// log, the questions the commands ask of the indexes, and the queues (outbox, jobs, event
// dedupe). Writes go into a caller's Batch so that a mutation, its index rows and its audit
// entry (and any outbox or schedule rows) are committed together.

#include "storage/decision_search.hpp"
#include "storage/event_dedupe.hpp"
#include "storage/job_queue.hpp"
#include "storage/outbox.hpp"
#include "storage/read_set.hpp"
#include "storage/record_codec.hpp"
#include "storage/record_traits.hpp"
#include "storage/records.hpp"
#include "storage/store.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

namespace itpm::storage {

// Who changed something, when, and how ("add", "update", "close", ...).
struct Change {
  std::string by;  // Slack user ID
  std::int64_t at = 0;
  std::string action;
};

// One audit log entry: the item's state before and after the change (null when absent).
struct AuditEntry {
  std::string item;  // "dr-2027", "R-12", "D-7"
  std::string by;
  std::int64_t at = 0;
  std::string action;
  nlohmann::json before;
  nlohmann::json after;
  // What happened when nothing about the item changed ("escalation level 2 not delivered to
  // <#C1>: …"); empty for a change.
  std::string note;
};

struct DecisionFilter {
  std::string program;  // empty: every program
  std::string tag;
  std::string by;               // a decider's user ID
  std::int64_t since_days = 0;  // inclusive; 0: no bound
  std::int64_t until_days = 0;  // inclusive; 0: no bound
};

// Which of a list's matches a caller reads: the `take` after the first `skip` (a page of a
// list). Those before and after are counted from their index keys alone wherever no filter
// needs the record, so a deep page costs what the first one does. A number is a first page.
struct Window {
  Window(std::size_t first_page) : take(first_page) {}  // NOLINT: a count reads as a window
  Window(std::size_t skipped, std::size_t taken) : skip(skipped), take(taken) {}
  std::size_t skip = 0;
  std::size_t take = 0;
  [[nodiscard]] bool shows(std::size_t index) const { return index >= skip && index - skip < take; }
  [[nodiscard]] std::size_t end() const { return skip + take; }
};

// The settings stored with `config set` (an empty object when none were).
nlohmann::json stored_settings(const Store& store);

class Repositories {
 public:
  explicit Repositories(Store& store)
      : store_(store), search_(store), outbox_(store), jobs_(store), seen_events_(store) {}

  // The record of type R with the given key (a number, a program key, ...), or nullopt.
  // Noted in the thread's active ReadSet, if any.
  template <class R, class... Key>
  [[nodiscard]] std::optional<R> find(const Key&... key) const {
    using T = RecordTraits<R>;
    std::string k = T::key(key...);
    auto raw = store_.get(T::family, k);
    std::optional<R> record;
    if (raw) record = decode_record<R>(*raw);
    if (auto* reads = ReadSet::active()) {
      reads->note(T::family, k, raw, record ? T::audit_item(*record) : std::string());
    }
    return record;
  }

  // Every record of type R, in key order (by number for numbered records).
  template <class R>
  [[nodiscard]] std::vector<R> all() const {
    return all_under<R>("");
  }
  // The records of type R whose keys start with `prefix` (their first key parts: a person, a
  // survey's number, a program), in key order.
  template <class R>
  [[nodiscard]] std::vector<R> all_under(std::string_view prefix) const {
    std::vector<R> out;
    store_.scan(RecordTraits<R>::family, prefix, [&](std::string_view, std::string_view value) {
      if (auto record = decode_record<R>(value)) out.push_back(std::move(*record));
      return true;
    });
    return out;
  }

  // The next number for a record of type R (never reused, also across a crash).
  template <Sequenced R>
  std::uint64_t next_number(Batch& batch) {
    return store_.next_sequence(RecordTraits<R>::sequence, batch);
  }

  // Writes `after` (replacing `before`; nullptr for a new record), the index rows that
  // changed, and an audit entry, into `batch`. A record its traits call removed (an
  // allocation at 0 percent) is deleted instead.
  // `note` says in words what the change was, when the fields alone do not.
  template <class R>
  void save(Batch& batch, const R& after, const std::type_identity_t<R>* before,
            const Change& change, const std::string& note = {}) {
    using T = RecordTraits<R>;
    nlohmann::json audit_before = before != nullptr ? nlohmann::json(*before) : nlohmann::json();
    nlohmann::json audit_after = nlohmann::json(after);
    if constexpr (requires { T::removed(after); }) {
      if (T::removed(after)) {
        batch.remove(T::family, T::key(after));
        append_audit(batch, T::audit_item(after), std::move(audit_before), nullptr, change);
        return;
      }
    }
    if constexpr (requires { T::audited(before, after); }) {
      std::tie(audit_before, audit_after) = T::audited(before, after);
    }
    write(batch, after, before);
    append_audit(batch, T::audit_item(after), std::move(audit_before), std::move(audit_after),
                 change, note);
  }

  // Writes a record and its index rows as they were exported, without a new audit entry
  // (imports carry their audit log with them).
  template <class R>
  void restore(Batch& batch, const R& record) {
    write(batch, record, static_cast<const R*>(nullptr));
  }

  // A program's risks, highest score first (then oldest first). Shared, not copied: the
  // answer is kept for the next command until the risks change (hold it while reading it).
  [[nodiscard]] std::shared_ptr<const std::vector<Risk>> risks_of_program(
      std::string_view program) const;
  // Newest first (by decision date, then number): those in `window`; `total` receives how
  // many matched. Without --tag (beyond a program) or --by, matches outside the window are
  // counted from their index keys, not read.
  [[nodiscard]] std::vector<Decision> decisions(const DecisionFilter& filter, Window window,
                                                std::size_t* total = nullptr) const;
  [[nodiscard]] std::vector<Vote> votes(std::uint64_t survey) const;  // by user
  // A program's status updates, newest first (at most `limit`; when `last` is given, up to
  // the first one it accepts).
  [[nodiscard]] std::vector<StatusUpdate> status_updates(
      std::string_view program, std::size_t limit,
      const std::function<bool(const StatusUpdate&)>& last = {}) const;
  // The open programs whose latest status has `rank` (health_rank: red 0, amber 1, green 2),
  // by key, until `visit` returns false.
  void programs_by_health(std::uint8_t rank,
                          const std::function<bool(std::string_view program)>& visit) const;
  // The open items of `kind` (owned_risk, owned_action, owned_milestone) that `owner` owns:
  // risks highest score first, the others soonest due first. `visit` gets the numbers of the
  // first `limit`; returns how many there are (their keys alone are read for the count).
  std::size_t open_work_of(std::string_view owner, std::uint8_t kind, std::size_t limit,
                           const std::function<void(std::uint64_t number)>& visit) const;
  // The risks `owner` owns that are not closed, highest score first (then by number), as
  // their index rows have them, until `visit` returns false: nothing is read.
  void owned_risks(
      std::string_view owner,
      const std::function<bool(std::uint64_t number, int score, RiskStatus status)>& visit) const;
  // The open programs `person` owns (sponsor false) or sponsors, in key order.
  void programs_run_by(
      std::string_view person,
      const std::function<void(std::string_view program, bool sponsor)>& visit) const;
  // Every open program's key, in key order, until `visit` returns false; and how many there are.
  void open_programs(const std::function<bool(std::string_view program)>& visit) const;
  [[nodiscard]] std::size_t count_open_programs() const;
  // Open dependencies, soonest need-by first (then by number): every one (`program` empty),
  // or those `program` needs and those needed of it. Those in `window` are read; `total`
  // receives how many there are (counted from index keys).
  [[nodiscard]] std::vector<Dependency> open_dependencies(std::string_view program, Window window,
                                                          std::size_t* total = nullptr) const;
  // The open dependencies `program` needs, soonest need-by first: those in `window`.
  [[nodiscard]] std::vector<Dependency> open_dependencies_of(std::string_view program,
                                                             Window window,
                                                             std::size_t* total = nullptr) const;
  // The open dependencies on program `program` (another program needs something of it).
  void open_dependencies_on(std::string_view program,
                            const std::function<void(const Dependency&)>& visit) const;
  // Every program's key that starts with `prefix` (closed ones too), in key order, until
  // `visit` returns false. Keys alone: no program is decoded.
  void program_keys(std::string_view prefix,
                    const std::function<bool(std::string_view program)>& visit) const;
  // How many risks have `status`, by likelihood and impact: [likelihood - 1][impact - 1].
  using RiskCells = std::array<std::array<std::int64_t, 5>, 5>;
  [[nodiscard]] RiskCells risk_cells(RiskStatus status) const;
  // Counts every risk into the counters risk_cells reads (for the migration that adds them).
  void rewrite_risk_cells();
  // Makes each program's health row its latest stored status update (after an import wrote
  // the updates in export order, and for the migration that adds the rows).
  void rewrite_health_rows();
  // Full-text search over title, context, alternatives and tags, ranked by BM25, best first.
  [[nodiscard]] std::vector<SearchHit> search_decisions(const SearchQuery& query,
                                                        std::size_t* total = nullptr) const {
    return search_.search(query, total);
  }
  // How many of `program`'s items had event `event` (risk_opened, milestone_done, ...: the
  // family's) at or after `since_ms`, from the index rows of `family` (risk_events,
  // milestone_events) alone; an item counts once.
  [[nodiscard]] std::size_t count_events(Family family, std::string_view program,
                                         std::uint8_t event, std::int64_t since_ms) const;
  // The items (numbers) behind count_events, in number order.
  [[nodiscard]] std::set<std::uint64_t> event_numbers(Family family, std::string_view program,
                                                      std::uint8_t event,
                                                      std::int64_t since_ms) const;
  // A risk as its risks_by_score row has it: enough to count, filter and draw a heat map.
  struct RankedRisk {
    std::uint64_t number = 0;
    int likelihood = 0;
    int impact = 0;
    RiskStatus status = RiskStatus::open;
    int level = 0;
    [[nodiscard]] int score() const { return likelihood * impact; }
    [[nodiscard]] bool on_ladder() const { return level > 0 && status != RiskStatus::closed; }
  };
  // Every program's risks that are not closed (or only the closed ones), highest score first
  // (then by number), from the risks_by_score index alone, until `visit` returns false.
  void risks_by_score(bool closed, const std::function<bool(const RankedRisk&)>& visit) const;
  // Open milestones, soonest due first (then by number): of `program` unless empty, due
  // before `due_before` (YYYY-MM-DD) unless empty. Those in `window` are read; `total`
  // receives how many there are.
  [[nodiscard]] std::vector<Milestone> open_milestones(std::string_view due_before,
                                                       std::string_view program, Window window,
                                                       std::size_t* total = nullptr) const;
  // A work_by_day row (kind day_milestone_done, ...: see record_traits.hpp): the day, the
  // flag or state, the day it was done (day_action_due rows), the item's number.
  struct WorkDay {
    std::string_view day;
    std::uint8_t flag = 0;
    std::string_view done_on;
    std::uint64_t number = 0;
  };
  // The `kind` rows of the days first..last (YYYY-MM-DD, both included), by day.
  void work_by_day(std::uint8_t kind, std::string_view first, std::string_view last,
                   const std::function<void(const WorkDay&)>& visit) const;
  // Programs closed (with a due date) at from_ms <= time < to_ms: when, their due date and key.
  void programs_closed(std::int64_t from_ms, std::int64_t to_ms,
                       const std::function<void(std::int64_t closed_at, std::string_view due,
                                                std::string_view key)>& visit) const;
  // How many risks are on the escalation ladder now.
  [[nodiscard]] std::size_t count_on_ladder() const;
  // How many audit entries moved a risk onto the ladder (escalation_raised) or off it
  // (escalation_resolved) at from_ms <= time < to_ms.
  [[nodiscard]] std::size_t count_escalations(std::uint8_t event, std::int64_t from_ms,
                                              std::int64_t to_ms) const;
  // Open corrective actions, soonest due first (then by number), from the open_actions_by_due
  // index: of `program` unless empty, due before `due_before` (YYYY-MM-DD) unless empty, and
  // those `keep` accepts if given (then each is read). Those in `window` are read and
  // returned; `total` receives how many there are.
  [[nodiscard]] std::vector<Action> open_actions(
      std::string_view due_before, std::string_view program, Window window,
      std::size_t* total = nullptr, const std::function<bool(const Action&)>& keep = {}) const;
  // Done milestones or corrective actions (`kind`: day_milestone_done or day_action_closed),
  // most recently done first, from their work_by_day rows: of `program` unless empty (then
  // each is read), and those `keep` accepts if given. Those in `window` are returned; `total`
  // receives how many there are.
  template <class R>
  [[nodiscard]] std::vector<R> done_work(std::uint8_t kind, std::string_view program, Window window,
                                         std::size_t* total = nullptr,
                                         const std::function<bool(const R&)>& keep = {}) const {
    std::vector<R> out;
    std::size_t count = 0;
    bool filtered = !program.empty() || keep;
    store_.scan(
        Family::work_by_day, KeyBuilder().u8(kind).done(),
        [&](std::string_view key, std::string_view) {
          KeyReader r(key);
          (void)r.u8();
          (void)r.str();
          (void)r.u8();
          auto number = r.u64();
          if (!number) return true;
          std::optional<R> item;
          if (filtered) {
            item = find<R>(*number);
            if (!item || (!program.empty() && item->program != program) || (keep && !keep(*item)))
              return true;
          }
          if (!window.shows(count++)) return true;
          if (!item) item = find<R>(*number);
          if (item) out.push_back(std::move(*item));
          return true;
        },
        true);
    if (total != nullptr) *total = count;
    return out;
  }
  // Every change to an item, oldest first.
  [[nodiscard]] std::vector<AuditEntry> audit(std::string_view item) const;
  // Adds to the item's history something that happened to it without changing it (a post
  // about it that Slack refused), as `change.action` with `note` saying what.
  void note(Batch& batch, const std::string& item, const Change& change, const std::string& note);

  // Whether `user` was told on `day` (days since the Unix epoch) that a post to `channel` was
  // refused, and marking that they were: each person hears of a channel at most once a day.
  [[nodiscard]] bool told_about(std::string_view channel, std::string_view user,
                                std::int64_t day) const;
  void mark_told(Batch& batch, std::string_view channel, std::string_view user, std::int64_t day);

  // Settings changed with `config set`: {key: {"value", "by", "at"}}; an empty object when
  // none was (noted in the active ReadSet). Saved with an audit entry for the item "config".
  [[nodiscard]] nlohmann::json settings() const;
  void save_settings(Batch& batch, const nlohmann::json& after, const nlohmann::json& before,
                     const Change& change);
  void restore_settings(Batch& batch, const nlohmann::json& settings);

  // A person's allocations, by program: their own keys, not everyone's.
  [[nodiscard]] std::vector<Allocation> allocations_of(std::string_view user) const;
  // The holidays of a program, or of the workspace for "", by day.
  [[nodiscard]] std::vector<Holiday> holidays_of(std::string_view program) const;
  // A month's availability records (YYYY-MM): the platform's ("" service) first, then by service.
  [[nodiscard]] std::vector<Availability> availability_of(std::string_view month) const;

  // Serialises writers of one thing that has no record of its own (a program's open survey, a
  // person's staffing): `claim` reads the guard `name`/`key` (noted in the active ReadSet) and
  // puts a new value in `batch`, so that of two commands that claim it at once, the second
  // meets the first's write and runs again on fresh data. Returns the value read ("" if none).
  std::string claim(Batch& batch, std::string_view name, std::string_view key,
                    std::string_view value, const std::string& item) const;

  // The key dashboard links are signed with (commands/dashboard/link.hpp), if one was made;
  // and a new one in `batch` (the bot's first start, `itpm-bot rotate-dashboard-key`). Kept
  // in the store (and its backups), never exported: an imported store gets a new one.
  [[nodiscard]] std::optional<std::string> dashboard_key() const;
  void set_dashboard_key(Batch& batch, std::string_view key);

  [[nodiscard]] Outbox& outbox() { return outbox_; }
  [[nodiscard]] const Outbox& outbox() const { return outbox_; }
  [[nodiscard]] JobQueue& jobs() { return jobs_; }
  [[nodiscard]] const JobQueue& jobs() const { return jobs_; }
  [[nodiscard]] EventDedupe& seen_events() { return seen_events_; }
  [[nodiscard]] DecisionSearch& search() { return search_; }

  // Checks that every index row and search posting points at a live record that matches it,
  // that every record has its rows, and that no sequence is behind a stored number. Returns
  // one line per problem; empty when the store is consistent. Reads everything: for tests,
  // imports and operators, not for the hot path (integrity_check.cpp).
  [[nodiscard]] std::vector<std::string> check() const;

  [[nodiscard]] Store& store() const { return store_; }

 private:
  // The record and the index rows that changed between `before` and `after`.
  template <class R>
  void write(Batch& batch, const R& after, const R* before) {
    using T = RecordTraits<R>;
    batch.put(T::family, T::key(after), nlohmann::json(after).dump());
    IndexRows old_rows = before != nullptr ? T::index_rows(*before) : IndexRows{};
    IndexRows new_rows = T::index_rows(after);
    for (const auto& row : old_rows) {
      if (!new_rows.contains(row)) batch.remove(row.first, row.second);
    }
    for (const auto& row : new_rows) {
      if (!old_rows.contains(row)) batch.put(row.first, row.second, "");
    }
    if constexpr (requires { T::after_write(batch, before, after); }) {
      T::after_write(batch, before, after);
    }
  }
  void append_audit(Batch& batch, const std::string& item, nlohmann::json before,
                    nlohmann::json after, const Change& change, const std::string& note = {});

  Store& store_;
  DecisionSearch search_;
  Outbox outbox_;
  JobQueue jobs_;
  EventDedupe seen_events_;
  // risks_of_program's recent answers, valid while the risks family's version is unchanged.
  struct ProgramRisks {
    std::uint64_t version = 0;
    std::map<std::string, std::shared_ptr<const std::vector<Risk>>, std::less<>> by_program;
  };
  mutable std::mutex program_risks_mutex_;
  mutable ProgramRisks program_risks_;
  // settings()'s last read, valid while the meta family's version is unchanged.
  struct KeptSettings {
    std::uint64_t version = 0;
    std::optional<std::string> raw;
    nlohmann::json value;
  };
  mutable std::mutex settings_mutex_;
  mutable std::shared_ptr<const KeptSettings> settings_;
};

}  // namespace itpm::storage
