#pragma once
// One description per record type: its column family, its key, its index rows, its id and
// the sequence its numbers come from. The repositories, export, import and the integrity
// check are generic over these descriptions and over RecordTypes, the list of every type.
//
// Adding a record type: the struct and its JSON in records.hpp/.cpp, a Family (appended),
// a RecordTraits specialization here, and the type in RecordTypes.

#include "storage/key_codec.hpp"
#include "storage/records.hpp"
#include "storage/store.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace itpm::storage {

// A row of a secondary index: a key with an empty value in an index family.
using IndexRow = std::pair<Family, std::string>;
using IndexRows = std::set<IndexRow>;

template <class R>
struct RecordTraits;

// "R-12" for a numbered record type's number.
template <class R>
std::string item_id(std::uint64_t number) {
  return std::string(1, RecordTraits<R>::prefix) + "-" + std::to_string(number);
}

// A time (ms since the Unix epoch) as a key part: times before the epoch sort as the epoch.
inline std::uint64_t time_key(std::int64_t at_ms) {
  return static_cast<std::uint64_t>(std::max<std::int64_t>(at_ms, 0));
}

// What happened to a program's items and when (risk_events, milestone_events): a row per
// event, so a report counts a period's events from index rows alone.
inline constexpr std::uint8_t risk_opened = 0;
inline constexpr std::uint8_t risk_closed = 1;
inline constexpr std::uint8_t risk_escalated = 2;  // onto the ladder (from the audit log)
inline constexpr std::uint8_t milestone_done = 0;
inline constexpr std::uint8_t milestone_slipped = 1;
inline std::string event_key(std::string_view program, std::uint8_t event, std::int64_t at_ms,
                             std::uint64_t number) {
  return KeyBuilder().str(program).u8(event).u64(time_key(at_ms)).u64(number).done();
}

// What the kpi counts for a quarter, by day (work_by_day): a row per milestone done and per
// corrective action closed (with whether it was on time), per action by its due date (with
// its state then), per open S1/S2 action by its due date; and per program closed with a due
// date, by when (the day it closed depends on the zone the kpi is read in).
inline constexpr std::uint8_t day_milestone_done = 0;     // done_on, on time?, number
inline constexpr std::uint8_t day_action_closed = 1;      // done_on, met its due date?, number
inline constexpr std::uint8_t day_action_due = 2;         // due, state, done_on, number
inline constexpr std::uint8_t day_severe_action_due = 3;  // due, number (open S1/S2 only)
inline constexpr std::uint8_t time_program_closed = 4;    // closed_at ms, due, key
inline constexpr std::uint8_t action_open = 0;            // an action_due row's state
inline constexpr std::uint8_t action_done_in_time = 1;
inline constexpr std::uint8_t action_done_late = 2;

// Risks moved onto the ladder (level 0 to more) or off it, by when (escalation_events), and
// each move onto it under the risk's program (risk_events, risk_escalated): kept from the
// audit log, since a risk's record holds only its current ladder run.
inline constexpr std::uint8_t escalation_raised = 0;
inline constexpr std::uint8_t escalation_resolved = 1;
inline std::vector<IndexRow> escalation_rows(std::uint64_t audit_sequence,
                                             const nlohmann::json& entry) {
  auto level = [&](const char* side) {
    auto it = entry.find(side);
    if (it == entry.end() || !it->is_object()) return 0;
    auto l = it->find("escalation_level");
    return l != it->end() && l->is_number_integer() ? l->get<int>() : 0;
  };
  auto item = entry.find("item");
  auto at = entry.find("at");
  if (item == entry.end() || !item->is_string() || !item->get<std::string>().starts_with("R-") ||
      at == entry.end() || !at->is_number_integer())
    return {};
  int before = level("before");
  int after = level("after");
  if ((before == 0) == (after == 0)) return {};
  std::int64_t at_ms = at->get<std::int64_t>();
  std::vector<IndexRow> rows = {
      {Family::escalation_events, KeyBuilder()
                                      .u8(after > 0 ? escalation_raised : escalation_resolved)
                                      .u64(time_key(at_ms))
                                      .u64(audit_sequence)
                                      .done()}};
  if (after == 0) return rows;
  // level("after") > 0: "after" is an object.
  const auto& raised = *entry.find("after");
  auto program = raised.find("program");
  auto number = raised.find("number");
  if (program != raised.end() && program->is_string() && number != raised.end() &&
      number->is_number_unsigned()) {
    rows.push_back({Family::risk_events, event_key(program->get<std::string>(), risk_escalated,
                                                   at_ms, number->get<std::uint64_t>())});
  }
  return rows;
}

