#pragma once
// The typed repositories: the only code that knows record keys, index rows and value
// formats. Writes go into a caller's Batch so that a mutation, its index rows and its audit
// entry (and any outbox or schedule rows) are committed together.

#include "storage/records.hpp"
#include "storage/store.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
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
};

struct DecisionFilter {
  std::string program;  // empty: every program
  std::string tag;
  std::string by;               // a decider's user ID
  std::int64_t since_days = 0;  // inclusive; 0: no bound
  std::int64_t until_days = 0;  // inclusive; 0: no bound
};

struct SearchHit {
  std::uint64_t number = 0;
  double score = 0;
};

struct SearchQuery {
  std::string words;
  std::string program;  // empty: every program
  std::size_t limit = 20;
};

// A Slack post waiting to be sent (the bot removes it once Slack confirmed it).
struct OutboxEntry {
  std::uint64_t seq = 0;
  nlohmann::json message;
};

// A job that falls due at `due_ms` (ms since the Unix epoch).
struct ScheduledJob {
  std::int64_t due_ms = 0;
  std::uint64_t seq = 0;
  nlohmann::json job;
};

class Repositories {
 public:
  explicit Repositories(Store& store) : store_(store) {}

  [[nodiscard]] std::optional<Program> program(std::string_view key) const;
  [[nodiscard]] std::vector<Program> programs() const;  // by key
  [[nodiscard]] std::optional<Risk> risk(std::uint64_t number) const;
  [[nodiscard]] std::vector<Risk> risks() const;  // by number
  // A program's risks, highest score first (then oldest first).
  [[nodiscard]] std::vector<Risk> risks_of_program(std::string_view program) const;
  [[nodiscard]] std::optional<Decision> decision(std::uint64_t number) const;
  // Newest first (by decision date, then number); `total` receives how many matched.
  [[nodiscard]] std::vector<Decision> decisions(const DecisionFilter& filter, std::size_t limit,
                                                std::size_t* total = nullptr) const;
  [[nodiscard]] std::optional<Survey> survey(std::uint64_t number) const;
  [[nodiscard]] std::vector<Survey> surveys() const;  // by number
  [[nodiscard]] std::optional<Vote> vote(std::uint64_t survey, std::string_view user) const;
  [[nodiscard]] std::vector<Vote> votes(std::uint64_t survey) const;  // by user
  // Every allocation, by person then program.
  [[nodiscard]] std::vector<Allocation> allocations() const;
  [[nodiscard]] std::optional<Action> action(std::uint64_t number) const;
  [[nodiscard]] std::vector<Action> actions() const;  // by number
  [[nodiscard]] std::optional<Dependency> dependency(std::uint64_t number) const;
  [[nodiscard]] std::vector<Dependency> dependencies() const;  // by number
  [[nodiscard]] std::optional<Milestone> milestone(std::uint64_t number) const;
  [[nodiscard]] std::vector<Milestone> milestones() const;  // by number
  [[nodiscard]] std::optional<Review> review(std::uint64_t number) const;
  [[nodiscard]] std::vector<Review> reviews() const;  // by number
  // A program's status updates, newest first (at most `limit`).
  [[nodiscard]] std::vector<StatusUpdate> status_updates(std::string_view program,
                                                         std::size_t limit) const;
  // Full-text search over title, context, alternatives and tags, ranked by BM25, best first.
  [[nodiscard]] std::vector<SearchHit> search_decisions(const SearchQuery& query,
                                                        std::size_t* total = nullptr) const;
  // Every change to an item, oldest first.
  [[nodiscard]] std::vector<AuditEntry> audit(std::string_view item) const;

  // The next risk or decision number (never reused, also across a crash).
  std::uint64_t next_risk_number(Batch& batch) { return store_.next_sequence("risk", batch); }
  std::uint64_t next_decision_number(Batch& batch) {
    return store_.next_sequence("decision", batch);
  }

  std::uint64_t next_review_number(Batch& batch) { return store_.next_sequence("review", batch); }
  std::uint64_t next_action_number(Batch& batch) { return store_.next_sequence("action", batch); }
  std::uint64_t next_dependency_number(Batch& batch) {
    return store_.next_sequence("dependency", batch);
  }
  std::uint64_t next_milestone_number(Batch& batch) {
    return store_.next_sequence("milestone", batch);
  }
  std::uint64_t next_status_number(Batch& batch) { return store_.next_sequence("status", batch); }
  std::uint64_t next_survey_number(Batch& batch) { return store_.next_sequence("survey", batch); }

