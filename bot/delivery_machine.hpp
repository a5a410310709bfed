#pragma once
// One post's way to Slack as a sans-io state machine (like slack/socket_mode_session): it is
// told what each step came to and says what to do next, and never performs I/O itself.
// FollowUps runs it (bot/follow_ups.cpp: call Slack, wait on a timer); tests drive it step by
// step and compare the exact actions.
//
// The way: for a DM the bot sends of its own accord, check that it is its person's working
// time (else it is held); open the DM when the post goes to a person; join the channel; when an
// earlier try may have reached Slack, look for the post's key in the channel's history first; post
// (to one person only when ephemeral), with the key in the message metadata. A post Slack refuses
// for its form (blocks, metadata) goes again at once as plain text; one Slack did not answer for
// good (rate limit, 5xx, network) goes again after a pause, each call tried once, after
// looking for it in the history again unless the answer was a rate limit (which says it was
// not posted). A new kind of step (a file upload) is a new action and a new input.

#include "bot/slack/api_result.hpp"
#include "commands/command.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace itpm::bot::delivery {

// Whether it is working time for `user` now (a DM sent of the bot's own accord keeps its
// person's hours, commands.md §6); answer with hours().
struct CheckHours {
  std::string user;
  bool operator==(const CheckHours&) const = default;
};
// conversations.open for `user`; answer with opened().
struct OpenDm {
  std::string user;
  bool operator==(const OpenDm&) const = default;
};
// conversations.join (once per channel and run); answer with joined().
struct Join {
  std::string channel;
  bool operator==(const Join&) const = default;
};
// Look in `channel`'s recent history for a message carrying the post's key; `fresh`: not from
// what was read for other posts at start-up (the post may have gone out since). Answer with
// found().
struct FindPosted {
  std::string channel;
  bool fresh = false;
  bool operator==(const FindPosted&) const = default;
};
// chat.postMessage (chat.postEphemeral when `ephemeral`) with `body`; answer with posted().
struct Post {
  nlohmann::json body;
  bool ephemeral = false;
  bool operator==(const Post&) const = default;
};
// Wait this long, without holding a sending slot; answer with waited().
struct Wait {
  std::chrono::seconds pause{0};
  bool operator==(const Wait&) const = default;
};

enum class Outcome {
  delivered,       // posted (result.body has its ts)
  already_posted,  // found in the channel's history: an earlier try had posted it
  keep,            // the token no longer works: the post stays queued for a working token
  refused,         // Slack will not take it (or no channel): say so to whoever should know
  held,            // outside its person's working hours: it waits until `held_until`
};
struct Done {
  Outcome outcome = Outcome::delivered;
  ApiResult result;             // the last call's result (for refused: its error)
  std::string channel;          // where it went or was refused ("" when no DM could be opened)
  std::int64_t held_until = 0;  // for held: ms since the Unix epoch
  bool operator==(const Done& other) const {
    return outcome == other.outcome && channel == other.channel && result.ok == other.result.ok &&
           result.error == other.result.error && held_until == other.held_until;
  }
};

using Action = std::variant<CheckHours, OpenDm, Join, FindPosted, Post, Wait, Done>;

// How long to wait before try `attempt` (1, 2, ...) after `last` failed: 2 s, 4 s, ... up to
// 5 minutes; after a rate limit, what Slack asked for (Retry-After, at least 1 s).
std::chrono::seconds retry_pause(int attempt, const ApiResult& last);

class Machine {
 public:
  // `key`: the post's idempotency key (empty: none); `maybe_sent`: an earlier try may have
  // reached Slack (the bot stopped meanwhile).
  Machine(commands::PostMessage message, std::string key, bool maybe_sent);

  [[nodiscard]] Action start();
  // Working time now (nullopt), or when it is next.
  [[nodiscard]] Action hours(std::optional<std::int64_t> held_until);
  [[nodiscard]] Action opened(const ApiResult& result);
  [[nodiscard]] Action joined();
  [[nodiscard]] Action found(const std::optional<std::string>& ts);
  [[nodiscard]] Action posted(const ApiResult& result);
  [[nodiscard]] Action waited();

 private:
  // The next try: at once for the plain form after a refusal of the message's form, else
  // after a pause.
  Action try_again();
  // Once the channel is known (or none could be): join it, or finish without one.
  Action from_channel();
  Action post();
  Action finish();

  commands::PostMessage message_;
  std::string key_;
  bool maybe_sent_;
  std::string channel_;
  ApiResult result_;
  int attempt_ = 0;
  bool plain_ = false;          // without blocks, after Slack refused them
  bool fresh_history_ = false;  // a try failed: what start-up read may be stale
  bool hours_checked_ = false;
};

}  // namespace itpm::bot::delivery