// The escalation rows of every stored audit entry that moved a risk on or off the ladder (for
// the migration that writes them and the check that expects them).
inline void stored_escalation_rows(const Store& store, const std::function<void(IndexRow)>& visit) {
  // Audit keys are item, sequence; a risk's item is "R-<number>".
  store.scan(Family::audit, "R-", [&](std::string_view key, std::string_view value) {
    KeyReader r(key);
    (void)r.str();
    auto sequence = r.u64();
    auto entry = nlohmann::json::parse(value, nullptr, false);
    if (sequence && !entry.is_discarded()) {
      for (auto& row : escalation_rows(*sequence, entry)) visit(std::move(row));
    }
    return true;
  });
}

// Each program's latest status (program_health): the rank of the status (red, amber, green,
// anything else), then the program, so a report finds the red and amber programs first.
inline std::uint8_t health_rank(std::string_view status) {
  return status == "red" ? 0 : status == "amber" ? 1 : status == "green" ? 2 : 3;
}
inline constexpr std::uint8_t health_ranks = 4;
inline std::string health_key(std::uint8_t rank, std::string_view program) {
  return KeyBuilder().u8(rank).str(program).done();
}
// Makes `status` the program's one health row: the rows of the other ranks are removed.
inline void write_health(Batch& batch, std::string_view program, std::string_view status) {
  auto rank = health_rank(status);
  for (std::uint8_t r = 0; r < health_ranks; ++r) {
    if (r == rank) {
      batch.put(Family::program_health, health_key(r, program), "");
    } else {
      batch.remove(Family::program_health, health_key(r, program));
    }
  }
}

// Each program's latest stored status update (status_updates keys are program, newest first).
inline void latest_statuses(
    const Store& store,
    const std::function<void(std::string_view program, std::string_view status)>& visit) {
  std::string last_program;
  store.scan(Family::status_updates, "", [&](std::string_view key, std::string_view value) {
    KeyReader r(key);
    auto program = r.str();
    if (!program || *program == last_program) return true;
    last_program = std::string(*program);
    auto update = nlohmann::json::parse(value, nullptr, false);
    if (update.is_object() && update.contains("status") && update["status"].is_string())
      visit(*program, update["status"].get<std::string>());
    return true;
  });
}

// How many risks have each status, likelihood and impact (a counter each, kept with every
// change), so a heat map or a whole register's count reads 100 counters, not every risk.
inline std::string risk_cell_counter(RiskStatus status, int likelihood, int impact) {
  return "risks " + std::to_string(static_cast<int>(status)) + " " +
         std::to_string(std::clamp(likelihood, 1, 5)) + " " +
         std::to_string(std::clamp(impact, 1, 5));
}

// Surveys were Q-<n> before schema 5: the audit item such an id is filed under now (S-<n>),
// or the item itself.
inline std::string current_audit_item(std::string item) {
  if (item.size() > 2 && item.starts_with("Q-") &&
      item.find_first_not_of("0123456789", 2) == std::string::npos)
    item[0] = 'S';
  return item;
}

// The kinds of open work in open_work_by_owner, in the order a person's list shows them.
inline constexpr std::uint8_t owned_risk = 0;
inline constexpr std::uint8_t owned_action = 1;
inline constexpr std::uint8_t owned_milestone = 2;
// An open program its owner (rank 0) or sponsor (rank 1) runs: the program's key is in the
// due date's place, the number is 0.
inline constexpr std::uint8_t owned_program = 3;

