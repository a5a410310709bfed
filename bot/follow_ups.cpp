#include "bot/follow_ups.hpp"

#include "bot/async_commit.hpp"
#include "bot/delivery_machine.hpp"
#include "bot/ops/random_hex.hpp"
#include "bot/slack/api_errors.hpp"

#include "commands/areas/handler_support.hpp"
#include "commands/calendar/dates.hpp"
#include "commands/delivery.hpp"
#include "commands/job.hpp"
#include "commands/render/chart_png.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <limits>
#include <stdexcept>

namespace itpm::bot {

namespace net = boost::asio;

std::string new_post_key() {
  return "k" + random_hex(16, "a post key");
}

std::string legacy_post_key(std::uint64_t outbox_seq) {
  return "o" + std::to_string(outbox_seq);
}

std::vector<QueuedPost> queue_posts(storage::Repositories& repos, storage::Batch& batch,
                                    std::vector<commands::Effect>& effects, std::int64_t now_ms) {
  std::vector<QueuedPost> posts;
  for (auto& effect : effects) {
    QueuedPost post;
    post.queued_at = now_ms;
    nlohmann::json row;
    if (auto* measure = std::get_if<commands::MeasureAvailability>(&effect)) {
      post.measure = std::move(*measure);
      posts.push_back(std::move(post));
      continue;
    }
    if (const auto* refresh = std::get_if<commands::RefreshSurvey>(&effect)) {
      post.refresh_survey = refresh->survey;
      row = {{"refresh_survey", refresh->survey}};
    } else {
      post.message = std::get<commands::PostMessage>(std::move(effect));
      row = commands::to_outbox(post.message);
      post.key = new_post_key();
      row["key"] = post.key;
    }
    row["queued_at"] = now_ms;
    post.outbox_seq = repos.outbox().enqueue(batch, row);
    posts.push_back(std::move(post));
  }
  return posts;
}

FollowUps::FollowUps(net::any_io_executor executor, WebApiClient& api, Metrics& metrics,
                     Health& health, storage::Repositories& repos)
    : executor_(std::move(executor)),
      api_(api),
      metrics_(metrics),
      health_(health),
      repos_(repos),
      idle_(executor_),
      slots_(executor_, max_in_flight),
      refresher_(executor_, api_, health_, repos_, slots_, [this] { finished(); }) {}

void FollowUps::post(QueuedPost post) {
  if (post.measure) {
    if (measure_) {
      measure_(std::move(*post.measure));
    } else if (!post.measure->response_url.empty()) {
      respond(post.measure->response_url,
              {{"response_type", "ephemeral"},
               {"text", "Availability is not read from Prometheus here (ITPM_PROMETHEUS_URL)."}});
    }
    return;
  }
  if (post.refresh_survey == 0 && post.message.priority == commands::PostPriority::chatter &&
      pending_ >= max_waiting) {
    spdlog::warn("{} posts waiting: a canned reply to {} is dropped", pending_,
                 pacing_key(post.message));
    metrics_.add("itpm_posts_dropped_total", {{"reason", "queue_full"}});
    dequeue(post.outbox_seq);
    return;
  }
  started();
  if (post.refresh_survey == 0) {
    net::co_spawn(executor_, send_supervised(this, std::move(post), nullptr), net::detached);
    return;
  }
  refresher_.refresh(post.refresh_survey, post.outbox_seq);
}

void FollowUps::respond(std::string url, nlohmann::json body) {
  started();
  net::co_spawn(executor_, send_response(this, std::move(url), std::move(body)), net::detached);
}

std::size_t FollowUps::resume() {
  auto entries = repos_.outbox().entries(10000);
  std::vector<QueuedPost> posts;
  for (auto& entry : entries) {
    QueuedPost post;
    post.outbox_seq = entry.seq;
    try {
      if (!entry.message.is_object()) throw std::runtime_error("the row is not a JSON object");
      post.queued_at = entry.message.value("queued_at", std::int64_t{0});
      post.refresh_survey = entry.message.value("refresh_survey", std::uint64_t{0});
      if (post.refresh_survey == 0) {
        post.message = commands::from_outbox(entry.message);
        post.key = entry.message.value("key", legacy_post_key(entry.seq));
      }
    } catch (const std::exception& e) {
      quarantine(entry.seq, "reading outbox row " + std::to_string(entry.seq), e.what());
      continue;
    }
    if (post.refresh_survey != 0) {
      this->post(std::move(post));  // rendered from the store when sent: nothing to look up
      continue;
    }
    post.maybe_sent = true;
    posts.push_back(std::move(post));
    started();
  }
  std::size_t n = posts.size();
  if (n > 0) net::co_spawn(executor_, resume_all(this, std::move(posts)), net::detached);
  return n;
}

net::awaitable<int> FollowUps::drain(std::chrono::steady_clock::time_point deadline) {
  while (pending_ > 0 && std::chrono::steady_clock::now() < deadline) {
    idle_.expires_at(deadline);
    co_await idle_.async_wait(net::as_tuple(net::use_awaitable));
  }
  co_return pending_;
}

net::awaitable<void> FollowUps::send_supervised(FollowUps* self, QueuedPost post,
                                                History* history) {
  co_await self->slots_.wait_turn(post.message);
  co_await self->slots_.acquire(post.message.priority);
  std::uint64_t seq = post.outbox_seq;
  std::string error;
  try {
    co_await deliver(self, std::move(post), history);
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (error.empty()) {
    self->health_.succeeded("posts");
  } else {
    self->quarantine(seq, "sending outbox row " + std::to_string(seq), error);
  }
  self->slots_.release();
  self->finished();
}

net::awaitable<void> FollowUps::resume_all(FollowUps* self, std::vector<QueuedPost> posts) {
  History history;
  history.oldest_ms = std::numeric_limits<std::int64_t>::max();
  for (const auto& p : posts) history.oldest_ms = std::min(history.oldest_ms, p.queued_at);
  for (auto& post : posts) co_await send_supervised(self, std::move(post), &history);
}

namespace {

net::awaitable<std::optional<std::string>> draw(commands::Chart chart) {
  co_return commands::render_png(chart);
}

}  // namespace

net::awaitable<void> FollowUps::deliver(FollowUps* self, QueuedPost post, History* history) {
  // Performs what the delivery machine asks for (bot/delivery_machine.hpp), each call tried
  // once: the machine decides about tries, pauses and the plain form.
  CallOptions once;
  once.max_attempts = 1;
  net::steady_timer pause(self->executor_);
  // A chart is drawn now, from the data its outbox row keeps: on the worker when there is one
  // (about 11 ms, BENCHMARKS.md), so that acks do not wait for it.
  std::optional<std::string> png;
  if (post.message.chart && post.message.ephemeral_to.empty()) {
    if (self->worker_) {
      auto job = draw(*post.message.chart);
      std::optional<std::string> drawn =
          co_await net::co_spawn(*self->worker_, std::move(job), net::use_awaitable);
      png = std::move(drawn);
    } else {
      png = commands::render_png(*post.message.chart);
    }
    if (!png)
      spdlog::warn("cannot draw the chart of outbox row {}: posting its text", post.outbox_seq);
  }
  delivery::Machine machine(post.message, post.key, post.maybe_sent, png ? png->size() : 0);
  ApiResult last;
  delivery::Action action = machine.start();
  std::optional<WorkingStart> start;
  for (;;) {
    if (auto* check = std::get_if<delivery::CheckHours>(&action)) {
      // In its own statement (GCC 12 and temporaries across co_await).
      std::optional<WorkingStart> checked = co_await held_until(self, check->user);
      start = std::move(checked);
      action = machine.hours(start ? std::optional<std::int64_t>(start->at) : std::nullopt);
    } else if (auto* open = std::get_if<delivery::OpenDm>(&action)) {
      // Built in its own statement: GCC 12 cannot keep an initializer list alive across co_await.
      nlohmann::json args = {{"users", open->user}};
      last = co_await self->api_.call_json("conversations.open", std::move(args), once);
      if (!last.ok) spdlog::warn("cannot open a DM with {}: {}", open->user, last.error);
      action = machine.opened(last);
    } else if (auto* join = std::get_if<delivery::Join>(&action)) {
      co_await join_once(self, join->channel);
      action = machine.joined();
    } else if (auto* find = std::get_if<delivery::FindPosted>(&action)) {
      // A picture is known by its file name (delivery::Machine::chart_file_name); a post whose
      // picture went out (and not its text) counts as posted.
      std::vector<std::string> keys;
      if (!find->picture) keys.push_back(post.key);
      if (post.message.chart) keys.push_back("file:" + post.key);
      auto ts = co_await find_posted(self, find->channel, std::move(keys), post.queued_at,
                                     find->fresh ? nullptr : history);
      if (ts) {
        spdlog::info("outbox row {} was posted before the bot stopped; not posting it again",
                     post.outbox_seq);
      }
      action = machine.found(ts);
    } else if (auto* send = std::get_if<delivery::Post>(&action)) {
      std::string channel = send->body.value("channel", "");
      if (send->ephemeral) {
        last = co_await self->api_.call_json("chat.postEphemeral", std::move(send->body), once);
      } else {
        last = co_await self->api_.post_message(std::move(send->body));
      }
      action = machine.posted(last);
      if (!last.ok && classify_api_error(last.error) == ApiErrorKind::malformed &&
          std::holds_alternative<delivery::Post>(action)) {
        spdlog::warn("post to {} refused as {}: sending it as plain text", channel, last.error);
      }
    } else if (auto* get_url = std::get_if<delivery::GetUploadUrl>(&action)) {
      std::vector<std::pair<std::string, std::string>> args = {
          {"filename", get_url->filename},
          {"length", std::to_string(get_url->length)},
          {"alt_txt", get_url->alt_text}};
      last = co_await self->api_.call_form("files.getUploadURLExternal", std::move(args), once);
      action = machine.upload_url(last);
    } else if (auto* send_file = std::get_if<delivery::SendFile>(&action)) {
      last = co_await self->api_.upload(send_file->url, *png, "image/png");
      action = machine.uploaded(last);
    } else if (auto* complete = std::get_if<delivery::CompleteUpload>(&action)) {
      // Never resent blindly: a lost answer may follow a share (the machine looks first).
      CallOptions unsure = once;
      unsure.retry_ambiguous = false;
      last = co_await self->api_.call_json("files.completeUploadExternal",
                                           std::move(complete->body), unsure);
      action = machine.completed(last);
    } else if (auto* wait = std::get_if<delivery::Wait>(&action)) {
      spdlog::info("post (outbox row {}) failed with {}; trying again in {} s", post.outbox_seq,
                   last.error, wait->pause.count());
      co_await self->slots_.pause_without_slot(pause, wait->pause, post.message.priority);
      action = machine.waited();
    } else {
      break;
    }
  }
  auto& done = std::get<delivery::Done>(action);
  bool posted = done.outcome == delivery::Outcome::delivered ||
                done.outcome == delivery::Outcome::already_posted;
  // Counted once the post is in Slack (a held or kept one is counted when it goes out).
  if (post.message.chart && post.message.ephemeral_to.empty() && posted) {
    bool drawn_and_sent = png && done.chart_error.empty();
    self->metrics_.add("itpm_charts_total",
                       {{"result", drawn_and_sent ? "uploaded" : "text_instead"}});
    if (drawn_and_sent) {
      spdlog::info("chart {} of outbox row {} is in {}", post.message.chart->file_stem,
                   post.outbox_seq, done.channel);
    }
    // (When the text was refused too, report_undelivered below says so, once.)
    if (!done.chart_error.empty()) co_await chart_refused(self, post, done);
  }
  switch (done.outcome) {
    case delivery::Outcome::keep:
      // The token no longer works (already reported, /readyz says so): the post stays in the
      // outbox and goes out when the bot starts again with a working token.
      spdlog::info("outbox row {} kept: Slack refused the bot token ({})", post.outbox_seq,
                   done.result.error);
      co_return;
    case delivery::Outcome::refused:
      co_await report_undelivered(self, post, done.channel, done.result);
      co_return;
    case delivery::Outcome::held:
      if (!start) start = WorkingStart{done.held_until, "UTC"};
      co_await hold(self, post, *start);
      co_return;
    case delivery::Outcome::delivered:
    case delivery::Outcome::already_posted:
      if (post.message.after_post.kind != commands::AfterPost::Kind::nothing) {
        co_await record_posted(self, post, done.channel, done.result.body.value("ts", ""));
        co_return;
      }
      if (post.outbox_seq != 0) self->dequeue(post.outbox_seq);
      co_return;
  }
}

net::awaitable<std::optional<FollowUps::WorkingStart>> FollowUps::held_until(FollowUps* self,
                                                                             std::string user) {
  if (!self->hours_) co_return std::nullopt;
  // The check answers at once (a cached zone) or later (users.info): a timer stands for it.
  std::optional<std::optional<WorkingStart>> answer;
  net::steady_timer answered(self->executor_, net::steady_timer::time_point::max());
  self->hours_(user, [&answer, &answered](std::optional<WorkingStart> until) {
    answer = std::move(until);
    answered.cancel();
  });
  if (!answer) co_await answered.async_wait(net::as_tuple(net::use_awaitable));
  co_return answer.value_or(std::nullopt);
}

net::awaitable<void> FollowUps::hold(FollowUps* self, const QueuedPost& post,
                                     const WorkingStart& start) {
  std::int64_t now = commands::millis(std::chrono::system_clock::now());
  storage::Batch batch;
  if (post.outbox_seq != 0) self->repos_.outbox().dequeue(batch, post.outbox_seq);
  self->repos_.jobs().schedule(
      batch, start.at, commands::job_row(commands::HeldDm{commands::to_outbox(post.message)}));
  std::string when = commands::show_time(start.at, start.zone) + " their time";
  if (!post.message.about_item.empty()) {
    self->repos_.note(batch, post.message.about_item,
                      storage::Change{std::string(commands::bot_actor), now, "held"},
                      fmt::format("a DM to {} held until {}: outside their working hours",
                                  commands::user_mention(post.message.to_user), when));
  }
  auto r = co_await commit(self->executor_, self->repos_.store(), std::move(batch));
  if (!r) {
    // Still in the outbox: it goes out (or is held) when the bot starts again.
    spdlog::error("cannot hold a DM to {} for their working hours: {}", post.message.to_user,
                  r.error);
    co_return;
  }
  spdlog::info("DM to {} held until {} (outside their working hours)", post.message.to_user, when);
  if (self->on_schedule_) self->on_schedule_();
}

net::awaitable<void> FollowUps::join_once(FollowUps* self, std::string channel) {
  if (channel.empty() || (channel[0] != 'C' && channel[0] != 'G') ||
      self->joined_.contains(channel))
    co_return;
  nlohmann::json args = {{"channel", channel}};
  ApiResult r = co_await self->api_.call_json("conversations.join", std::move(args));
  if (r.ok || classify_api_error(r.error) != ApiErrorKind::transient) self->joined_.insert(channel);
  if (r.ok) co_return;
  if (r.error == "missing_scope" && !self->join_scope_missing_) {
    self->join_scope_missing_ = true;
    spdlog::warn(
        "cannot join channels: the app lacks the channels:join scope; posts go out "
        "(chat:write.public) but a post interrupted by a crash may repeat. {}",
        how_to_fix("missing_scope", channel, "channels:join"));
  } else if (r.error != "method_not_supported_for_channel_type") {
    spdlog::info("cannot join {} ({}): the post will say what is wrong", channel, r.error);
  }
}

net::awaitable<void> FollowUps::report_undelivered(FollowUps* self, const QueuedPost& post,
                                                   const std::string& channel,
                                                   const ApiResult& result) {
  const commands::PostMessage& message = post.message;
  auto kind = classify_api_error(result.error);
  self->metrics_.add("itpm_posts_undelivered_total", {{"reason", result.error}});
  spdlog::warn("post to {} not delivered: {} ({})", channel.empty() ? message.to_user : channel,
               result.error, to_string(kind));
  bool dm = !message.to_user.empty();
  auto needed = result.body.is_object() ? result.body.find("needed") : result.body.end();
  std::string scope = needed != result.body.end() && needed->is_string()
                          ? needed->get<std::string>()
                          : std::string();
  commands::Refusal refusal{commands::refusal_where(message, channel), result.error,
                            how_to_fix(result.error, dm ? std::string() : channel, scope)};
  const std::string& where = refusal.where;

  std::string told;
  std::vector<commands::Effect> dms;
  storage::Batch batch;
  auto now = std::chrono::system_clock::now();
  if (!message.fallback_response_url.empty()) {
    bool ok = co_await tell_caller(self, message, commands::refusal_for_caller(refusal));
    told = ok ? "the person who asked was told" : "the person who asked could not be told";
  } else if (!message.asked_by.empty() && message.asked_by != message.to_user) {
    // Asked for in a DM or a mention: the person who asked hears of it at once, by DM.
    commands::PostMessage tell;
    tell.priority = commands::PostPriority::urgent;
    tell.to_user = message.asked_by;
    tell.text = commands::refusal_for_asker(refusal, message);
    dms.emplace_back(std::move(tell));
    told = commands::user_mention(message.asked_by) + " (who asked) told by DM";
  } else if (kind == ApiErrorKind::needs_person) {
    // The scheduler's post: the people it names hear of it by DM, each at most once a day
    // per channel (kept in the store, so a restart does not tell them again).
    auto day = std::chrono::floor<std::chrono::days>(now).time_since_epoch().count();
    std::string told_key = dm ? "dm:" + message.to_user : channel;
    std::vector<std::string> told_now;
    std::vector<std::string> told_before;
    for (const auto& user : message.tell_if_refused) {
      auto& last = self->told_[{told_key, user}];
      if (last == day || self->repos_.told_about(told_key, user, day)) {
        told_before.push_back(user);
        continue;
      }
      last = day;
      self->repos_.mark_told(batch, told_key, user, day);
      told_now.push_back(user);
      commands::PostMessage tell;
      tell.priority = commands::PostPriority::urgent;
      tell.to_user = user;
      tell.text = commands::refusal_for_owner(refusal, message);
      dms.emplace_back(std::move(tell));
    }
    if (!told_now.empty()) told = commands::user_mentions(told_now) + " told by DM";
    if (!told_before.empty()) {
      told +=
          (told.empty() ? "" : "; ") + commands::user_mentions(told_before) + " already told today";
    }
  }
  if (told.empty()) told = "nobody else could be told";
  commands::Undelivered undelivered;
  undelivered.item = message.about_item;
  undelivered.what = message.about_what;
  undelivered.where = where;
  undelivered.error = result.error;
  undelivered.told = told;
  undelivered.at_ms = commands::millis(now);
  commands::record_undelivered(self->repos_, batch, undelivered);
  if (post.outbox_seq != 0) self->repos_.outbox().dequeue(batch, post.outbox_seq);
  auto queued = queue_posts(self->repos_, batch, dms, undelivered.at_ms);
  if (batch.empty()) co_return;
  auto r = co_await commit(self->executor_, self->repos_.store(), std::move(batch));
  if (!r) {
    // The refused post stays in the outbox: the bot tries it again when it starts.
    spdlog::error("cannot store what happened to a refused post to {}: {}", where, r.error);
    co_return;
  }
  for (auto& q : queued) self->post(std::move(q));
}

net::awaitable<bool> FollowUps::tell_caller(FollowUps* self, const commands::PostMessage& message,
                                            std::string warning) {
  nlohmann::json blocks = nlohmann::json::array();
  blocks.push_back({{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", warning}}}});
  for (const auto& block : message.blocks) {
    if (blocks.size() < 50) blocks.push_back(block);
  }
  nlohmann::json reply = {{"response_type", "ephemeral"},
                          {"replace_original", false},
                          {"text", warning + "\n\n" + message.text},
                          {"blocks", std::move(blocks)}};
  ApiResult r = co_await self->api_.respond(message.fallback_response_url, std::move(reply));
  if (!r.ok) spdlog::warn("could not tell the caller either (response_url: {})", r.error);
  co_return r.ok;
}

net::awaitable<std::optional<std::string>> FollowUps::find_posted(FollowUps* self,
                                                                  std::string channel,
                                                                  std::vector<std::string> wanted,
                                                                  std::int64_t oldest_ms,
                                                                  History* history) {
  auto first_of = [&wanted](const std::map<std::string, std::string>& keys) {
    std::optional<std::string> ts;
    for (const auto& key : wanted) {
      if (auto it = keys.find(key); it != keys.end() && !ts) ts = it->second;
    }
    return ts;
  };
  if (history != nullptr) {
    if (auto it = history->keys.find(channel); it != history->keys.end())
      co_return first_of(it->second);
    oldest_ms = history->oldest_ms;
  }
  // A minute of slack for clocks; Slack's `oldest` is a ts in seconds.
  std::int64_t oldest_s = std::max<std::int64_t>(0, oldest_ms / 1000 - 60);
  std::map<std::string, std::string> keys;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    std::vector<std::pair<std::string, std::string>> args = {
        {"channel", channel},
        {"oldest", std::to_string(oldest_s) + ".000000"},
        {"limit", "200"},
        {"include_all_metadata", "true"}};
    if (!cursor.empty()) args.emplace_back("cursor", cursor);
    ApiResult r = co_await self->api_.call_form("conversations.history", std::move(args), {}, true);
    if (!r.ok) {
      spdlog::warn("cannot read the history of {} ({}): a post there may repeat", channel, r.error);
      break;
    }
    for (const auto& m : r.body.value("messages", nlohmann::json::array())) {
      // Only the bot's own messages: anyone can attach metadata to theirs.
      if (self->identity_ && m.value("bot_id", "") != self->identity_->bot_id) continue;
      // A chart carries the key in its file name (delivery::Machine::chart_file_name).
      for (const auto& file : m.value("files", nlohmann::json::array())) {
        auto k = delivery::Machine::chart_key(file.is_object() ? file.value("name", "") : "");
        if (!k.empty()) keys.emplace("file:" + k, m.value("ts", ""));
      }
      const auto* meta = m.contains("metadata") ? &m["metadata"] : nullptr;
      if (meta == nullptr || !meta->is_object() || meta->value("event_type", "") != "itpm_post")
        continue;
      auto k = meta->value(nlohmann::json::json_pointer("/event_payload/key"), std::string());
      if (!k.empty()) keys.emplace(k, m.value("ts", ""));
    }
    cursor =
        r.body.value(nlohmann::json::json_pointer("/response_metadata/next_cursor"), std::string());
    if (cursor.empty()) break;
  }
  std::optional<std::string> ts = first_of(keys);
  if (history != nullptr) history->keys[channel] = std::move(keys);
  co_return ts;
}

net::awaitable<void> FollowUps::chart_refused(FollowUps* self, const QueuedPost& post,
                                              const delivery::Done& done) {
  const commands::PostMessage& message = post.message;
  std::string where = done.channel.empty() ? message.to_user : done.channel;
  spdlog::warn("chart of outbox row {} not uploaded to {}: {}; its text stands for it",
               post.outbox_seq, where, done.chart_error);
  // Someone who asked for the picture hears why it did not come and how to get it.
  if (message.fallback_response_url.empty() ||
      classify_api_error(done.chart_error) != ApiErrorKind::needs_person)
    co_return;
  std::string scope = done.chart_error == "missing_scope" ? "files:write" : "";
  nlohmann::json body = {
      {"response_type", "ephemeral"},
      {"replace_original", false},
      {"text",
       fmt::format("⚠️ The picture was not posted ({}). {} The text version went instead.",
                   done.chart_error, how_to_fix(done.chart_error, where, scope))}};
  ApiResult r = co_await self->api_.respond(message.fallback_response_url, std::move(body));
  if (!r.ok) spdlog::warn("cannot tell the caller about the chart: {}", r.error);
}

net::awaitable<void> FollowUps::send_response(FollowUps* self, std::string url,
                                              nlohmann::json body) {
  std::string error;
  try {
    ApiResult r = co_await self->api_.respond(std::move(url), std::move(body));
    if (!r.ok) spdlog::warn("response_url post failed: {}", r.error);
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) self->health_.failed("posts", "answering a command's response_url", error);
  self->finished();
}

net::awaitable<void> FollowUps::record_posted(FollowUps* self, const QueuedPost& post,
                                              const std::string& channel, const std::string& ts) {
  commands::Posted posted;
  posted.after = post.message.after_post;
  posted.channel = channel;
  posted.ts = ts;
  posted.at_ms = commands::millis(std::chrono::system_clock::now());
  if (posted.after.wants_permalink()) {
    std::vector<std::pair<std::string, std::string>> args = {{"channel", channel},
                                                             {"message_ts", ts}};
    ApiResult link = co_await self->api_.call_form("chat.getPermalink", std::move(args), {}, true);
    if (link.ok) {
      posted.permalink = link.body.value("permalink", "");
    } else {
      spdlog::warn("chat.getPermalink failed: {}", link.error);
    }
  }
  // The item may change meanwhile (a vote, a supersede): its new state is read again and the
  // note of where it was posted made anew.
  for (int tried = 1;; ++tried) {
    storage::Batch batch;
    {
      storage::ReadSet reads;
      commands::record_posted(self->repos_, batch, posted);
      reads.expect_in(batch);
    }
    if (post.outbox_seq != 0) self->repos_.outbox().dequeue(batch, post.outbox_seq);
    if (batch.empty()) co_return;
    auto r = co_await commit(self->executor_, self->repos_.store(), std::move(batch));
    if (r.conflict && tried < 4) continue;
    if (!r) {
      spdlog::error("cannot store where a post landed in {}: {}", posted.channel, r.error);
      co_return;
    }
    if (posted.after.kind == commands::AfterPost::Kind::decision)
      spdlog::info("decision D-{} stored with where it was posted", posted.after.number);
    for (const auto& effect : commands::after_recorded(self->repos_, posted)) {
      if (const auto* refresh = std::get_if<commands::RefreshSurvey>(&effect)) {
        QueuedPost queued;
        queued.refresh_survey = refresh->survey;
        self->post(std::move(queued));
      }
    }
    co_return;
  }
}

void FollowUps::dequeue(std::uint64_t seq) {
  if (seq == 0) return;
  storage::Batch batch;
  repos_.outbox().dequeue(batch, seq);
  repos_.store().commit_async(std::move(batch), [seq](storage::CommitResult r) {
    if (!r) spdlog::error("cannot remove outbox row {}: {}", seq, r.error);
  });
}

void FollowUps::quarantine(std::uint64_t seq, const std::string& doing, const std::string& error) {
  health_.failed("posts", doing, error);
  if (seq == 0) return;
  storage::Batch batch;
  repos_.outbox().quarantine(batch, seq, error, commands::millis(std::chrono::system_clock::now()));
  metrics_.add("itpm_quarantined_total", {{"kind", "post"}});
  repos_.store().commit_async(std::move(batch), [seq](storage::CommitResult r) {
    if (!r) spdlog::error("cannot move outbox row {} to the quarantine: {}", seq, r.error);
  });
}

void FollowUps::started() {
  metrics_.set("itpm_outbox_depth", {}, ++pending_);
}

void FollowUps::finished() {
  metrics_.set("itpm_outbox_depth", {}, --pending_);
  idle_.cancel();
}

}  // namespace itpm::bot
