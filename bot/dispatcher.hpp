#pragma once

#include "bot/follow_ups.hpp"
#include "bot/slack/envelope.hpp"
#include "bot/slack/identity.hpp"
#include "bot/slack/user_zones.hpp"
#include "commands/areas/survey_commands.hpp"
#include "commands/forms/form.hpp"
#include "commands/registry.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace itpm::bot {

// A view to show right after the ack: a form (views.open with the interaction's trigger_id,
// which Slack honours for 3 s) or a person's home tab (views.publish).
struct ViewCall {
  std::string method;  // views.open or views.publish
  nlohmann::json body;
  // Told (ephemerally) when the form cannot be opened, with what to type instead.
  std::string response_url;
  std::string instead;
};

// What one envelope leads to: the ack payload (sent at once), and work for afterwards.
struct Dispatched {
  std::optional<ViewCall> view;
  bool changed = false;  // the envelope's writes were committed
  std::optional<nlohmann::json> ack_payload;
  std::vector<QueuedPost> posts;  // a command's are in the durable outbox already
  // A reply that could not ride on the ack goes to the command's response_url.
  std::string response_url;
  std::optional<nlohmann::json> follow_up;
};

// Routes envelopes: slash commands to the command registry (a bare `risk add`, `status
// <program>`, ... opens its form instead), Events API callbacks (deduped by event_id in the
// store, across restarts) to their handlers, a poll's button presses to the vote handler,
// other buttons of ours (their value is a command, run as the person who pressed) and form
// submissions to the registry, the message shortcuts to a prefilled form, other interactions
// to an empty ack. A command's writes, and the
// outbox rows of the posts it asks for, are committed in one atomic batch (group commit, WAL
// synced) before `done` runs, so an ack never reports an unsaved change and a post is never
// lost. The batch holds only if every record the command read is unchanged when it commits
// (storage::ReadSet); otherwise the command runs again on fresh data, a few times, before the
// caller is told to retry: two changes to one item at the same moment never overwrite each
// other. Never throws for bad input.
class Dispatcher {
 public:
  // `settings.base.default_zone` is the time zone for date words of callers whose zone is
  // not known (see set_zone_lookup).
  Dispatcher(const commands::Registry& registry, commands::Settings settings,
             storage::Repositories& repos, boost::asio::any_io_executor executor);

  // Finds the caller's time zone and team: `lookup(user, then)` calls `then(info)` on the I/O
  // thread. Without one, every caller gets the default zone (and their team is not checked
  // beyond what the envelope says).
  using ZoneLookup =
      std::function<void(const std::string& user, std::function<void(const UserInfo&)> then)>;
  void set_zone_lookup(ZoneLookup lookup) { zone_lookup_ = std::move(lookup); }

  // Finds a message's permalink: `lookup(channel, ts, then)` calls `then(link)` (empty when
  // Slack gave none) on the I/O thread. Without one, shortcut forms carry no link.
  using PermalinkLookup = std::function<void(const std::string& channel, const std::string& ts,
                                             std::function<void(std::string link)> then)>;
  void set_permalink_lookup(PermalinkLookup lookup) { permalink_lookup_ = std::move(lookup); }

  // Runs after a command's writes are durable (the scheduler re-reads its earliest job).
  void set_on_commit(std::function<void()> on_commit) { on_commit_ = std::move(on_commit); }

  // Who the bot is (from auth.test): its own messages are never answered.
  void set_identity(BotIdentity identity) { identity_ = std::move(identity); }
  // Runs when Slack says the bot's token is gone (tokens_revoked, app_uninstalled).
  void set_on_token_revoked(std::function<void(const std::string& event)> revoked) {
    on_token_revoked_ = std::move(revoked);
  }

  // Runs commands that may read much of the store (commands::Access::reads_widely: reports,
  // KPIs, searches; and a page of a list that needs more rows than io_thread_rows) on
  // `worker`, against a read view of the store, so that everyone else's commands go on
  // meanwhile. When the answer is not there after `notice_after`, the ack says
  // "working on it" and the answer follows through `late` (as a response_url reply; `late`
  // sends a Dispatched's posts and follow-up, it never acks). Without a worker every command
  // runs on the I/O thread.
  void set_worker(boost::asio::any_io_executor worker, std::chrono::milliseconds notice_after,
                  std::function<void(Dispatched)> late) {
    worker_ = std::move(worker);
    notice_after_ = notice_after;
    late_ = std::move(late);
  }

