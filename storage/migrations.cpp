// Schema migrations, applied in order when an older database is opened.
#include "storage/database.hpp"
#include "storage/decision_search.hpp"
#include "storage/record_codec.hpp"
#include "storage/record_traits.hpp"
#include "storage/repositories.hpp"

#include <optional>

namespace itpm::storage {
namespace {

// Writes every index row of each stored R (those already there are written again, unchanged),
// or only those of family `only`, a few thousand records per batch.
template <class R>
void write_index_rows(Store& store, std::optional<Family> only = std::nullopt) {
  Batch batch;
  std::size_t records = 0;
  auto flush = [&] {
    if (auto r = store.commit(std::move(batch)); !r)
      throw StoreError("cannot write the new index rows: " + r.error);
    batch = Batch();
  };
  store.scan(RecordTraits<R>::family, "", [&](std::string_view, std::string_view value) {
    if (auto record = parse_record<R>(value)) {
      for (const auto& [family, key] : RecordTraits<R>::index_rows(*record)) {
        if (!only || family == *only) batch.put(family, key, "");
      }
      if (++records % 5000 == 0) flush();
    }
    return true;
  });
  flush();
}

// Removes every row of an index family (before its rows are written anew in a new layout).
void remove_rows(Store& store, Family family) {
  Batch batch;
  store.scan(family, "", [&](std::string_view key, std::string_view) {
    batch.remove(family, key);
    return true;
  });
  if (auto r = store.commit(std::move(batch)); !r)
    throw StoreError("cannot remove the old index rows: " + r.error);
}

// Files the audit entries of surveys under S-<n> (they were Q-<n>).
void rename_survey_audit(Store& store) {
  Batch batch;
  store.scan(Family::audit, "Q-", [&](std::string_view key, std::string_view value) {
    KeyReader r(key);
    auto item = r.str();
    auto sequence = r.u64();
    auto entry = nlohmann::json::parse(value, nullptr, false);
    if (!item || !sequence || !entry.is_object()) return true;
    std::string renamed = current_audit_item(std::string(*item));
    if (renamed == *item) return true;
    entry["item"] = renamed;
    batch.remove(Family::audit, key);
    batch.put(Family::audit, KeyBuilder().str(renamed).u64(*sequence).done(), entry.dump());
    return true;
  });
  if (auto r = store.commit(std::move(batch)); !r)
    throw StoreError("cannot rename the surveys' audit entries: " + r.error);
}

// Writes the escalation rows of every audit entry that moved a risk on or off the ladder.
void write_escalation_rows(Store& store) {
  Batch batch;
  std::size_t rows = 0;
  auto flush = [&] {
    if (auto r = store.commit(std::move(batch)); !r)
      throw StoreError("cannot write the new index rows: " + r.error);
    batch = Batch();
  };
  stored_escalation_rows(store, [&](IndexRow row) {
    batch.put(row.first, row.second, "");
    if (++rows % 5000 == 0) flush();
  });
  flush();
}

void migrate(Store& store, std::uint32_t from) {
  for (std::uint32_t version = from; version < Store::schema_version; ++version) {
    switch (version) {
      case 0:
      case 1:
        // Schema 1 kept one key per search posting; schema 2 packs them per term chunk.
        DecisionSearch(store).rebuild();
        break;
      case 2:
        // Schema 3 keeps when risks opened and closed and milestones were done and slipped,
        // and the open corrective actions by due date.
        write_index_rows<Risk>(store);
        write_index_rows<Milestone>(store);
        write_index_rows<Action>(store);
        break;
      case 3:
        // Schema 4 keeps every program's risks by score, open milestones by due date, what a
        // quarter's kpi counts by day, escalations raised and resolved (from the audit) and the
        // risks on the ladder;
        // open actions by due date gain the program.
        remove_rows(store, Family::open_actions_by_due);
        write_index_rows<Program>(store);
        write_index_rows<Risk>(store);
        write_index_rows<Milestone>(store);
        write_index_rows<Action>(store);
        write_escalation_rows(store);
        break;
      case 4: {
        // Schema 5 keeps each program's latest status, the open programs and counters of
        // risks by status, likelihood and impact; search postings move to decision_postings in
        // larger chunks; surveys are S-<n> (were Q-<n>) in the audit log.
        write_index_rows<Program>(store);
        Repositories repos(store);
        repos.rewrite_health_rows();
        repos.rewrite_risk_cells();
        rename_survey_audit(store);
        DecisionSearch(store).rebuild();
        break;
      }
      case 5:
        // Schema 6 keeps each person's open programs, risks, corrective actions and milestones.
        write_index_rows<Program>(store, Family::open_work_by_owner);
        write_index_rows<Risk>(store, Family::open_work_by_owner);
        write_index_rows<Milestone>(store, Family::open_work_by_owner);
        write_index_rows<Action>(store, Family::open_work_by_owner);
        break;
      case 6:
        // Schema 7 keeps decisions by person and the open dependencies by need-by date; a
        // person's risks carry their status.
        write_index_rows<Decision>(store, Family::decisions_by_person);
        write_index_rows<Dependency>(store);
        remove_rows(store, Family::open_work_by_owner);
        write_index_rows<Program>(store, Family::open_work_by_owner);
        write_index_rows<Risk>(store, Family::open_work_by_owner);
        write_index_rows<Milestone>(store, Family::open_work_by_owner);
        write_index_rows<Action>(store, Family::open_work_by_owner);
        break;
      case 7:
        // Schema 8 keeps each move of a risk onto the ladder under its program (risk_events).
        write_escalation_rows(store);
        break;
      default:
        throw StoreError("no migration from schema version " + std::to_string(version));
    }
    Batch bump;
    Store::set_schema_version(bump, version + 1);
    if (auto r = store.commit(std::move(bump)); !r)
      throw StoreError("cannot record the migration: " + r.error);
  }
}

}  // namespace

std::unique_ptr<Store> open_database(const std::filesystem::path& dir, Store::Options options) {
  bool follower = !options.follower_dir.empty();
  auto store = Store::open(dir, std::move(options));
  if (std::uint32_t stored = store->stored_schema_version();
      !follower && stored < Store::schema_version) {
    migrate(*store, stored);
  }
  return store;
}

}  // namespace itpm::storage