  // Writes `after` (replacing `before`; nullptr for a new record), the index rows that
  // changed, and an audit entry, into `batch`.
  void save(Batch& batch, const Program& after, const Program* before, const Change& change);
  void save(Batch& batch, const Risk& after, const Risk* before, const Change& change);
  void save(Batch& batch, const Decision& after, const Decision* before, const Change& change);
  void save(Batch& batch, const Review& after, const Review* before, const Change& change);
  void save(Batch& batch, const Milestone& after, const Milestone* before, const Change& change);
  void save(Batch& batch, const Dependency& after, const Dependency* before, const Change& change);
  void save(Batch& batch, const Action& after, const Action* before, const Change& change);
  // Writes (or, at 0 percent, removes) a person's allocation to a program, with an audit
  // entry filed under the program.
  void save(Batch& batch, const Allocation& after, const Allocation* before, const Change& change);
  void save(Batch& batch, const Survey& after, const Survey* before, const Change& change);
  // A vote's audit entry (under its survey) names the voter, not the score.
  void save(Batch& batch, const Vote& after, const Vote* before, const Change& change);
  // A status update is never changed; its audit entry is filed under its program.
  void save(Batch& batch, const StatusUpdate& update, const Change& change);

  // Settings changed with `config set`: {key: {"value", "by", "at"}}; an empty object when
  // none was. Saved with an audit entry for the item "config".
  [[nodiscard]] nlohmann::json settings() const;
  void save_settings(Batch& batch, const nlohmann::json& after, const nlohmann::json& before,
                     const Change& change);

  // Dedupe memory for Slack envelope and event ids: `seen` is true while a remembered id has
  // not expired. Expired ids are removed by `expire_seen`, which walks the expiry index from
  // its oldest end and stops at the first live one: no full scan.
  [[nodiscard]] bool seen(std::string_view id, std::int64_t now_ms) const;
  void remember(Batch& batch, std::string_view id, std::int64_t expires_at_ms);
  std::size_t expire_seen(std::int64_t now_ms, std::size_t max);

  // The outbox, oldest first.
  std::uint64_t enqueue(Batch& batch, const nlohmann::json& message);
  [[nodiscard]] std::vector<OutboxEntry> outbox(std::size_t limit) const;
  void dequeue(Batch& batch, std::uint64_t seq);

  // Jobs by due time.
  std::uint64_t schedule(Batch& batch, std::int64_t due_ms, const nlohmann::json& job);
  [[nodiscard]] std::vector<ScheduledJob> due_jobs(std::int64_t now_ms, std::size_t limit) const;
  [[nodiscard]] std::optional<std::int64_t> next_due() const;
  void unschedule(Batch& batch, const ScheduledJob& job);

  // Checks that every index row and search posting points at a live record that matches it,
  // that every record has its rows, and that no sequence is behind a stored number. Returns
  // one line per problem; empty when the store is consistent. Reads everything: for tests,
  // imports and operators, not for the hot path.
  [[nodiscard]] std::vector<std::string> check() const;

  // Drops every search posting and counter and indexes every decision again, committing as
  // it goes (a migration step; safe to run again if interrupted).
  void rebuild_search_index();

  // Writes a record and its index rows as they were exported, without a new audit entry
  // (imports carry their audit log with them).
  void restore(Batch& batch, const Program& record);
  void restore(Batch& batch, const Risk& record);
  void restore(Batch& batch, const Decision& record);
  void restore(Batch& batch, const Review& record);
  void restore(Batch& batch, const Milestone& record);
  void restore(Batch& batch, const Dependency& record);
  void restore(Batch& batch, const Action& record);
  void restore(Batch& batch, const Allocation& record);
  void restore(Batch& batch, const Survey& record);
  void restore(Batch& batch, const Vote& record);
  void restore_settings(Batch& batch, const nlohmann::json& settings);
  void restore(Batch& batch, const StatusUpdate& record);

  [[nodiscard]] Store& store() const { return store_; }

 private:
  Store& store_;
  // risks_of_program's recent answers, valid while the risks family's version is unchanged.
  struct ProgramRisks {
    std::uint64_t version = 0;
    std::map<std::string, std::vector<Risk>, std::less<>> by_program;
  };
  mutable std::mutex program_risks_mutex_;
  mutable ProgramRisks program_risks_;
};

// "R-12", "D-7", "V-2"; a program's item id is its key.
std::string risk_id(std::uint64_t number);
std::string decision_id(std::uint64_t number);
std::string review_id(std::uint64_t number);
std::string milestone_id(std::uint64_t number);
std::string dependency_id(std::uint64_t number);
std::string action_id(std::uint64_t number);
std::string survey_id(std::uint64_t number);

// Search terms of a text: Unicode-aware lowercase words of letters and digits (k8s, p99 and
// s3 stay whole), without common English stop words.
std::vector<std::string> search_terms(std::string_view text);

}  // namespace itpm::storage
