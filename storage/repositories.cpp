#include "storage/repositories.hpp"

#include "storage/key_codec.hpp"

#include <algorithm>
#include <set>

namespace itpm::storage {
namespace {

using nlohmann::json;

constexpr std::uint64_t all_ones = ~std::uint64_t{0};

const std::string& settings_key() {
  static const std::string key = KeyBuilder().str("settings").done();
  return key;
}

// Open milestones or actions from their index (due, number, program), soonest first: of
// `program` unless empty, due before `due_before` unless empty, those `keep` accepts if given
// (then each is read). Those in `window` are read and returned; `total` counts them all.
template <class R>
std::vector<R> open_by_due(const Repositories& repos, Family index, std::string_view due_before,
                           std::string_view program, Window window, std::size_t* total,
                           const std::function<bool(const R&)>& keep) {
  std::vector<R> out;
  std::size_t count = 0;
  repos.store().scan(index, "", [&](std::string_view key, std::string_view) {
    KeyReader r(key);
    auto due = r.str();
    auto number = r.u64();
    auto of = r.str();
    if (!of) return true;
    if (!due_before.empty() && *due >= due_before) return false;
    if (!program.empty() && *of != program) return true;
    std::optional<R> item;
    if (keep) {
      item = repos.find<R>(*number);
      if (!item || !keep(*item)) return true;
    }
    if (!window.shows(count++)) return true;
    if (!item) item = repos.find<R>(*number);
    if (item) out.push_back(std::move(*item));
    return true;
  });
  if (total != nullptr) *total = count;
  return out;
}

}  // namespace

void Repositories::append_audit(Batch& batch, const std::string& item, json before, json after,
                                const Change& change, const std::string& note) {
  json entry = {{"v", record_format_version},
                {"item", item},
                {"by", change.by},
                {"at", change.at},
                {"action", change.action},
                {"after", std::move(after)},
                {"before", std::move(before)}};
  if (!note.empty()) entry["note"] = note;
  std::uint64_t sequence = store_.next_sequence("audit", batch);
  for (const auto& row : escalation_rows(sequence, entry)) batch.put(row.first, row.second, "");
  batch.put(Family::audit, KeyBuilder().str(item).u64(sequence).done(), entry.dump());
}

std::shared_ptr<const std::vector<Risk>> Repositories::risks_of_program(
    std::string_view program) const {
  // Lists and agendas ask for the same program's risks over and over between writes: the
  // answer is kept until the next write to the risks family (index rows change only with it).
  // Under a ReadView, version() is the view's: a kept answer of that version is what the view
  // sees, and one computed under the view is kept only while no write came since.
  std::uint64_t version = store_.version(Family::risks);
  bool keep = version == store_.current_version(Family::risks);
  {
    std::lock_guard lock(program_risks_mutex_);
    if (program_risks_.version == version) {
      if (auto it = program_risks_.by_program.find(program); it != program_risks_.by_program.end())
        return it->second;
    }
  }
  auto out = std::make_shared<std::vector<Risk>>();
  store_.scan(Family::risks_by_program, KeyBuilder().str(program).done(),
              [&](std::string_view key, std::string_view) {
                KeyReader r(key);
                (void)r.str();
                (void)r.u8();
                if (auto number = r.u64()) {
                  if (auto risk = find<Risk>(*number)) out->push_back(std::move(*risk));
                }
                return true;
              });
  if (!keep) return out;
  std::lock_guard lock(program_risks_mutex_);
  if (program_risks_.version != version || program_risks_.by_program.size() >= 64) {
    program_risks_.by_program.clear();
    program_risks_.version = version;
  }
  program_risks_.by_program.insert_or_assign(std::string(program), out);
  return out;
}

std::vector<Decision> Repositories::decisions(const DecisionFilter& filter, Window window,
                                              std::size_t* total) const {
  Family family = Family::decisions_by_date;
  std::string prefix;
  if (!filter.by.empty()) {
    family = Family::decisions_by_person;
    prefix = KeyBuilder().str(filter.by).done();
  } else if (!filter.program.empty()) {
    family = Family::decisions_by_program;
    prefix = KeyBuilder().str(filter.program).done();
  } else if (!filter.tag.empty()) {
    family = Family::decisions_by_tag;
    prefix = KeyBuilder().str(filter.tag).done();
  }
  std::vector<Decision> out;
  std::size_t matched = 0;
  store_.scan(family, prefix, [&](std::string_view key, std::string_view) {
    KeyReader r(key.substr(prefix.size()));
    auto when = r.u64();
    auto order = r.u64();
    if (!when || !order) return true;
    auto days = static_cast<std::int64_t>(all_ones - *when);
    if (filter.until_days != 0 && days > filter.until_days) return true;
    if (filter.since_days != 0 && days < filter.since_days) return false;  // newest first: done
    // With no filter that needs the decision itself, one outside the window is counted from
    // its index row alone: nothing about it is read.
    bool needs_record = (!filter.tag.empty() && family != Family::decisions_by_tag) ||
                        (!filter.program.empty() && family != Family::decisions_by_program);
    if (!needs_record && !window.shows(matched)) {
      ++matched;
      return true;
    }
    auto d = find<Decision>(all_ones - *order);
    if (!d) return true;
    if (!filter.program.empty() && d->program != filter.program) return true;
    if (!filter.tag.empty() &&
        std::find(d->tags.begin(), d->tags.end(), filter.tag) == d->tags.end())
      return true;
    if (!filter.by.empty() &&
        std::find(d->decided_by.begin(), d->decided_by.end(), filter.by) == d->decided_by.end() &&
        d->created_by != filter.by) {
      return true;
    }
    if (window.shows(matched++)) out.push_back(std::move(*d));
    return true;
  });
  if (total != nullptr) *total = matched;
  return out;
}

std::size_t Repositories::count_events(Family family, std::string_view program, std::uint8_t event,
                                       std::int64_t since_ms) const {
  return event_numbers(family, program, event, since_ms).size();
}

std::set<std::uint64_t> Repositories::event_numbers(Family family, std::string_view program,
                                                    std::uint8_t event,
                                                    std::int64_t since_ms) const {
  std::string prefix = KeyBuilder().str(program).u8(event).done();
  std::set<std::uint64_t> items;
  // Newest first, until the period's start.
  store_.scan(
      family, prefix,
      [&](std::string_view key, std::string_view) {
        KeyReader r(key.substr(prefix.size()));
        auto at = r.u64();
        auto number = r.u64();
        if (!at || !number) return true;
        if (static_cast<std::int64_t>(*at) < since_ms) return false;
        items.insert(*number);
        return true;
      },
      true);
  return items;
}

void Repositories::risks_by_score(bool closed,
                                  const std::function<bool(const RankedRisk&)>& visit) const {
  store_.scan(Family::risks_by_score, KeyBuilder().u8(closed ? 1 : 0).done(),
              [&](std::string_view key, std::string_view) {
                KeyReader r(key);
                (void)r.u8();
                (void)r.u8();
                auto number = r.u64();
                auto likelihood = r.u8();
                auto impact = r.u8();
                auto status = r.u8();
                auto level = r.u8();
                if (!level || *status > static_cast<std::uint8_t>(RiskStatus::closed)) return true;
                return visit(RankedRisk{*number, *likelihood, *impact,
                                        static_cast<RiskStatus>(*status), *level});
              });
}

std::vector<Milestone> Repositories::open_milestones(std::string_view due_before,
                                                     std::string_view program, Window window,
                                                     std::size_t* total) const {
  return open_by_due<Milestone>(*this, Family::open_milestones_by_due, due_before, program, window,
                                total, {});
}

void Repositories::work_by_day(std::uint8_t kind, std::string_view first, std::string_view last,
                               const std::function<void(const WorkDay&)>& visit) const {
  std::string from = KeyBuilder().u8(kind).str(first).done();
  std::string to = prefix_successor(KeyBuilder().u8(kind).str(last).done());
  store_.scan_range(Family::work_by_day, from, to, [&](std::string_view key, std::string_view) {
    KeyReader r(key);
    (void)r.u8();
    WorkDay row;
    auto day = r.str();
    if (!day) return true;
    row.day = *day;
    if (kind != day_severe_action_due) row.flag = r.u8().value_or(0);
    if (kind == day_action_due) row.done_on = r.str().value_or("");
    row.number = r.u64().value_or(0);
    visit(row);
    return true;
  });
}

void Repositories::programs_closed(
    std::int64_t from_ms, std::int64_t to_ms,
    const std::function<void(std::int64_t, std::string_view, std::string_view)>& visit) const {
  store_.scan_range(Family::work_by_day,
                    KeyBuilder().u8(time_program_closed).u64(time_key(from_ms)).done(),
                    KeyBuilder().u8(time_program_closed).u64(time_key(to_ms)).done(),
                    [&](std::string_view key, std::string_view) {
                      KeyReader r(key);
                      (void)r.u8();
                      auto at = r.u64();
                      auto due = r.str();
                      auto program = r.str();
                      if (due && program) visit(static_cast<std::int64_t>(*at), *due, *program);
                      return true;
                    });
}

void Repositories::programs_by_health(
    std::uint8_t rank, const std::function<bool(std::string_view program)>& visit) const {
  store_.scan(Family::program_health, KeyBuilder().u8(rank).done(),
              [&](std::string_view key, std::string_view) {
                KeyReader r(key);
                (void)r.u8();
                auto program = r.str();
                if (!program) return true;
                if (!store_.get(Family::open_programs, KeyBuilder().str(*program).done()))
                  return true;  // closed
                return visit(*program);
              });
}

std::size_t Repositories::open_work_of(
    std::string_view owner, std::uint8_t kind, std::size_t limit,
    const std::function<void(std::uint64_t number)>& visit) const {
  std::size_t total = 0;
  store_.scan(Family::open_work_by_owner, KeyBuilder().str(owner).u8(kind).done(),
              [&](std::string_view key, std::string_view) {
                KeyReader r(key);
                (void)r.str();
                (void)r.u8();
                (void)r.u8();
                (void)r.str();
                auto number = r.u64();
                if (number && ++total <= limit) visit(*number);
                return true;
              });
  return total;
}

void Repositories::owned_risks(
    std::string_view owner,
    const std::function<bool(std::uint64_t number, int score, RiskStatus status)>& visit) const {
  store_.scan(Family::open_work_by_owner, KeyBuilder().str(owner).u8(owned_risk).done(),
              [&](std::string_view key, std::string_view) {
                KeyReader r(key);
                (void)r.str();
                (void)r.u8();
                auto rank = r.u8();
                auto status = r.str();
                auto number = r.u64();
                if (!rank || !status || !number) return true;
                auto parsed = json(std::string(*status)).get<RiskStatus>();
                return visit(*number, 25 - *rank, parsed);
              });
}

void Repositories::programs_run_by(
    std::string_view person,
    const std::function<void(std::string_view program, bool sponsor)>& visit) const {
  store_.scan(Family::open_work_by_owner, KeyBuilder().str(person).u8(owned_program).done(),
              [&](std::string_view key, std::string_view) {
                KeyReader r(key);
                (void)r.str();
                (void)r.u8();
                auto role = r.u8();
                auto program = r.str();
                if (role && program) visit(*program, *role == 1);
                return true;
              });
}

void Repositories::open_programs(const std::function<bool(std::string_view program)>& visit) const {
  store_.scan(Family::open_programs, "", [&](std::string_view key, std::string_view) {
    KeyReader r(key);
    auto program = r.str();
    return !program || visit(*program);
  });
}

namespace {

// The (need-by, number) of the open_dependencies rows of `scope` (and `program`, for a
// program's scopes), soonest first: keys alone.
using DependencyKey = std::pair<std::string, std::uint64_t>;
void dependency_keys(const Store& store, std::uint8_t scope, std::string_view program,
                     const std::function<bool(DependencyKey)>& visit) {
  KeyBuilder prefix;
  prefix.u8(scope);
  if (scope != dependencies_all) prefix.str(program);
  std::string from = prefix.done();
  store.scan(Family::open_dependencies, from, [&](std::string_view key, std::string_view) {
    KeyReader r(key);
    (void)r.u8();
    if (scope != dependencies_all) (void)r.str();
    auto need_by = r.str();
    auto number = r.u64();
    return !need_by || !number || visit({std::string(*need_by), *number});
  });
}

}  // namespace

std::vector<Dependency> Repositories::open_dependencies(std::string_view program, Window window,
                                                        std::size_t* total) const {
  std::vector<DependencyKey> keys;
  auto keep = [&](DependencyKey key) {
    keys.push_back(std::move(key));
    return true;
  };
  if (program.empty()) {
    dependency_keys(store_, dependencies_all, "", keep);
  } else {
    // Those the program needs and those it is needed for, merged by need-by date.
    dependency_keys(store_, dependencies_of, program, keep);
    dependency_keys(store_, dependencies_on, program, keep);
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  }
  std::vector<Dependency> out;
  for (std::size_t i = window.skip; i < keys.size() && i < window.end(); ++i) {
    if (auto d = find<Dependency>(keys[i].second)) out.push_back(std::move(*d));
  }
  if (total != nullptr) *total = keys.size();
  return out;
}

std::vector<Dependency> Repositories::open_dependencies_of(std::string_view program, Window window,
                                                           std::size_t* total) const {
  std::vector<Dependency> out;
  std::size_t count = 0;
  dependency_keys(store_, dependencies_of, program, [&](const DependencyKey& key) {
    if (!window.shows(count++)) return true;
    if (auto d = find<Dependency>(key.second)) out.push_back(std::move(*d));
    return true;
  });
  if (total != nullptr) *total = count;
  return out;
}

void Repositories::open_dependencies_on(std::string_view program,
                                        const std::function<void(const Dependency&)>& visit) const {
  dependency_keys(store_, dependencies_on, program, [&](const DependencyKey& key) {
    if (auto d = find<Dependency>(key.second)) visit(*d);
    return true;
  });
}

void Repositories::program_keys(std::string_view prefix,
                                const std::function<bool(std::string_view program)>& visit) const {
  store_.scan(Family::programs, prefix,
              [&](std::string_view key, std::string_view) { return visit(key); });
}

std::size_t Repositories::count_open_programs() const {
  std::size_t count = 0;
  open_programs([&](std::string_view) {
    ++count;
    return true;
  });
  return count;
}

Repositories::RiskCells Repositories::risk_cells(RiskStatus status) const {
  RiskCells cells{};
  for (int l = 1; l <= 5; ++l) {
    for (int i = 1; i <= 5; ++i) {
      cells[static_cast<std::size_t>(l - 1)][static_cast<std::size_t>(i - 1)] =
          store_.counter(risk_cell_counter(status, l, i));
    }
  }
  return cells;
}

void Repositories::rewrite_risk_cells() {
  std::map<std::string, std::int64_t> counts;
  for (auto status : risk_statuses) {
    for (int l = 1; l <= 5; ++l) {
      for (int i = 1; i <= 5; ++i) counts[risk_cell_counter(status, l, i)] = 0;
    }
  }
  store_.scan(Family::risks, "", [&](std::string_view, std::string_view value) {
    if (auto r = parse_record<Risk>(value))
      ++counts[risk_cell_counter(r->status, r->likelihood, r->impact)];
    return true;
  });
  Batch batch;
  for (const auto& [name, count] : counts) batch.set_counter(name, count);
  if (auto r = store_.commit(std::move(batch)); !r)
    throw StoreError("cannot write the risk counters: " + r.error);
}

void Repositories::rewrite_health_rows() {
  Batch batch;
  auto flush = [&] {
    if (auto r = store_.commit(std::move(batch)); !r)
      throw StoreError("cannot write the programs' health rows: " + r.error);
    batch = Batch();
  };
  latest_statuses(store_, [&](std::string_view program, std::string_view status) {
    write_health(batch, program, status);
    if (batch.size() >= 5000) flush();
  });
  flush();
}

std::size_t Repositories::count_on_ladder() const {
  std::size_t count = 0;
  store_.scan(Family::risks_on_ladder, "", [&](std::string_view, std::string_view) {
    ++count;
    return true;
  });
  return count;
}

std::size_t Repositories::count_escalations(std::uint8_t event, std::int64_t from_ms,
                                            std::int64_t to_ms) const {
  std::size_t count = 0;
  store_.scan_range(Family::escalation_events, KeyBuilder().u8(event).u64(time_key(from_ms)).done(),
                    KeyBuilder().u8(event).u64(time_key(to_ms)).done(),
                    [&](std::string_view, std::string_view) {
                      ++count;
                      return true;
                    });
  return count;
}

std::vector<Action> Repositories::open_actions(
    std::string_view due_before, std::string_view program, Window window, std::size_t* total,
    const std::function<bool(const Action&)>& keep) const {
  return open_by_due<Action>(*this, Family::open_actions_by_due, due_before, program, window, total,
                             keep);
}

std::vector<Vote> Repositories::votes(std::uint64_t survey) const {
  return all_under<Vote>(KeyBuilder().u64(survey).done());
}

std::vector<StatusUpdate> Repositories::status_updates(
    std::string_view program, std::size_t limit,
    const std::function<bool(const StatusUpdate&)>& last) const {
  std::vector<StatusUpdate> out;
  if (limit == 0) return out;
  store_.scan(Family::status_updates, KeyBuilder().str(program).done(),
              [&](std::string_view, std::string_view value) {
                auto u = decode_record<StatusUpdate>(value);
                if (!u) return true;
                bool stop = last && last(*u);
                out.push_back(std::move(*u));
                return !stop && out.size() < limit;
              });
  return out;
}

std::vector<AuditEntry> Repositories::audit(std::string_view item) const {
  std::vector<AuditEntry> out;
  store_.scan(Family::audit, KeyBuilder().str(item).done(),
              [&](std::string_view, std::string_view value) {
                auto j = json::parse(value, nullptr, false);
                if (j.is_discarded()) return true;
                AuditEntry entry;
                entry.item = j.value("item", "");
                entry.by = j.value("by", "");
                entry.at = j.value("at", std::int64_t{0});
                entry.action = j.value("action", "");
                entry.before = j.value("before", json());
                entry.after = j.value("after", json());
                entry.note = j.value("note", "");
                out.push_back(std::move(entry));
                return true;
              });
  return out;
}

void Repositories::note(Batch& batch, const std::string& item, const Change& change,
                        const std::string& note) {
  append_audit(batch, item, nullptr, nullptr, change, note);
}

namespace {

std::string told_key(std::string_view channel, std::string_view user) {
  return KeyBuilder().str("told").str(channel).str(user).done();
}

}  // namespace

bool Repositories::told_about(std::string_view channel, std::string_view user,
                              std::int64_t day) const {
  return store_.get(Family::meta, told_key(channel, user)) == std::to_string(day);
}

void Repositories::mark_told(Batch& batch, std::string_view channel, std::string_view user,
                             std::int64_t day) {
  batch.put(Family::meta, told_key(channel, user), std::to_string(day));
}

namespace {

json settings_of(const std::optional<std::string>& raw) {
  if (!raw) return json::object();
  auto j = json::parse(*raw, nullptr, false);
  return j.is_object() ? j : json::object();
}

}  // namespace

json stored_settings(const Store& store) {
  return settings_of(store.get(Family::meta, settings_key()));
}

std::vector<Allocation> Repositories::allocations_of(std::string_view user) const {
  return all_under<Allocation>(KeyBuilder().str(user).done());
}

std::vector<Availability> Repositories::availability_of(std::string_view month) const {
  return all_under<Availability>(KeyBuilder().str(month).done());
}

std::vector<Holiday> Repositories::holidays_of(std::string_view program) const {
  return all_under<Holiday>(KeyBuilder().str(program).done());
}

std::string Repositories::claim(Batch& batch, std::string_view name, std::string_view key,
                                std::string_view value, const std::string& item) const {
  std::string guard = KeyBuilder().str("guard").str(name).str(key).done();
  auto raw = store_.get(Family::meta, guard);
  if (auto* reads = ReadSet::active()) reads->note(Family::meta, guard, raw, item);
  batch.put(Family::meta, guard, value);
  return raw.value_or("");
}

namespace {

const std::string& dashboard_key_key() {
  static const std::string key = KeyBuilder().str("dashboard_key").done();
  return key;
}

}  // namespace

std::optional<std::string> Repositories::dashboard_key() const {
  return store_.get(Family::meta, dashboard_key_key());
}

void Repositories::set_dashboard_key(Batch& batch, std::string_view key) {
  batch.put(Family::meta, dashboard_key_key(), key);
}

json Repositories::settings() const {
  // Every command reads them (its context's policy): the last read is kept until the next
  // write to the meta family, as risks_of_program keeps its answers.
  std::uint64_t version = store_.version(Family::meta);
  std::shared_ptr<const KeptSettings> kept;
  {
    std::lock_guard lock(settings_mutex_);
    if (settings_ && settings_->version == version) kept = settings_;
  }
  if (!kept) {
    auto raw = store_.get(Family::meta, settings_key());
    auto value = settings_of(raw);
    kept = std::make_shared<const KeptSettings>(KeptSettings{version, std::move(raw), value});
    if (version == store_.current_version(Family::meta)) {
      std::lock_guard lock(settings_mutex_);
      settings_ = kept;
    }
  }
  if (auto* reads = ReadSet::active())
    reads->note(Family::meta, settings_key(), kept->raw, "config");
  return kept->value;
}

void Repositories::save_settings(Batch& batch, const json& after, const json& before,
                                 const Change& change) {
  batch.put(Family::meta, settings_key(), after.dump());
  append_audit(batch, "config", before, after, change);
}

void Repositories::restore_settings(Batch& batch, const json& settings) {
  batch.put(Family::meta, settings_key(), settings.dump());
}

}  // namespace itpm::storage
