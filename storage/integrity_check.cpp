// Repositories::check: every record type's index rows and sequence, the search postings, and
// the references between records, read in full.
#include "storage/repositories.hpp"

#include "storage/key_codec.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace itpm::storage {
namespace {

std::uint64_t stored_sequence(const Store& store, std::string_view name) {
  auto raw = store.get(Family::meta, KeyBuilder().str("seq").str(name).done()).value_or("");
  KeyReader r(raw);
  return r.u64().value_or(0);
}

// One record type: readable records, the index rows they need (added to `expected`, with
// their families to `families`: a family may hold rows of several types), the sequence
// ahead of them.
template <class R>
void check_records(const Store& store, IndexRows& expected, std::set<Family>& families,
                   std::vector<std::string>& problems) {
  using T = RecordTraits<R>;
  std::string name(T::plural);
  std::uint64_t max_number = 0;
  store.scan(T::family, "", [&](std::string_view, std::string_view value) {
    auto record = parse_record<R>(value);
    if (!record) {
      problems.push_back(name + ": a record is not readable");
      return true;
    }
    expected.merge(T::index_rows(*record));
    if constexpr (Sequenced<R>) max_number = std::max(max_number, T::number(*record));
    return true;
  });
  families.insert(T::index_families.begin(), T::index_families.end());
  if constexpr (Sequenced<R>) {
    std::string sequence(T::sequence);
    if (stored_sequence(store, sequence) < max_number)
      problems.push_back("the " + sequence + " sequence is behind a stored " + sequence);
  }
}

// Every row of `families` is expected, and every expected row is there.
void match_rows(const Store& store, IndexRows expected, const std::set<Family>& families,
                std::vector<std::string>& problems) {
  for (Family f : families) {
    store.scan(f, "", [&](std::string_view key, std::string_view) {
      if (expected.erase({f, std::string(key)}) == 0)
        problems.push_back(std::string(family_name(f)) + ": a row points at no matching record");
      return true;
    });
  }
  for (const auto& [f, key] : expected)
    problems.push_back(std::string(family_name(f)) + ": a record lacks its row");
}

}  // namespace

std::vector<std::string> Repositories::check() const {
  std::vector<std::string> problems;
  IndexRows expected;
  std::set<Family> families = {Family::escalation_events, Family::program_health};
  for_each_record_type([&]<class R>() { check_records<R>(store_, expected, families, problems); });
  stored_escalation_rows(store_, [&](IndexRow row) { expected.insert(std::move(row)); });
  latest_statuses(store_, [&](std::string_view program, std::string_view status) {
    expected.insert({Family::program_health, health_key(health_rank(status), program)});
  });
  match_rows(store_, std::move(expected), families, problems);
  std::map<RiskStatus, RiskCells> cells;
  store_.scan(Family::risks, "", [&](std::string_view, std::string_view value) {
    if (auto r = parse_record<Risk>(value)) {
      ++cells[r->status][static_cast<std::size_t>(std::clamp(r->likelihood, 1, 5) - 1)]
             [static_cast<std::size_t>(std::clamp(r->impact, 1, 5) - 1)];
    }
    return true;
  });
  for (auto status : risk_statuses) {
    if (risk_cells(status) != cells[status])
      problems.push_back("risk counters: the " + std::string(status_name(status)) +
                         " risks are not counted as stored");
  }
  search_.check(problems);
  std::set<std::uint64_t> surveys;
  for (const auto& s : all<Survey>()) surveys.insert(s.number);
  store_.scan(Family::votes, "", [&](std::string_view key, std::string_view) {
    KeyReader r(key);
    auto number = r.u64();
    if (!number || !surveys.contains(*number))
      problems.emplace_back("votes: a vote points at no survey");
    return true;
  });
  return problems;
}

}  // namespace itpm::storage
