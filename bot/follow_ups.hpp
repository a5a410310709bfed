#pragma once

#include "bot/delivery_machine.hpp"
#include "bot/ops/health.hpp"
#include "bot/ops/metrics.hpp"
#include "bot/send_slots.hpp"
#include "bot/slack/identity.hpp"
#include "bot/slack/web_api_client.hpp"
#include "bot/survey_refresher.hpp"
#include "commands/command.hpp"
#include "storage/repositories.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace itpm::bot {

// A post a command or job asked for, and its row in the durable outbox (0: not kept there).
struct QueuedPost {
  std::uint64_t outbox_seq = 0;
  commands::PostMessage message;
  std::int64_t queued_at = 0;  // ms since the Unix epoch
  // An earlier attempt may have reached Slack (the bot stopped, or Slack's answer was lost):
  // look for the post in the channel before sending it again.
  bool maybe_sent = false;
  // Not a new post: brings survey S-<refresh_survey>'s message up to date (chat.update).
  std::uint64_t refresh_survey = 0;
  // The idempotency key the post carries in its message metadata (new_post_key); kept in its
  // outbox row.
  std::string key;
  // Not a post: an admin asked to read a month's availability from Prometheus now (not kept
  // in the outbox: its answer goes to a response_url that lasts 30 minutes).
  std::optional<commands::MeasureAvailability> measure;
};

// Puts each post (and survey refresh) of `effects` into the outbox within `batch` (committed with
// the change that asked for them); returns them ready for FollowUps::post once the batch is
// durable.
std::vector<QueuedPost> queue_posts(storage::Repositories& repos, storage::Batch& batch,
                                    std::vector<commands::Effect>& effects, std::int64_t now_ms);

// A fresh idempotency key for a post's message metadata: 128 random bits, so nobody can make
// a message that passes for one of the bot's posts.
std::string new_post_key();
// The key of an outbox row written before keys were random: "o<seq>".
std::string legacy_post_key(std::uint64_t outbox_seq);

// Work after acks: posts and DMs (effects of commands and jobs), and response_url replies.
// Before its first post to a public channel the bot joins it. A post refused for a reason a
// person must fix (not in a private channel, archived, a missing scope) is never just logged:
// the person whose command asked for it is told what failed, how to fix it, and what was not
// posted; for a scheduled post, the people it names get a DM; the item it was about records
// it in its history.
// A post that came from the outbox leaves it once Slack has answered for good (posted, or
// refused with an error that retrying cannot fix). One that Slack did not answer is tried
// again with growing pauses while the bot runs, and from the outbox when it starts again
// (`resume`). Every outbox post carries its key in the message metadata; before sending one
// that may already have gone out, the bot looks for that key in the channel's recent history,
// so a post is made once even when the bot dies between Slack's answer and the outbox
// removal; only the bot's own messages (its bot_id, once auth.test told it) count. Where a
// post landed is reported to commands::record_posted (a decision keeps its
// permalink, a survey its ts), in the same write that removes its outbox row. Survey refreshes are
// rendered when sent and run one at a time per survey: those that arrive meanwhile share the next
// update. All on the I/O thread; counted so shutdown can wait.
// Supervised: a post (or refresh, or reply) whose handling throws is reported to Health (task
// "posts"), its outbox row moved to the quarantine, and its slot handed on; the rest go on.
// Fair: a post waits for its channel's turn (ChannelPacer) before it takes one of the
// `max_in_flight` slots; freed slots go to urgent posts (the scheduler's escalations and
// reminders) first, then to what commands post, then to chatter (canned replies); while
// `max_waiting` posts wait, new chatter is dropped (its outbox row with it), never anything
// else.
class FollowUps {
 public:
  FollowUps(boost::asio::any_io_executor executor, WebApiClient& api, Metrics& metrics,
            Health& health, storage::Repositories& repos);

  // Who the bot is: only messages with its bot_id count when looking for a post's key.
  void set_identity(BotIdentity identity) { identity_ = std::move(identity); }

  // When a person's working time begins (ms since the Unix epoch), and their zone.
  struct WorkingStart {
    std::int64_t at = 0;
    std::string zone;
  };
  // When a DM the bot sends of its own accord (PostMessage::working_hours) may go out to
  // `user`: `then(nullopt)` now, else `then(start)` when their working time begins. Without one,
  // such DMs go out at once.
  using HoursCheck = std::function<void(const std::string& user,
                                        std::function<void(std::optional<WorkingStart>)> then)>;
  void set_hours_check(HoursCheck check) { hours_ = std::move(check); }
  // Called after a held DM was put in the schedule (the scheduler wakes for it).
  void set_on_schedule(std::function<void()> on_schedule) { on_schedule_ = std::move(on_schedule); }

  // Where charts are drawn (the worker that runs wide reads); without one, on the I/O thread.
  void set_worker(boost::asio::any_io_executor worker) { worker_ = std::move(worker); }

  // Who reads availability from Prometheus when an admin asks (AvailabilityProbe::measure).
  void set_measure(std::function<void(commands::MeasureAvailability)> measure) {
    measure_ = std::move(measure);
  }

  void post(QueuedPost post);
  void respond(std::string url, nlohmann::json body);

