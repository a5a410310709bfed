#pragma once
// The records users create. Values are stored as JSON objects with a format version "v";
// field names are stable (they are also the export format).

#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace itpm::storage {

constexpr int record_format_version = 1;

// Where an item is in its life. Stored as the lower-case word ("open", "mitigating", ...);
// status_name gives that word for messages.
enum class ProgramStatus { open, closed };  // programs and surveys
enum class RiskStatus { open, mitigating, accepted, closed };
inline constexpr std::array risk_statuses = {RiskStatus::open, RiskStatus::mitigating,
                                             RiskStatus::accepted, RiskStatus::closed};
enum class ReviewStatus { active, cancelled };
enum class WorkStatus { open, done };  // milestones and corrective actions
enum class DependencyStatus { open, resolved };

NLOHMANN_JSON_SERIALIZE_ENUM(ProgramStatus,
                             {{ProgramStatus::open, "open"}, {ProgramStatus::closed, "closed"}})
NLOHMANN_JSON_SERIALIZE_ENUM(RiskStatus, {{RiskStatus::open, "open"},
                                          {RiskStatus::mitigating, "mitigating"},
                                          {RiskStatus::accepted, "accepted"},
                                          {RiskStatus::closed, "closed"}})
NLOHMANN_JSON_SERIALIZE_ENUM(ReviewStatus, {{ReviewStatus::active, "active"},
                                            {ReviewStatus::cancelled, "cancelled"}})
NLOHMANN_JSON_SERIALIZE_ENUM(WorkStatus, {{WorkStatus::open, "open"}, {WorkStatus::done, "done"}})
NLOHMANN_JSON_SERIALIZE_ENUM(DependencyStatus, {{DependencyStatus::open, "open"},
                                                {DependencyStatus::resolved, "resolved"}})

// "open", "mitigating", ...: the word a status is stored and shown as.
template <class Status>
std::string status_name(Status status) {
  return nlohmann::json(status).get<std::string>();
}

struct Program {
  std::string key;  // dr-2027
  std::string name;
  std::string owner;    // Slack user ID
  std::string sponsor;  // Slack user ID or empty
  std::string channel;  // Slack channel ID
  std::string description;
  std::string start;  // YYYY-MM-DD or empty
  std::string due;    // YYYY-MM-DD or empty
  std::string zone;   // IANA zone its channels keep working hours in; empty: the workspace's
  std::int64_t budget = 0;
  std::int64_t spent = 0;  // actual spend recorded with `program spend`, in the budget's unit
  std::vector<std::string> tags;
  ProgramStatus status = ProgramStatus::open;
  std::string close_note;
  std::string created_by;
  std::int64_t created_at = 0;  // ms since the Unix epoch
  std::int64_t closed_at = 0;
};

struct Risk {
  std::uint64_t number = 0;  // R-<number>
  std::string program;
  std::string title;
  int likelihood = 1;  // 1-5
  int impact = 1;      // 1-5
  std::string owner;
  std::string due;  // mitigation due date, YYYY-MM-DD or empty
  std::string mitigation;
  RiskStatus status = RiskStatus::open;
  int escalation_level = 0;       // 0: not on the escalation ladder; 1-3: the level it is at
  std::int64_t escalated_at = 0;  // when it entered the ladder (identifies the ladder run)
  std::int64_t acked_at = 0;
  std::string escalation_reason;  // why it entered the ladder
  std::string close_note;
  std::string channel;
  std::string created_by;
  std::int64_t created_at = 0;
  std::int64_t closed_at = 0;

  [[nodiscard]] int score() const { return likelihood * impact; }
  [[nodiscard]] bool on_ladder() const {
    return escalation_level > 0 && status != RiskStatus::closed;
  }
};

struct Decision {
  std::uint64_t number = 0;  // D-<number>
  std::string program;
  std::string title;
  std::string context;
  std::string alternatives;
  std::vector<std::string> tags;
  std::vector<std::string> decided_by;  // Slack user IDs
  std::string date;                     // YYYY-MM-DD, the day it was decided
  std::string channel;
  std::string message_ts;
  std::string permalink;
  std::uint64_t supersedes = 0;
  std::uint64_t superseded_by = 0;
  std::string created_by;
  std::int64_t created_at = 0;
};