  // Acks every envelope within `within` whatever the disk does (needs set_worker's `late`):
  // when its answer is not ready by then (a write not durable yet), the ack says "⏳ Saving…"
  // (a slash command; other envelopes get an empty ack) and the answer follows through `late`,
  // by response_url or as its posts, only once it is durable. Without it, `done` waits.
  void set_ack_deadline(std::chrono::milliseconds within) { ack_within_ = within; }

  // Handles `envelope`; `done` runs once on the I/O thread: at once, once the writes are
  // durable, or at the ack deadline.
  void handle(const Envelope& envelope, std::function<void(Dispatched)> done);

  // Worker time one person's commands may take in a minute before theirs wait behind
  // everyone else's.
  static constexpr std::chrono::seconds default_worker_share{3};
  void set_worker_share(std::chrono::steady_clock::duration share) { worker_share_ = share; }
  // Rows a page of a list (commands::Access::reads_page) may read on the I/O thread: past them
  // it runs again on the worker. A list cheap enough is answered where it arrived, without two
  // thread hand-offs and a read view; no one can hold the I/O thread for longer.
  static constexpr std::uint64_t io_thread_rows = 500;
  void set_io_thread_rows(std::uint64_t rows) { io_thread_rows_ = rows; }
  // Slack shows an error when an envelope is not acked within 3 s.
  static constexpr std::chrono::milliseconds ack_deadline{2500};
  // How long the ack of a command run on the worker waits for its answer before it says
  // "working on it" instead (the answer then follows as a response_url reply).
  static constexpr std::chrono::milliseconds working_notice_after{100};
  // How many times a command runs when its writes keep meeting changes made meanwhile.
  static constexpr int max_attempts = 4;
  // Canned replies to one person's DMs and mentions per minute; more are acked unanswered.
  static constexpr int chatter_per_minute = 3;
  // Commands one person may send per minute by DM or mention.
  static constexpr int commands_per_minute = 30;

  // Runs a command's handler at `now` with its reads noted; its writes are conditional on them.
  using Attempt = std::function<commands::Outcome(std::chrono::system_clock::time_point now)>;

 private:
  // Runs `command` in its caller's time zone (a press's reply keeps the pressed message).
  void run_in_zone(commands::Command command, bool accepts_response_payload, bool keep_original,
                   std::function<void(Dispatched)> done);
  void run_command(const commands::Command& command, bool accepts_response_payload,
                   bool keep_original, const std::string& zone,
                   const std::function<void(Dispatched)>& done);
  // Opens the form of `command` when it is a bare command that has one (true).
  bool open_form(const commands::Command& command, const commands::Prefill& prefill,
                 const std::function<void(Dispatched)>& done);
  void handle_submission(const nlohmann::json& payload,
                         const std::function<void(Dispatched)>& done);
  // `done`, with the home tabs of `user` and of the people the change sends a DM to published
  // again when the envelope changed something and they have opened theirs since the bot
  // started.
  std::function<void(Dispatched)> refreshing_home(const std::string& user,
                                                  std::function<void(Dispatched)> done);
  ViewCall home_of(const std::string& user);
  // Publishes `user`'s home tab: built on the worker under a read view and sent through
  // `late` (it reads the person's rows of open_work_by_owner and the items they name); `done`
  // acks meanwhile. Without a worker, on `done`.
  // Builds asked for while one runs for the same person share the next one.
  void publish_home(const std::string& user, Dispatched d,
                    const std::function<void(Dispatched)>& done);
  void build_home(const std::string& user);
  void handle_shortcut(const MessageShortcut& shortcut,
                       const std::function<void(Dispatched)>& done);
  void handle_interaction(const nlohmann::json& payload,
                          const std::function<void(Dispatched)>& done);
  // Runs `attempt` and commits the outcome's writes (with its posts' outbox rows), then calls
  // `done` with the reply: on the ack, or (`response_url` given) as a follow-up to it.
  void complete(Attempt attempt, const std::string& response_url, bool keep_original,
                const std::function<void(Dispatched)>& done);
  // Runs `attempt` like complete, within a budget of io_thread_rows; false (nothing done) when
  // it needs more.
  bool complete_within_budget(const Attempt& attempt, const std::string& response_url,
                              bool keep_original, const std::function<void(Dispatched)>& done);
  // The same for an outcome `attempt` already gave at `now`.
  void complete_outcome(commands::Outcome outcome, std::chrono::system_clock::time_point now,
                        Attempt attempt, const std::string& response_url, bool keep_original,
                        const std::function<void(Dispatched)>& done);
  // Runs `attempt` (asked for by `user`) on the worker under a read view. If the answer takes
  // long, `done` acks with `notice` (nullopt: an empty ack) and the answer goes to `late`.
  void run_on_worker(const std::string& user, Attempt attempt, const std::string& response_url,
                     bool accepts, const std::function<void(Dispatched)>& done,
                     const std::function<void(Dispatched)>& late,
                     std::optional<nlohmann::json> notice);
  // Queues `job` for the worker, one job at a time: a person over their share of worker time
  // in the last minute goes behind everyone else's jobs.
  void queue_for_worker(const std::string& user, std::function<std::function<void()>()> job);
  void start_worker_job();
  // Whether `team` (a sender's, from the envelope or users.info) is another organisation's:
  // false while the bot's own team is unknown or `team` is empty.
  [[nodiscard]] bool outsider(const std::string& team) const;
  // Answers an outsider's envelope with one short line; nothing is read or written.
  void refuse_outsider(const Envelope& envelope, const std::function<void(Dispatched)>& done);
  // A command (or chatter) typed in a DM or after the bot's mention.
  struct TypedCommand {
    commands::Command command;
    commands::PostMessage post;  // where the answer goes (the DM, the mention's thread)
    bool is_command = false;     // false: chatter, answered with `post`'s canned hint
    bool direct_message = false;
    std::string event_id;
  };
  // Runs it in the sender's zone: an answer post committed with the event's id; a command that
  // reads widely runs on the worker.
  void run_typed(TypedCommand typed, const std::function<void(Dispatched)>& done);
  void handle_event(const nlohmann::json& payload, const std::function<void(Dispatched)>& done);
  // Commits a command's writes, then calls `done` with its reply and posts. When the writes
  // meet a change made meanwhile, runs `attempt` again; if the commit failed, or kept meeting
  // changes, the reply says that nothing was saved.
  static boost::asio::awaitable<void> commit_then_finish(
      Dispatcher* self, commands::Outcome outcome, std::vector<QueuedPost> posts, Attempt attempt,
      std::string response_url, bool keep_original, std::function<void(Dispatched)> done);

