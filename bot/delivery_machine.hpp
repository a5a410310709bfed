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
// not posted).
//
// A post with a chart uploads it in three steps (files.getUploadURLExternal, the bytes to the
// URL it gives, files.completeUploadExternal into the channel). With text_too the text is
// posted first and the picture follows; a picture Slack refuses then leaves the text alone
// (Done::chart_error says why). Without, the picture is the post, and a refused one is
// replaced by the text. A failed step is tried again (from the first step, or the last
// one once the bytes are up) after a pause, at most `chart_attempts` times; when Slack's answer
// to the last step was lost, the history is looked at first, so a picture is shared once.

#include "bot/slack/api_result.hpp"
#include "commands/command.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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
// `picture`: only the post's chart counts (its key in a file name), not its text.
struct FindPosted {
  std::string channel;
  bool fresh = false;
  bool picture = false;
  bool operator==(const FindPosted&) const = default;
};
// chat.postMessage (chat.postEphemeral when `ephemeral`) with `body`; answer with posted().
struct Post {
  nlohmann::json body;
  bool ephemeral = false;
  bool operator==(const Post&) const = default;
};
// files.getUploadURLExternal for the picture (`length` bytes); answer with upload_url().
struct GetUploadUrl {
  std::string filename;
  std::size_t length = 0;
  std::string alt_text;
  bool operator==(const GetUploadUrl&) const = default;
};
// POST the picture's bytes to `url`; answer with uploaded().
struct SendFile {
  std::string url;
  bool operator==(const SendFile&) const = default;
};
// files.completeUploadExternal with `body` (the file, its title, the channel); answer with
// completed().
struct CompleteUpload {
  nlohmann::json body;
  bool operator==(const CompleteUpload&) const = default;
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
  // For a post with a chart: why the picture did not go out ("" when it did, or there was
  // none); the text went instead, or alone.
  std::string chart_error = {};
  bool operator==(const Done& other) const {
    return outcome == other.outcome && channel == other.channel && result.ok == other.result.ok &&
           result.error == other.result.error && held_until == other.held_until &&
           chart_error == other.chart_error;
  }
};

using Action = std::variant<CheckHours, OpenDm, Join, FindPosted, Post, GetUploadUrl, SendFile,
                            CompleteUpload, Wait, Done>;

// How many times a chart's upload is tried before the text stands for it.
inline constexpr int chart_attempts = 4;

// How long to wait before try `attempt` (1, 2, ...) after `last` failed: 2 s, 4 s, ... up to
// 5 minutes; after a rate limit, what Slack asked for (Retry-After, at least 1 s).
std::chrono::seconds retry_pause(int attempt, const ApiResult& last);

class Machine {
 public:
  // `key`: the post's idempotency key (empty: none); `maybe_sent`: an earlier try may have
  // reached Slack (the bot stopped meanwhile); `chart_bytes`: the size of the message's chart
  // as drawn (0: no chart, or it could not be drawn: the text goes alone).
  Machine(commands::PostMessage message, std::string key, bool maybe_sent,
          std::size_t chart_bytes = 0);

  // The file name a post's chart is uploaded as: its stem and key ("risk-heatmap-k3f….png"),
  // so that the history shows whether an earlier try shared it.
  static std::string chart_file_name(const commands::Chart& chart, const std::string& key);
  // The key in a file name chart_file_name made ("" for any other name).
  static std::string chart_key(std::string_view file_name);

  [[nodiscard]] Action start();
  // Working time now (nullopt), or when it is next.
  [[nodiscard]] Action hours(std::optional<std::int64_t> held_until);
  [[nodiscard]] Action opened(const ApiResult& result);
  [[nodiscard]] Action joined();
  [[nodiscard]] Action found(const std::optional<std::string>& ts);
  [[nodiscard]] Action posted(const ApiResult& result);
  [[nodiscard]] Action upload_url(const ApiResult& result);
  [[nodiscard]] Action uploaded(const ApiResult& result);
  [[nodiscard]] Action completed(const ApiResult& result);
  [[nodiscard]] Action waited();

 private:
  // The next try: at once for the plain form after a refusal of the message's form, else
  // after a pause.
  Action try_again();
  // Once the channel is known (or none could be): join it, or finish without one.
  Action from_channel();
  Action post();
  // After the channel is known and nothing was found posted: the picture first, or the text.
  Action first_step();
  Action start_upload();
  Action complete_upload();
  // A step of the upload failed: again after a pause, or the text stands for the picture.
  Action upload_failed(const ApiResult& result);
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
  // The chart: its size, whether the text is posted first, and how its upload goes.
  std::size_t chart_bytes_ = 0;
  bool text_first_ = false;
  bool text_posted_ = false;
  bool uploading_ = false;  // a Wait resumes the upload, not the post
  int upload_attempt_ = 0;
  std::string pending_file_;      // the file ID of the upload URL in hand
  std::string file_id_;           // the bytes are up: only the last step is left
  bool complete_unsure_ = false;  // the last step's answer was lost: it may have shared the file
  std::string chart_error_;
};

}  // namespace itpm::bot::delivery