// A person's open item in open_work_by_owner: owner, kind, rank (a risk's 25 - score), due
// date (actions and milestones; a risk's status word since schema 7), number. A person's
// risks come highest score first, their actions and milestones soonest due first.
inline std::pair<Family, std::string> owned_row(std::string_view owner, std::uint8_t kind,
                                                std::uint8_t rank, std::string_view due,
                                                std::uint64_t number) {
  return {Family::open_work_by_owner,
          KeyBuilder().str(owner).u8(kind).u8(rank).str(due).u64(number).done()};
}

// The scopes of open_dependencies rows: every open dependency (need-by, number), those of a
// program (program, need-by, number) and those on a program (that program, need-by, number).
inline constexpr std::uint8_t dependencies_all = 0;
inline constexpr std::uint8_t dependencies_of = 1;
inline constexpr std::uint8_t dependencies_on = 2;

// A record type without secondary index rows (traits that have some declare their own).
template <class R>
struct Unindexed {
  static IndexRows index_rows(const R&) { return {}; }
  static constexpr std::array<Family, 0> index_families{};
};

// What the numbered records (R-12, D-7, ...) share: keyed by their number, filed in the audit
// log under their id.
template <class R>
struct NumberedTraits : Unindexed<R> {
  static std::string key(std::uint64_t number) { return KeyBuilder().u64(number).done(); }
  static std::string key(const R& r) { return key(r.number); }
  static std::uint64_t number(const R& r) { return r.number; }
  static std::string audit_item(const R& r) { return item_id<R>(r.number); }
};

template <>
struct RecordTraits<Program> {
  static constexpr Family family = Family::programs;
  static constexpr std::string_view plural = "programs";
  static std::string key(std::string_view program_key) { return std::string(program_key); }
  static std::string key(const Program& p) { return p.key; }
  static std::string audit_item(const Program& p) { return p.key; }
  // The open ones; closed ones with a due date, by when they closed (for the kpi).
  static IndexRows index_rows(const Program& p) {
    if (p.status != ProgramStatus::closed) {
      IndexRows rows = {{Family::open_programs, KeyBuilder().str(p.key).done()}};
      if (!p.owner.empty()) rows.insert(owned_row(p.owner, owned_program, 0, p.key, 0));
      if (!p.sponsor.empty()) rows.insert(owned_row(p.sponsor, owned_program, 1, p.key, 0));
      return rows;
    }
    if (p.due.empty() || p.closed_at == 0) return {};
    return {{Family::work_by_day, KeyBuilder()
                                      .u8(time_program_closed)
                                      .u64(time_key(p.closed_at))
                                      .str(p.due)
                                      .str(p.key)
                                      .done()}};
  }
  static constexpr std::array index_families{Family::open_programs, Family::work_by_day,
                                             Family::open_work_by_owner};
};

template <>
struct RecordTraits<Risk> : NumberedTraits<Risk> {
  static constexpr Family family = Family::risks;
  static constexpr std::string_view plural = "risks";
  static constexpr std::string_view sequence = "risk";
  static constexpr char prefix = 'R';
  // A program's risks by score, highest first: program, 25 - score, number. Every program's,
  // the closed ones after the rest: closed?, 25 - score, number, likelihood, impact, status,
  // ladder level (a heat map or a count reads keys alone). And when each was opened and
  // closed, for report periods: program, event, ms, number. And those on the ladder.
  static IndexRows index_rows(const Risk& r) {
    auto rank = static_cast<std::uint8_t>(25 - std::clamp(r.score(), 0, 25));
    auto small = [](int v) { return static_cast<std::uint8_t>(std::clamp(v, 0, 255)); };
    IndexRows rows = {
        {Family::risks_by_program, KeyBuilder().str(r.program).u8(rank).u64(r.number).done()},
        {Family::risks_by_score, KeyBuilder()
                                     .u8(r.status == RiskStatus::closed ? 1 : 0)
                                     .u8(rank)
                                     .u64(r.number)
                                     .u8(small(r.likelihood))
                                     .u8(small(r.impact))
                                     .u8(static_cast<std::uint8_t>(r.status))
                                     .u8(small(r.escalation_level))
                                     .done()},
        {Family::risk_events, event_key(r.program, risk_opened, r.created_at, r.number)}};
    if (r.status == RiskStatus::closed)
      rows.insert({Family::risk_events, event_key(r.program, risk_closed, r.closed_at, r.number)});
    if (r.on_ladder()) rows.insert({Family::risks_on_ladder, KeyBuilder().u64(r.number).done()});
    if (r.status != RiskStatus::closed && !r.owner.empty())
      rows.insert(owned_row(r.owner, owned_risk, rank, status_name(r.status), r.number));
    return rows;
  }
  static constexpr std::array index_families{Family::risks_by_program, Family::risks_by_score,
                                             Family::risk_events, Family::risks_on_ladder,
                                             Family::open_work_by_owner};
  // Moves the risk between the counters of its status, likelihood and impact.
  static void after_write(Batch& batch, const Risk* before, const Risk& after) {
    auto cell = risk_cell_counter(after.status, after.likelihood, after.impact);
    if (before != nullptr) {
      auto was = risk_cell_counter(before->status, before->likelihood, before->impact);
      if (was == cell) return;
      batch.add_to_counter(was, -1);
    }
    batch.add_to_counter(cell, 1);
  }
};