  const commands::Registry& registry_;
  commands::Settings settings_;
  storage::Repositories& repos_;
  boost::asio::any_io_executor executor_;
  ZoneLookup zone_lookup_;
  PermalinkLookup permalink_lookup_;
  std::function<void()> on_commit_;
  std::optional<BotIdentity> identity_;
  std::function<void(const std::string&)> on_token_revoked_;
  std::optional<boost::asio::any_io_executor> worker_;
  std::chrono::milliseconds notice_after_{0};
  std::optional<std::chrono::milliseconds> ack_within_;
  struct WorkerJob {
    // Runs on the worker thread; returns what the I/O thread then does with the answer.
    using Run = std::function<std::function<void()>()>;
    std::string user;
    Run run;
  };
  std::deque<WorkerJob> worker_queue_;
  std::deque<WorkerJob> worker_later_;  // of people over their share
  bool worker_busy_ = false;
  struct WorkerUse {
    std::chrono::steady_clock::time_point window;  // start of the current minute
    std::chrono::steady_clock::duration spent{};
  };
  std::unordered_map<std::string, WorkerUse> worker_use_;  // by user
  std::chrono::steady_clock::duration worker_share_ = default_worker_share;
  std::uint64_t io_thread_rows_ = io_thread_rows;
  // Handles `envelope` (handle adds the ack deadline around it).
  void route(const Envelope& envelope, std::function<void(Dispatched)> done);
  std::function<void(Dispatched)> late_;
  // Whether `user` may have another answer this minute: a command's (`command`) or a canned
  // reply's, each counted on its own.
  bool chatter_allowed(const std::string& user, std::chrono::steady_clock::time_point now,
                       bool command);
  // The command in a DM's or mention's text: without the bot's leading mention or "/itpm".
  [[nodiscard]] std::string typed_command(std::string_view text, bool mention) const;

  std::set<std::string> home_users_;            // who opened the home tab in this run
  std::map<std::string, bool> homes_building_;  // user -> asked for again meanwhile
  std::set<std::string> events_in_flight_;      // handled, not yet committed
  struct Chatter {
    std::chrono::steady_clock::time_point window;  // start of the current minute
    int replies = 0;                               // canned
    int commands = 0;                              // run
  };
  std::map<std::string, Chatter> chatter_;  // by user
};

}  // namespace itpm::bot
