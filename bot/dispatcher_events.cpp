// The dispatcher's Events API side: who may talk to the bot (one organisation), commands
// typed in a DM or after the bot's mention (each answered once, by post), and the chatter cap.
#include "bot/dispatch_support.hpp"
#include "bot/dispatcher.hpp"

#include "commands/areas/config_commands.hpp"
#include "commands/areas/handler_support.hpp"

#include <spdlog/spdlog.h>

namespace itpm::bot {

using dispatch::finished;
using dispatch::outsider_line;
using dispatch::run_handler;

bool Dispatcher::outsider(const std::string& team) const {
  return identity_ && !identity_->team_id.empty() && !team.empty() && team != identity_->team_id;
}

void Dispatcher::refuse_outsider(const Envelope& envelope,
                                 const std::function<void(Dispatched)>& done) {
  commands::Reply line =
      commands::text_reply(commands::Visibility::ephemeral, {outsider_line(identity_)});
  Dispatched d;
  if (envelope.type == "slash_commands") {
    std::string url = envelope.payload.value("response_url", "");
    d = finished(line, {}, envelope.accepts_response_payload ? "" : url, false);
  } else if (envelope.type == "interactive") {
    if (auto press = parse_button_press(envelope.payload); press && !press->response_url.empty())
      d = finished(line, {}, press->response_url, true);
  } else if (auto event = parse_event(envelope.payload);
             event && (event->type == "app_mention" || event->type == "message") &&
             is_slack_id(event->channel) && is_slack_id(event->user) && !event->from_bot &&
             chatter_allowed(event->user, std::chrono::steady_clock::now(), false)) {
    // Sent as it is, not through the outbox: an outsider's message writes nothing.
    QueuedPost post;
    post.message.priority = commands::PostPriority::chatter;
    post.message.channel = event->channel;
    if (event->channel_type != "im") post.message.ephemeral_to = event->user;
    post.message.thread_ts = event->thread_ts;
    post.message.text = line.text;
    d.posts.push_back(std::move(post));
  }
  spdlog::info("{} from {} (team {}) refused: not a member of the workspace", envelope.type,
               envelope.type == "slash_commands" ? envelope.payload.value("user_id", "")
                                                 : std::string("an outsider"),
               sender_team(envelope));
  done(std::move(d));
}

void Dispatcher::handle_event(const nlohmann::json& payload,
                              const std::function<void(Dispatched)>& done) {
  if (auto it = payload.find("event"); it != payload.end() && revokes_bot_token(*it, identity_)) {
    if (on_token_revoked_) on_token_revoked_(it->value("type", ""));
    done({});
    return;
  }
  auto event = parse_event(payload);
  if (!event) {
    done({});  // app_rate_limited and the like carry no event
    return;
  }
  const std::string& event_id = event->event_id;
  auto now_ms = commands::millis(std::chrono::system_clock::now());
  // Slack redelivers an event it saw no ack for, also to the next run of the bot: the ids
  // handled are remembered in the store, with the outbox row of what they led to.
  if (!event_id.empty() &&
      (events_in_flight_.contains(event_id) || repos_.seen_events().seen(event_id, now_ms))) {
    spdlog::debug("event {} seen before: acked, not handled again", event_id);
    done({});
    return;
  }
  if (event->type == "app_home_opened") {
    // Published afresh each time the tab is opened; nothing is written.
    if (!is_slack_id(event->user) || event->tab != "home") {
      done({});
      return;
    }
    home_users_.insert(event->user);
    publish_home(event->user, {}, done);
    return;
  }
  bool direct_message = event->type == "message" && event->channel_type == "im";
  bool own = identity_ && event->user == identity_->user_id;
  if (!is_slack_id(event->channel) || !is_slack_id(event->user) || event->from_bot || own ||
      (event->type != "app_mention" && !direct_message)) {
    done({});
    return;
  }
  // In a DM, or after the bot's mention, /itpm's grammar works without "/itpm".
  std::string text = typed_command(event->text, event->type == "app_mention");
  bool is_command = registry_.starts_command(text);
  if (!chatter_allowed(event->user, std::chrono::steady_clock::now(), is_command)) {
    spdlog::debug("{} sent more than a minute's share of DMs and mentions: acked, not answered",
                  event->user);
    done({});
    return;
  }
  commands::PostMessage post;
  post.priority = commands::PostPriority::chatter;
  post.channel = event->channel;
  if (!direct_message) post.thread_ts = event->thread_ts.empty() ? event->ts : event->thread_ts;
  post.text = "Hi <@" + event->user +
              ">! I answer to `/itpm`: try `/itpm help`, or type a command after my name or in "
              "a DM to me, like `risk list`.";
  commands::Command command;
  command.user_id = event->user;
  command.channel_id = event->channel;
  command.text = text;
  run_typed(TypedCommand{std::move(command), std::move(post), is_command, direct_message, event_id},
            done);
}

void Dispatcher::run_typed(TypedCommand typed, const std::function<void(Dispatched)>& done) {
  if (!typed.event_id.empty()) events_in_flight_.insert(typed.event_id);
  // The event's id is forgotten once its answer is committed (or given up): until then a
  // redelivery is acked and dropped.
  auto finish = [this, event_id = typed.event_id, reply_to = typed.post,
                 direct = typed.direct_message,
                 user = typed.command.user_id](const std::function<void(Dispatched)>& then) {
    return [this, event_id, reply_to, direct, user, then](Dispatched d) {
      if (!event_id.empty()) events_in_flight_.erase(event_id);
      if (d.ack_payload && d.ack_payload->contains("text")) {
        // An events ack carries no reply (Slack ignores it): what would have ridden on it
        // ("Not saved: …") goes to the person as a message of its own, sent as it is since
        // nothing could be written.
        QueuedPost told;
        told.message = reply_to;
        told.message.priority = commands::PostPriority::normal;
        if (!direct) told.message.ephemeral_to = user;
        told.message.text = d.ack_payload->value("text", "");
        told.message.blocks = d.ack_payload->value("blocks", nlohmann::json::array());
        d.posts.push_back(std::move(told));
      }
      d.ack_payload.reset();
      then(std::move(d));
    };
  };
  auto proceed = [this, typed, done, finish](const UserInfo& info) {
    if (outsider(info.team)) {
      events_in_flight_.erase(typed.event_id);
      Dispatched d;
      QueuedPost line;
      line.message = typed.post;
      if (!typed.direct_message) line.message.ephemeral_to = typed.command.user_id;
      line.message.text = outsider_line(identity_);
      d.posts.push_back(std::move(line));
      done(std::move(d));
      return;
    }
    auto prepared = typed.is_command ? registry_.prepare(typed.command) : nullptr;
    auto runs = prepared ? prepared->access() : commands::Access::reads;
    bool writes = runs == commands::Access::writes;
    // The answer is a post in the thread (or the DM), in the same batch as the event's id: a
    // redelivered event finds it handled.
    Attempt attempt = [this, typed, writes, prepared,
                       zone = info.zone](std::chrono::system_clock::time_point at) {
      commands::Outcome outcome;
      const commands::Command& command = typed.command;
      if (typed.is_command) {
        commands::Context context = commands::make_context(repos_, settings_, at, zone);
        outcome = run_handler(
            writes, [&] { return commands::Registry::handle(*prepared, command, context); });
        // Posts the command asks for elsewhere: if Slack refuses one, the person who asked
        // hears of it by DM (there is no response_url to answer on).
        for (auto& effect : outcome.effects) {
          if (auto* asked = std::get_if<commands::PostMessage>(&effect))
            asked->asked_by = command.user_id;
        }
        if (!outcome.reply.text.empty() || !outcome.reply.blocks.empty()) {
          commands::PostMessage answer = typed.post;
          answer.priority = commands::PostPriority::normal;
          // A query's answer is the asker's alone, as for /itpm, unless --share.
          if (!typed.direct_message && outcome.reply.visibility == commands::Visibility::ephemeral)
            answer.ephemeral_to = command.user_id;
          answer.text = std::move(outcome.reply.text);
          answer.blocks = std::move(outcome.reply.blocks);
          dispatch::put_first(outcome.effects, std::move(answer));
          outcome.reply = {};
        }
      } else {
        outcome.effects.emplace_back(typed.post);
      }
      if (typed.event_id.empty()) return outcome;
      constexpr std::int64_t remembered_ms = 2 * 60 * 60 * 1000;  // Slack retries within an hour
      auto at_ms = commands::millis(at);
      repos_.seen_events().remember(outcome.writes, typed.event_id, at_ms + remembered_ms);
      repos_.seen_events().expire(outcome.writes, at_ms, 16);
      return outcome;
    };
    if (worker_ && late_ && runs == commands::Access::reads_page &&
        complete_within_budget(attempt, "", false, finish(done)))
      return;
    if (worker_ && late_ &&
        (runs == commands::Access::reads_widely || runs == commands::Access::reads_page)) {
      // Read on the worker like /itpm's: the I/O thread never runs a long read. The event's
      // ack carries nothing; the answer is a post either way.
      run_on_worker(typed.command.user_id, std::move(attempt), "", false, finish(done),
                    finish(late_), std::nullopt);
      return;
    }
    complete(std::move(attempt), "", false, finish(done));
  };
  if (!typed.is_command || !zone_lookup_) {
    proceed(UserInfo{});
    return;
  }
  zone_lookup_(typed.command.user_id, proceed);
}

std::string Dispatcher::typed_command(std::string_view text, bool mention) const {
  auto trim = [](std::string_view t) {
    auto first = t.find_first_not_of(" \t\n");
    if (first == std::string_view::npos) return std::string_view();
    return t.substr(first, t.find_last_not_of(" \t\n") - first + 1);
  };
  text = trim(text);
  // The bot's mention (<@U0BOT> or <@U0BOT|itpm>) that starts an app_mention (any leading
  // mention there, while the bot does not know its own id yet).
  if (text.starts_with("<@") &&
      (identity_ ? text.starts_with("<@" + identity_->user_id) : mention)) {
    auto close = text.find('>');
    if (close != std::string_view::npos) text = trim(text.substr(close + 1));
  }
  for (std::string_view lead : {"/itpm ", "itpm "}) {
    if (text.starts_with(lead)) text = trim(text.substr(lead.size()));
  }
  return std::string(text);
}

bool Dispatcher::chatter_allowed(const std::string& user, std::chrono::steady_clock::time_point now,
                                 bool command) {
  constexpr auto minute = std::chrono::minutes(1);
  if (chatter_.size() > 10000)
    std::erase_if(chatter_, [&](const auto& e) { return now - e.second.window >= minute; });
  Chatter& c = chatter_[user];
  if (now - c.window >= minute) c = Chatter{now, 0, 0};
  return command ? ++c.commands <= commands_per_minute : ++c.replies <= chatter_per_minute;
}

}  // namespace itpm::bot
