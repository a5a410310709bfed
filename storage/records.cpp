#include "storage/records.hpp"

namespace itpm::storage {
namespace {

// A missing or null field keeps the member's default: older rows read into newer records.
template <class T>
void read(const nlohmann::json& j, const char* key, T& field) {
  if (auto it = j.find(key); it != j.end() && !it->is_null()) field = it->get<T>();
}

}  // namespace

// Each record is a JSON object whose keys are its member names, plus the format version "v";
// a part of a record (a slip) has no "v" of its own.
#define ITPM_JSON_WRITE(field) j[#field] = r.field;
#define ITPM_JSON_READ(field) read(j, #field, r.field);
#define ITPM_PART_JSON(Type, ...)                                           \
  void to_json(nlohmann::json& j, const Type& r) {                          \
    j = nlohmann::json::object();                                           \
    NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(ITPM_JSON_WRITE, __VA_ARGS__)) \
  }                                                                         \
  void from_json(const nlohmann::json& j, Type& r) {                        \
    NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(ITPM_JSON_READ, __VA_ARGS__))  \
  }
#define ITPM_RECORD_JSON(Type, ...)                                         \
  void to_json(nlohmann::json& j, const Type& r) {                          \
    j = {{"v", record_format_version}};                                     \
    NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(ITPM_JSON_WRITE, __VA_ARGS__)) \
  }                                                                         \
  void from_json(const nlohmann::json& j, Type& r) {                        \
    NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(ITPM_JSON_READ, __VA_ARGS__))  \
  }

ITPM_RECORD_JSON(Program, key, name, owner, sponsor, channel, description, start, due, zone, budget,
                 spent, tags, status, close_note, created_by, created_at, closed_at)
ITPM_RECORD_JSON(Risk, number, program, title, likelihood, impact, owner, due, mitigation, status,
                 escalation_level, escalated_at, acked_at, escalation_reason, close_note, channel,
                 created_by, created_at, closed_at)
ITPM_RECORD_JSON(Decision, number, program, title, context, alternatives, tags, decided_by, date,
                 channel, message_ts, permalink, supersedes, superseded_by, created_by, created_at)
ITPM_RECORD_JSON(Review, number, program, every, zone, channel, remind, skipped, on_holiday, anchor,
                 next_at, last_at, status, created_by, created_at, cancelled_at)
ITPM_RECORD_JSON(StatusUpdate, number, program, status, summary, by, at)
ITPM_PART_JSON(Slip, from, to, reason, by, at)
ITPM_RECORD_JSON(Milestone, number, program, title, owner, due, original_due, slips, status,
                 done_on, channel, created_by, created_at, done_at)
ITPM_RECORD_JSON(Dependency, number, program, on_kind, on, what, need_by, status, channel,
                 created_by, created_at, resolved_by, resolved_at)
ITPM_RECORD_JSON(Action, number, title, severity, incident, owner, program, slo_days, due, status,
                 done_on, breach_level, channel, created_by, created_at, done_at)
ITPM_RECORD_JSON(Allocation, user, program, percent, by, at)
ITPM_RECORD_JSON(Holiday, program, day, name, by, at)
ITPM_RECORD_JSON(ReportSchedule, number, program, every, zone, channel, anchor, next_at, last_at,
                 status, created_by, created_at, cancelled_at)
ITPM_RECORD_JSON(Availability, month, service, milli_percent, source, by, at)
ITPM_RECORD_JSON(Absence, user, from, until, delegate, by, at)
ITPM_RECORD_JSON(Survey, number, program, channel, message_ts, zone, status, replaced_by, sent_by,
                 sent_at, closed_at)
ITPM_RECORD_JSON(Vote, survey, user, score, at)

}  // namespace itpm::storage