  // Sends what the outbox still holds from before a restart, in order, each after checking
  // that it was not posted already; returns how many.
  std::size_t resume();

  // Waits until nothing is pending or `deadline` passes; returns how many are left.
  boost::asio::awaitable<int> drain(std::chrono::steady_clock::time_point deadline);

 private:
  // What one channel's history holds of our keys, read once per resume.
  struct History {
    std::int64_t oldest_ms = 0;
    std::map<std::string, std::map<std::string, std::string>> keys;  // channel -> key -> ts
  };
  // Waits for the channel's turn and a slot, delivers, and hands the slot on; a post whose
  // handling throws is reported and its outbox row quarantined.
  static boost::asio::awaitable<void> send_supervised(FollowUps* self, QueuedPost post,
                                                      History* history);
  static boost::asio::awaitable<void> resume_all(FollowUps* self, std::vector<QueuedPost> posts);
  static boost::asio::awaitable<void> deliver(FollowUps* self, QueuedPost post, History* history);
  // When `user`'s working time begins, if not now (the hours check; nullopt without one).
  static boost::asio::awaitable<std::optional<WorkingStart>> held_until(FollowUps* self,
                                                                        std::string user);
  // Moves a DM that waits for its person's working hours from the outbox into the schedule
  // (a held_dm job due when `start` says), in one write, with a note in its item's history
  // that gives the time in the person's zone.
  static boost::asio::awaitable<void> hold(FollowUps* self, const QueuedPost& post,
                                           const WorkingStart& start);
  // The ts of our post with the first of `wanted` keys found in `channel` since `oldest_ms`, if
  // Slack shows one: a message's key (its metadata), or "file:<key>" for a picture (its file
  // name).
  static boost::asio::awaitable<std::optional<std::string>> find_posted(
      FollowUps* self, std::string channel, std::vector<std::string> wanted, std::int64_t oldest_ms,
      History* history);
  // Joins public channel `channel` before the bot's first post there in this run
  // (conversations.join, scope channels:join), so that its history, and so exactly-once, works.
  // A channel it cannot join (private, archived, gone) is left to the post to report.
  static boost::asio::awaitable<void> join_once(FollowUps* self, std::string channel);
  // A post Slack refused for good: counted, logged, and for a reason a person must fix
  // someone told what failed, how to fix it and what was not posted: the person whose command
  // asked for it (its response_url), or for the scheduler's posts (agendas, ladder steps,
  // breach notices) the people the post names (PostMessage::tell_if_refused), by DM, each at
  // most once a day per channel. One write drops the outbox row, notes what happened in the
  // history of the item the post was about, and queues those DMs.
  static boost::asio::awaitable<void> report_undelivered(FollowUps* self, const QueuedPost& post,
                                                         const std::string& channel,
                                                         const ApiResult& result);
  // Tells whoever ran the command that asked for `message` (an ephemeral reply to its
  // response_url): `warning`, then the content. False when that failed too.
  static boost::asio::awaitable<bool> tell_caller(FollowUps* self,
                                                  const commands::PostMessage& message,
                                                  std::string warning);
  // A post's chart Slack did not take (its text went instead, or alone): logged, and for a
  // reason a person must fix, whoever asked for it told why and how to fix it (response_url).
  static boost::asio::awaitable<void> chart_refused(FollowUps* self, const QueuedPost& post,
                                                    const delivery::Done& done);
  static boost::asio::awaitable<void> send_response(FollowUps* self, std::string url,
                                                    nlohmann::json body);
  // Drops the outbox row, with the record changes commands::record_posted makes of where the
  // post landed, in one write.
  static boost::asio::awaitable<void> record_posted(FollowUps* self, const QueuedPost& post,
                                                    const std::string& channel,
                                                    const std::string& ts);
  void dequeue(std::uint64_t seq);
  // Reports a post whose handling threw, and moves its outbox row (if any) aside.
  void quarantine(std::uint64_t seq, const std::string& doing, const std::string& error);
  void started();
  void finished();

  boost::asio::any_io_executor executor_;
  WebApiClient& api_;
  Metrics& metrics_;
  Health& health_;
  storage::Repositories& repos_;
  boost::asio::steady_timer idle_;
  int pending_ = 0;
  static constexpr int max_in_flight = 16;
  static constexpr int max_waiting = 256;
  // At most `max_in_flight` posts talk to Slack at once (a burst of reminders queues there
  // instead of opening a connection each), each channel paced.
  SendSlots slots_;
  SurveyRefresher refresher_;  // after slots_, which it uses
  std::optional<BotIdentity> identity_;
  std::set<std::string> joined_;  // channels joined (or found unjoinable) in this run
  // (channel or "dm:<user>", user) -> the day (since the epoch) they were told of a refusal
  // there; the store keeps it too (Repositories::told_about), this covers writes in flight.
  std::map<std::pair<std::string, std::string>, std::int64_t> told_;
  bool join_scope_missing_ = false;
  HoursCheck hours_;
  std::function<void()> on_schedule_;
  std::function<void(commands::MeasureAvailability)> measure_;
  std::optional<boost::asio::any_io_executor> worker_;
};

}  // namespace itpm::bot