// A review cadence, V-<number>: when a program's review happens and where its agenda goes.
struct Review {
  std::uint64_t number = 0;
  std::string program;
  std::string every;                 // canonical cadence spec ("2w thu 10:00")
  std::string zone;                  // IANA time zone of the wall-clock time
  std::string channel;               // where reminders go
  std::vector<int> remind;           // minutes before each occurrence, largest first
  std::vector<std::string> skipped;  // local dates (YYYY-MM-DD) without a review
  std::string on_holiday;    // "next": a holiday moves it to the next working day; else skipped
  std::string anchor;        // every-n-weeks cadences count weeks from this date
  std::int64_t next_at = 0;  // the next occurrence (ms); jobs for any other one are stale
  std::int64_t last_at = 0;  // the last occurrence that passed (0: none yet)
  ReviewStatus status = ReviewStatus::active;
  std::string created_by;
  std::int64_t created_at = 0;
  std::int64_t cancelled_at = 0;
};

// One move of a milestone's due date.
struct Slip {
  std::string from;  // YYYY-MM-DD
  std::string to;
  std::string reason;
  std::string by;
  std::int64_t at = 0;
};

// A milestone, M-<number>: a dated commitment of a program.
struct Milestone {
  std::uint64_t number = 0;
  std::string program;
  std::string title;
  std::string owner;
  std::string due;           // YYYY-MM-DD, after any slips
  std::string original_due;  // as first planned
  std::vector<Slip> slips;
  WorkStatus status = WorkStatus::open;
  std::string done_on;  // YYYY-MM-DD
  std::string channel;
  std::string created_by;
  std::int64_t created_at = 0;
  std::int64_t done_at = 0;

  // Done by the due date it had when it was done (slips move it; KPIs use original_due).
  [[nodiscard]] bool done_on_time() const { return status == WorkStatus::done && done_on <= due; }
};

// A dependency, X-<number>: what a program needs from another program, a person, a channel
// or a named team, and by when.
struct Dependency {
  std::uint64_t number = 0;
  std::string program;  // the program that needs it
  std::string on_kind;  // program, user, channel, team
  std::string on;       // program key, user ID, channel ID or team name
  std::string what;
  std::string need_by;  // YYYY-MM-DD
  DependencyStatus status = DependencyStatus::open;
  std::string channel;
  std::string created_by;
  std::int64_t created_at = 0;
  std::string resolved_by;
  std::int64_t resolved_at = 0;
};

// A corrective action from an incident, A-<number>, due within its severity's SLO.
struct Action {
  std::uint64_t number = 0;
  std::string title;
  std::string severity;  // S1..S4
  std::string incident;  // a reference (INC-123, a link), or empty
  std::string owner;
  std::string program;  // or empty
  int slo_days = 0;     // the SLO when it was added
  std::string due;      // YYYY-MM-DD: the day the SLO ends
  WorkStatus status = WorkStatus::open;
  std::string done_on;   // YYYY-MM-DD
  int breach_level = 0;  // 0: within its SLO; 1: breach posted; 2: escalated further
  std::string channel;
  std::string created_by;
  std::int64_t created_at = 0;
  std::int64_t done_at = 0;
};

// How much of a person's time goes to a program.
struct Allocation {
  std::string user;
  std::string program;
  int percent = 0;  // 1-100
  std::string by;
  std::int64_t at = 0;
};

// A day nobody works (commands.md §6): for the whole workspace, or for one program's channels.
struct Holiday {
  std::string program;  // empty: the whole workspace
  std::string day;      // YYYY-MM-DD
  std::string name;
  std::string by;
  std::int64_t at = 0;
  bool removed = false;  // not stored: `holiday remove` saves it so, and the row is deleted
};

// A report on a cadence, P-<number> (commands.md §7): the status report of one program or of
// them all, posted in a channel at a review cadence's times; each says what changed since the
// previous one.
struct ReportSchedule {
  std::uint64_t number = 0;
  std::string program;       // empty: every open program
  std::string every;         // canonical cadence spec ("mon 09:00")
  std::string zone;          // IANA zone of the wall-clock time
  std::string channel;       // where it is posted
  std::string anchor;        // every-n-weeks cadences count weeks from this date
  std::int64_t next_at = 0;  // the next report (ms); a job for any other time is stale
  std::int64_t last_at = 0;  // when the previous one was posted (0: none yet)
  ReviewStatus status = ReviewStatus::active;
  std::string created_by;
  std::int64_t created_at = 0;
  std::int64_t cancelled_at = 0;
};