template <>
struct RecordTraits<Decision> : NumberedTraits<Decision> {
  static constexpr Family family = Family::decisions;
  static constexpr std::string_view plural = "decisions";
  static constexpr std::string_view sequence = "decision";
  static constexpr char prefix = 'D';
  // Newest first by decision date, then number: by program, by date, by tag and by person
  // (each decider and whoever recorded it).
  static IndexRows index_rows(const Decision& d);
  static constexpr std::array index_families{Family::decisions_by_program,
                                             Family::decisions_by_date, Family::decisions_by_tag,
                                             Family::decisions_by_person};
  // Keeps the search postings in step (decision_search.cpp); `before` null: a new decision.
  static void after_write(Batch& batch, const Decision* before, const Decision& after);
};

template <>
struct RecordTraits<Review> : NumberedTraits<Review> {
  static constexpr Family family = Family::reviews;
  static constexpr std::string_view plural = "reviews";
  static constexpr std::string_view sequence = "review";
  static constexpr char prefix = 'V';
};

template <>
struct RecordTraits<ReportSchedule> : NumberedTraits<ReportSchedule> {
  static constexpr Family family = Family::report_schedules;
  static constexpr std::string_view plural = "report_schedules";
  static constexpr std::string_view sequence = "report";
  static constexpr char prefix = 'P';
};

template <>
struct RecordTraits<Milestone> : NumberedTraits<Milestone> {
  static constexpr Family family = Family::milestones;
  static constexpr std::string_view plural = "milestones";
  static constexpr std::string_view sequence = "milestone";
  static constexpr char prefix = 'M';
  // When each was done and slipped, for report periods: program, event, ms, number. Open ones
  // by due date: due, number, program. Done ones by the day, for the kpi.
  static IndexRows index_rows(const Milestone& m) {
    IndexRows rows;
    if (m.status == WorkStatus::done) {
      rows.insert(
          {Family::milestone_events, event_key(m.program, milestone_done, m.done_at, m.number)});
      bool on_time = m.done_on <= (m.original_due.empty() ? m.due : m.original_due);
      rows.insert({Family::work_by_day, KeyBuilder()
                                            .u8(day_milestone_done)
                                            .str(m.done_on)
                                            .u8(on_time ? 1 : 0)
                                            .u64(m.number)
                                            .done()});
    } else {
      rows.insert({Family::open_milestones_by_due,
                   KeyBuilder().str(m.due).u64(m.number).str(m.program).done()});
      if (!m.owner.empty()) rows.insert(owned_row(m.owner, owned_milestone, 0, m.due, m.number));
    }
    for (const auto& slip : m.slips) {
      rows.insert(
          {Family::milestone_events, event_key(m.program, milestone_slipped, slip.at, m.number)});
    }
    return rows;
  }
  static constexpr std::array index_families{Family::milestone_events,
                                             Family::open_milestones_by_due, Family::work_by_day,
                                             Family::open_work_by_owner};
};

