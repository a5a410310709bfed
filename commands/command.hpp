#pragma once

#include "commands/calendar/working_time.hpp"
#include "commands/render/chart.hpp"
#include "storage/repositories.hpp"
#include "storage/store.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace itpm::commands {

// One `/itpm` invocation as Slack delivered it (text still Slack-escaped).
struct Command {
  std::string user_id;
  std::string channel_id;
  std::string team_id;
  std::string text;
  std::string response_url;
  std::string trigger_id;
};

enum class Visibility { ephemeral, in_channel };

// What the caller sees in reply: Block Kit blocks plus the plain-text fallback.
struct Reply {
  Visibility visibility = Visibility::ephemeral;
  std::string text;
  nlohmann::json blocks = nlohmann::json::array();
};

// A message the bot posts through the Web API after the ack (a DM when `to_user` is set).
// Which posts go first when many wait, and which may be dropped when too many do.
enum class PostPriority : std::uint8_t {
  urgent,  // escalations, reminders, SLO breaches (the scheduler's): never dropped
  normal,  // what commands post
  chatter  // canned replies to DMs and mentions: dropped first, rate-limited per person
};

// What the domain does once a post is in Slack, in the write that drops its outbox row
// (commands::record_posted): nothing, or remember where it landed on decision D-<number> (with
// its permalink) or on survey S-<number> (its poll, which votes then update). The sender only
// carries it; a new kind of post with something to remember is a new kind here.
struct AfterPost {
  enum class Kind : std::uint8_t { nothing, decision, survey };
  Kind kind = Kind::nothing;
  std::uint64_t number = 0;
  // Whether the sender asks Slack for the post's permalink before recording it.
  [[nodiscard]] bool wants_permalink() const { return kind == Kind::decision; }
  bool operator==(const AfterPost&) const = default;
};

struct PostMessage {
  PostPriority priority = PostPriority::normal;
  std::string channel;
  std::string to_user;
  std::string text;
  nlohmann::json blocks = nlohmann::json::array();
  std::string thread_ts;
  // Shown to this person only, in `channel` (chat.postEphemeral): the reply to a form.
  std::string ephemeral_to;
  AfterPost after_post;
  // When Slack refuses the post for a reason a person must fix (the bot is not in the channel,
  // ...), whoever asked for it is told here, with the content (the response_url of the slash
  // command; the dispatcher sets it); empty: it is only logged.
  std::string fallback_response_url;
  // The person who asked for the post in a DM or after the bot's mention (there is no
  // response_url then): when Slack refuses the post for a reason a person must fix, they are
  // told by DM at once, with the content and the fix.
  std::string asked_by;
  // What the post is about, so that a refusal is written in that item's history: the item's
  // id ("R-12", "A-3", a program key) and what the post was ("escalation level 2"). Empty:
  // the post is about no item.
  std::string about_item;
  std::string about_what;
  // For a post nobody waits for (a scheduled one): who gets a DM with what failed, how to fix
  // it and the content, when Slack refuses it for a reason a person must fix (the item's
  // owner, the program's owner); each person at most once a day per channel.
  std::vector<std::string> tell_if_refused;
  // A DM the bot sends of its own accord (commands.md §6, quiet hours): delivered only in its
  // person's working hours, in their own zone; outside them it waits in the schedule.
  bool working_hours = false;
  // A picture uploaded with the post (files.getUploadURLExternal, files.completeUploadExternal),
  // drawn when sent (chart_png.hpp). With `text_too` the text goes first as its own message and
  // the picture follows it in the channel; without, the picture is the post and the text is
  // what goes instead when Slack refuses the upload. Ephemeral posts carry no picture.
  std::optional<Chart> chart;
  bool text_too = false;
};

// The JSON form kept in the durable outbox, and back.
nlohmann::json to_outbox(const PostMessage& message);
PostMessage from_outbox(const nlohmann::json& j);

// Brings the posted message of survey S-<survey> up to date (chat.update). It is rendered
// when it is sent, from what is stored then: votes in quick succession share one update,
// and the last update shows them all.
struct RefreshSurvey {
  std::uint64_t survey = 0;
};

// Reads month's availability from Prometheus now (`kpi availability measure`): the bot sends
// the query (availability.hpp), stores what came of it, and answers `response_url` (when empty,
// `asked_by` by DM).
struct MeasureAvailability {
  std::string month;  // YYYY-MM
  std::string asked_by;
  std::string response_url;
};

using Effect = std::variant<PostMessage, RefreshSurvey, MeasureAvailability>;

// The result of handling a command: the reply that goes into the ack, the writes that must
// be durable before the ack is sent (one atomic batch, audit entries included), then effects.
struct Outcome {
  Reply reply;
  std::vector<Effect> effects;
  storage::Batch writes;
};

// An outcome that only replies: no writes, no effects.
inline Outcome reply_only(Reply reply) {
  Outcome outcome;
  outcome.reply = std::move(reply);
  return outcome;
}

// Settings that shape what handlers and jobs do: commands.md's defaults, then the
// environment, then what admins stored with `config set` (effective_policy).
struct Policy {
  int escalation_threshold = 15;                  // a risk with this score or more is critical
  std::chrono::minutes ladder_step{24 * 60};      // time between escalation levels
  std::string escalation_channel;                 // level 3 posts here (empty: not configured)
  std::chrono::minutes grace{120};                // a reminder missed by more than this is skipped
  std::string default_zone = "UTC";               // for people whose zone Slack does not give
  std::array<int, 4> slo_days = {7, 30, 60, 90};  // corrective-action SLO for S1..S4
  int target_on_time = 80;                        // KPI targets, percent
  int target_slo = 90;
  double target_satisfaction = 4.0;   // of 5
  double availability_target = 99.9;  // percent, each month
  std::string prometheus_url;         // ITPM_PROMETHEUS_URL: empty, availability is typed in
  std::string availability_query;     // PromQL giving a month's availability in percent
  std::string dashboard_url;          // links are <it>/dashboard/<token>/ (no trailing slash)
  std::chrono::hours dashboard_link_lifetime{12};
  WorkingHours working_hours = default_working_hours();  // read in each person's own zone
};

// What the bot runs every command and job with: the base policy (commands.md's defaults, then
// the environment) and its admins. make_context (config_commands.hpp) adds what admins stored.
struct Settings {
  Policy base;
  std::vector<std::string> admins;
};

// Who is asking and when, and the data to read; handlers read nothing else.
struct Context {
  std::chrono::system_clock::time_point now;
  std::vector<std::string> admins;
  storage::Repositories& repos;
  std::string zone = "UTC";  // the caller's IANA time zone, for date words
  Policy policy = {};

  [[nodiscard]] bool is_admin(const std::string& user) const {
    return std::find(admins.begin(), admins.end(), user) != admins.end();
  }
};

}  // namespace itpm::commands