// A month's availability (commands.md §7), of the whole platform or of one service: recorded by
// an admin, or measured (read from Prometheus). A later record for the month replaces it.
struct Availability {
  std::string month;               // YYYY-MM
  std::string service;             // empty: the whole platform
  std::int64_t milli_percent = 0;  // percent × 1000, 0-100000 (99.95% is 99950): exports
                                   // carry whole numbers only
  std::string source;              // "recorded" or "measured"
  std::string by;
  std::int64_t at = 0;
};

// A person out of office from one day to another (both included), and who acts for them.
struct Absence {
  std::string user;
  std::string from;   // YYYY-MM-DD
  std::string until;  // YYYY-MM-DD; empty: `ooo clear` saves it so, and the row is deleted
  std::string delegate;
  std::string by;
  std::int64_t at = 0;
};

// A 1-5 satisfaction poll, S-<number> (Q-<number> before schema 5), posted in a channel with a
// button per score.
struct Survey {
  std::uint64_t number = 0;
  std::string program;
  std::string channel;
  std::string message_ts;                      // the poll's message once posted (for chat.update)
  std::string zone;                            // the sender's time zone, for dates in the message
  ProgramStatus status = ProgramStatus::open;  // closed: a newer survey replaced it
  std::uint64_t replaced_by = 0;
  std::string sent_by;
  std::int64_t sent_at = 0;
  std::int64_t closed_at = 0;
};

// One person's answer to a survey; pressing another score replaces it.
struct Vote {
  std::uint64_t survey = 0;
  std::string user;
  int score = 0;  // 1-5
  std::int64_t at = 0;
};

// A program's status at one moment (review record / status).
struct StatusUpdate {
  std::uint64_t number = 0;  // order of recording, over all programs
  std::string program;
  std::string status;  // green, amber, red
  std::string summary;
  std::string by;
  std::int64_t at = 0;
};

void to_json(nlohmann::json& j, const Program& p);
void from_json(const nlohmann::json& j, Program& p);
void to_json(nlohmann::json& j, const Risk& r);
void from_json(const nlohmann::json& j, Risk& r);
void to_json(nlohmann::json& j, const Decision& d);
void from_json(const nlohmann::json& j, Decision& d);
void to_json(nlohmann::json& j, const Review& r);
void from_json(const nlohmann::json& j, Review& r);
void to_json(nlohmann::json& j, const Slip& s);
void from_json(const nlohmann::json& j, Slip& s);
void to_json(nlohmann::json& j, const Milestone& m);
void from_json(const nlohmann::json& j, Milestone& m);
void to_json(nlohmann::json& j, const Dependency& d);
void from_json(const nlohmann::json& j, Dependency& d);
void to_json(nlohmann::json& j, const Action& a);
void from_json(const nlohmann::json& j, Action& a);
void to_json(nlohmann::json& j, const Allocation& a);
void from_json(const nlohmann::json& j, Allocation& a);
void to_json(nlohmann::json& j, const Survey& v);
void from_json(const nlohmann::json& j, Survey& v);
void to_json(nlohmann::json& j, const Vote& v);
void from_json(const nlohmann::json& j, Vote& v);
void to_json(nlohmann::json& j, const StatusUpdate& u);
void to_json(nlohmann::json& j, const ReportSchedule& r);
void from_json(const nlohmann::json& j, ReportSchedule& r);
void to_json(nlohmann::json& j, const Availability& a);
void from_json(const nlohmann::json& j, Availability& a);
void to_json(nlohmann::json& j, const Holiday& h);
void from_json(const nlohmann::json& j, Holiday& h);
void to_json(nlohmann::json& j, const Absence& a);
void from_json(const nlohmann::json& j, Absence& a);
void from_json(const nlohmann::json& j, StatusUpdate& u);

}  // namespace itpm::storage