template <>
struct RecordTraits<Dependency> : NumberedTraits<Dependency> {
  static constexpr Family family = Family::dependencies;
  static constexpr std::string_view plural = "dependencies";
  static constexpr std::string_view sequence = "dependency";
  static constexpr char prefix = 'X';
  // The open ones by need-by date: every one, those of each program, and those on a program.
  static IndexRows index_rows(const Dependency& d) {
    if (d.status != DependencyStatus::open) return {};
    IndexRows rows = {
        {Family::open_dependencies,
         KeyBuilder().u8(dependencies_all).str(d.need_by).u64(d.number).done()},
        {Family::open_dependencies,
         KeyBuilder().u8(dependencies_of).str(d.program).str(d.need_by).u64(d.number).done()}};
    if (d.on_kind == "program") {
      rows.insert({Family::open_dependencies,
                   KeyBuilder().u8(dependencies_on).str(d.on).str(d.need_by).u64(d.number).done()});
    }
    return rows;
  }
  static constexpr std::array index_families{Family::open_dependencies};
};

template <>
struct RecordTraits<Action> : NumberedTraits<Action> {
  static constexpr Family family = Family::actions;
  static constexpr std::string_view plural = "actions";
  static constexpr std::string_view sequence = "action";
  static constexpr char prefix = 'A';
  // Open ones by due date (the day the SLO ends), soonest first: due, number, program. For the kpi,
  // by day: each by its due date with its state, the closed ones by the day they closed, the open
  // S1/S2 ones.
  static IndexRows index_rows(const Action& a) {
    bool done = a.status == WorkStatus::done;
    std::uint8_t state = !done                ? action_open
                         : a.done_on <= a.due ? action_done_in_time
                                              : action_done_late;
    IndexRows rows = {{Family::work_by_day, KeyBuilder()
                                                .u8(day_action_due)
                                                .str(a.due)
                                                .u8(state)
                                                .str(done ? a.done_on : "")
                                                .u64(a.number)
                                                .done()}};
    if (done) {
      rows.insert({Family::work_by_day, KeyBuilder()
                                            .u8(day_action_closed)
                                            .str(a.done_on)
                                            .u8(state == action_done_in_time ? 1 : 0)
                                            .u64(a.number)
                                            .done()});
      return rows;
    }
    rows.insert(
        {Family::open_actions_by_due, KeyBuilder().str(a.due).u64(a.number).str(a.program).done()});
    if (!a.owner.empty()) rows.insert(owned_row(a.owner, owned_action, 0, a.due, a.number));
    if (a.severity == "S1" || a.severity == "S2") {
      rows.insert({Family::work_by_day,
                   KeyBuilder().u8(day_severe_action_due).str(a.due).u64(a.number).done()});
    }
    return rows;
  }
  static constexpr std::array index_families{Family::open_actions_by_due, Family::work_by_day,
                                             Family::open_work_by_owner};
};

template <>
struct RecordTraits<Survey> : NumberedTraits<Survey> {
  static constexpr Family family = Family::surveys;
  static constexpr std::string_view plural = "surveys";
  static constexpr std::string_view sequence = "survey";
  static constexpr char prefix = 'S';  // Q before schema 5
};

// A person's share of a program; filed under the program, removed at 0 percent.
template <>
struct RecordTraits<Allocation> : Unindexed<Allocation> {
  static constexpr Family family = Family::allocations;
  static constexpr std::string_view plural = "allocations";
  static std::string key(std::string_view user, std::string_view program) {
    return KeyBuilder().str(user).str(program).done();
  }
  static std::string key(const Allocation& a) { return key(a.user, a.program); }
  static std::string audit_item(const Allocation& a) { return a.program; }
  static bool removed(const Allocation& a) { return a.percent <= 0; }
};

// One person's answer to a survey; audited under the survey as who voted, never the score.
template <>
struct RecordTraits<Vote> : Unindexed<Vote> {
  static constexpr Family family = Family::votes;
  static constexpr std::string_view plural = "votes";
  static std::string key(std::uint64_t survey, std::string_view user) {
    return KeyBuilder().u64(survey).str(user).done();
  }
  static std::string key(const Vote& v) { return key(v.survey, v.user); }
  static std::string audit_item(const Vote& v) { return item_id<Survey>(v.survey); }
  static std::pair<nlohmann::json, nlohmann::json> audited(const Vote* before, const Vote& after) {
    return {nullptr, {{"voter", after.user}, {"vote", before != nullptr ? "changed" : "cast"}}};
  }
};

// A program's status updates, newest first under the program; filed under the program. A new
// one is the program's latest status (program_health).
template <>
struct RecordTraits<StatusUpdate> : Unindexed<StatusUpdate> {
  static constexpr Family family = Family::status_updates;
  static constexpr std::string_view plural = "status_updates";
  static constexpr std::string_view sequence = "status";
  static std::string key(const StatusUpdate& u) {
    return KeyBuilder().str(u.program).u64(~std::uint64_t{0} - u.number).done();
  }
  static std::uint64_t number(const StatusUpdate& u) { return u.number; }
  static std::string audit_item(const StatusUpdate& u) { return u.program; }
  static void after_write(Batch& batch, const StatusUpdate*, const StatusUpdate& after) {
    write_health(batch, after.program, after.status);
  }
};

// A non-working day, filed under its program ("" for the workspace) and day.
template <>
struct RecordTraits<Holiday> : Unindexed<Holiday> {
  static constexpr Family family = Family::holidays;
  static constexpr std::string_view plural = "holidays";
  static std::string key(std::string_view program, std::string_view day) {
    return KeyBuilder().str(program).str(day).done();
  }
  static std::string key(const Holiday& h) { return key(h.program, h.day); }
  static std::string audit_item(const Holiday& h) {
    return h.program.empty() ? "holidays" : h.program;
  }
  static bool removed(const Holiday& h) { return h.removed; }
};

// A person's absence, filed under them; audited under "ooo".
template <>
struct RecordTraits<Absence> : Unindexed<Absence> {
  static constexpr Family family = Family::absences;
  static constexpr std::string_view plural = "absences";
  static std::string key(std::string_view user) { return std::string(user); }
  static std::string key(const Absence& a) { return a.user; }
  static std::string audit_item(const Absence&) { return "ooo"; }
  static bool removed(const Absence& a) { return a.until.empty(); }
};

// A month's availability, filed under the month and its service ("" for the platform);
// audited under "availability".
template <>
struct RecordTraits<Availability> : Unindexed<Availability> {
  static constexpr Family family = Family::availability;
  static constexpr std::string_view plural = "availability";
  static std::string key(std::string_view month, std::string_view service) {
    return KeyBuilder().str(month).str(service).done();
  }
  static std::string key(const Availability& a) { return key(a.month, a.service); }
  static std::string audit_item(const Availability&) { return "availability"; }
};

template <class... R>
struct TypeList {};

// Every record type, in the order exports list them.
using RecordTypes =
    TypeList<Program, Risk, Decision, Milestone, Dependency, Action, Allocation, Survey, Vote,
             Review, StatusUpdate, Holiday, Absence, Availability, ReportSchedule>;

// Calls `f.template operator()<R>()` for each record type R.
template <class F>
void for_each_record_type(F&& f) {
  [&]<class... R>(TypeList<R...>) { (f.template operator()<R>(), ...); }(RecordTypes{});
}

// Record types whose numbers come from a sequence.
template <class R>
concept Sequenced = requires {
  RecordTraits<R>::sequence;
};

// "R-12", "D-7", "V-2": kept as names for the ids the commands show most.
inline std::string risk_id(std::uint64_t number) {
  return item_id<Risk>(number);
}
inline std::string decision_id(std::uint64_t number) {
  return item_id<Decision>(number);
}
inline std::string review_id(std::uint64_t number) {
  return item_id<Review>(number);
}
inline std::string milestone_id(std::uint64_t number) {
  return item_id<Milestone>(number);
}
inline std::string dependency_id(std::uint64_t number) {
  return item_id<Dependency>(number);
}
inline std::string action_id(std::uint64_t number) {
  return item_id<Action>(number);
}
inline std::string survey_id(std::uint64_t number) {
  return item_id<Survey>(number);
}
inline std::string report_id(std::uint64_t number) {
  return item_id<ReportSchedule>(number);
}

}  // namespace itpm::storage
