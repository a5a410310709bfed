#include "bot/dispatcher.hpp"

#include "bot/async_commit.hpp"

#include "commands/areas/config_commands.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/forms/home.hpp"
#include "commands/render/reply.hpp"
#include "commands/render/slack_text.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>

namespace itpm::bot {

namespace net = boost::asio;

namespace {

// What a handled envelope leads to. An empty reply means the command's post is its answer:
// the ack carries nothing. Without a response_url the reply rides on the ack.
Dispatched finished(commands::Reply reply, std::vector<QueuedPost> posts,
                    const std::string& response_url, bool keep_original) {
  Dispatched d;
  if (!reply.text.empty() || !reply.blocks.empty()) {
    nlohmann::json payload = reply_payload(reply);
    if (response_url.empty()) {
      d.ack_payload = std::move(payload);
    } else {
      // A reply to a button press is a new ephemeral message, not a replacement of the poll.
      if (keep_original) payload["replace_original"] = false;
      d.response_url = response_url;
      d.follow_up = std::move(payload);
    }
  }
  d.posts = std::move(posts);
  return d;
}

// Runs `handler`; for a command that writes, with the records it reads noted and its writes
// made conditional on them. A command that writes nothing keeps no read set: a long list costs
// no bookkeeping.
template <class Handler>
commands::Outcome run_handler(bool writes, const Handler& handler) {
  if (!writes) return handler();
  storage::ReadSet reads;
  commands::Outcome outcome = handler();
  if (!outcome.writes.empty()) reads.expect_in(outcome.writes);
  return outcome;
}

// The one line an outsider (a member of another organisation in a shared channel) gets.
std::string outsider_line(const std::optional<BotIdentity>& identity) {
  std::string team = identity && !identity->team.empty() ? identity->team : "this workspace";
  return "🚫 itpm-bot answers members of " + team +
         " only. Nothing was read or changed; ask a member of " + team + " to run the command.";
}

commands::Reply not_saved(const storage::CommitResult& result) {
  if (!result.conflict) {
    return commands::error_reply(
        "Not saved: the bot cannot write to its disk right now (" + result.error +
            "). Nothing of this command was kept; please try again in a few minutes. The "
            "operator sees the problem on /readyz.",
        "");
  }
  std::string item = result.item.empty() ? "What you changed" : result.item;
  std::string look = result.item.empty() ? "" : " (`/itpm audit " + result.item + "`)";
  return commands::error_reply(item +
                                   " was changed by someone else while your command ran. "
                                   "Nothing was saved; look at it again" +
                                   look + " and retry.",
                               "");
}

}  // namespace

Dispatcher::Dispatcher(const commands::Registry& registry, commands::Settings settings,
                       storage::Repositories& repos, boost::asio::any_io_executor executor)
    : registry_(registry),
      settings_(std::move(settings)),
      repos_(repos),
      executor_(std::move(executor)) {}

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

void Dispatcher::handle(const Envelope& envelope, std::function<void(Dispatched)> done) {
  // A form's ack is its only answer (errors next to the fields): it is not cut short.
  bool submission = envelope.type == "interactive" && envelope.payload.is_object() &&
                    envelope.payload.value("type", nlohmann::json()) == "view_submission";
  if (!ack_within_ || !late_ || submission) {
    route(envelope, std::move(done));
    return;
  }
  struct Deadline {
    explicit Deadline(const net::any_io_executor& executor) : timer(executor) {}
    net::steady_timer timer;
    bool acked = false;
  };
  auto deadline = std::make_shared<Deadline>(executor_);
  auto url =
      envelope.payload.is_object() ? envelope.payload.find("response_url") : envelope.payload.end();
  std::string response_url =
      url != envelope.payload.end() && url->is_string() ? url->get<std::string>() : "";
  route(envelope, [this, deadline, done, response_url](Dispatched d) {
    if (!deadline->acked) {
      deadline->acked = true;
      deadline->timer.cancel();
      done(std::move(d));
      return;
    }
    // Acked already: what would have ridden on the ack goes by response_url.
    if (d.ack_payload && !response_url.empty() && !d.follow_up) {
      d.response_url = response_url;
      d.follow_up = std::move(d.ack_payload);
    }
    d.ack_payload.reset();
    late_(std::move(d));
  });
  if (deadline->acked) return;  // answered at once: no timer to arm
  bool slash = envelope.type == "slash_commands";
  deadline->timer.expires_after(*ack_within_);
  deadline->timer.async_wait([deadline, done = std::move(done), slash,
                              within = ack_within_->count()](const boost::system::error_code& ec) {
    if (ec || deadline->acked) return;
    deadline->acked = true;
    Dispatched d;
    if (slash) {
      d.ack_payload = reply_payload(
          commands::text_reply(commands::Visibility::ephemeral,
                               {"⏳ Saving… the result follows here once it is safely stored."}));
    }
    spdlog::warn("an envelope's answer took longer than {} ms: acked, the answer follows", within);
    done(std::move(d));
  });
}

void Dispatcher::route(const Envelope& envelope, std::function<void(Dispatched)> done) {
  if (outsider(sender_team(envelope))) {
    refuse_outsider(envelope, done);
    return;
  }
  if (envelope.type == "events_api") {
    handle_event(envelope.payload, done);
    return;
  }
  if (envelope.type == "interactive") {
    handle_interaction(envelope.payload, done);
    return;
  }
  if (envelope.type != "slash_commands") {
    done({});  // anything newer: an empty ack
    return;
  }
  commands::Command command = to_command(envelope.payload);
  if (open_form(command, {}, done)) return;
  run_in_zone(std::move(command), envelope.accepts_response_payload, false, std::move(done));
}

void Dispatcher::run_in_zone(commands::Command command, bool accepts, bool keep_original,
                             std::function<void(Dispatched)> done) {
  done = refreshing_home(command.user_id, std::move(done));
  if (!zone_lookup_) {
    run_command(command, accepts, keep_original, "", done);
    return;
  }
  std::string user = command.user_id;
  zone_lookup_(user, [this, command = std::move(command), accepts, keep_original,
                      done = std::move(done)](const UserInfo& info) {
    if (outsider(info.team)) {
      // users.info says the person belongs to another organisation (a shared channel).
      spdlog::info("a command from {} (team {}) refused: not a member of the workspace",
                   command.user_id, info.team);
      done(finished(
          commands::text_reply(commands::Visibility::ephemeral, {outsider_line(identity_)}), {},
          accepts ? "" : command.response_url, keep_original));
      return;
    }
    run_command(command, accepts, keep_original, info.zone, done);
  });
}

bool Dispatcher::open_form(const commands::Command& command, const commands::Prefill& prefill,
                           const std::function<void(Dispatched)>& done) {
  if (command.trigger_id.empty()) return false;
  auto form = commands::form_request(command.text, registry_.grammar());
  if (!form) return false;
  // A form for a program that is not open would only refuse on submit: the command's own
  // answer says what is wrong at once.
  if (auto program = form->pinned.find("program"); program != form->pinned.end()) {
    auto p = repos_.find<storage::Program>(commands::text_from_slack(program->second));
    if (!p || p->status != storage::ProgramStatus::open) return false;
  }
  auto now = std::chrono::system_clock::now();
  commands::Context context = commands::make_context(repos_, settings_, now, "");
  Dispatched d;
  d.view = ViewCall{"views.open",
                    {{"trigger_id", command.trigger_id},
                     {"view", commands::form_view(*form, context, command.channel_id, prefill)}},
                    command.response_url,
                    commands::usage(*form->area, *form->verb)};
  done(std::move(d));
  return true;
}

void Dispatcher::run_command(const commands::Command& command, bool accepts, bool keep_original,
                             const std::string& zone, const std::function<void(Dispatched)>& done) {
  auto traits = registry_.traits(command);
  Attempt attempt = [this, command, zone, traits](std::chrono::system_clock::time_point now) {
    commands::Context context = commands::make_context(repos_, settings_, now, zone);
    commands::Outcome outcome =
        run_handler(traits.writes, [&] { return registry_.handle(command, context); });
    // When Slack refuses a post a command asked for, its caller is told (FollowUps).
    for (auto& effect : outcome.effects) {
      if (auto* post = std::get_if<commands::PostMessage>(&effect)) {
        post->fallback_response_url = command.response_url;
      }
    }
    return outcome;
  };
  if (worker_ && traits.reads_widely) {
    nlohmann::json notice = reply_payload(commands::text_reply(
        commands::Visibility::ephemeral, {"⏳ Working on it… the answer follows here."}));
    run_on_worker(command.user_id, std::move(attempt), command.response_url, accepts, done, late_,
                  std::move(notice));
    return;
  }
  complete(std::move(attempt), accepts ? "" : command.response_url, keep_original, done);
}

void Dispatcher::run_on_worker(const std::string& user, Attempt attempt,
                               const std::string& response_url, bool accepts,
                               const std::function<void(Dispatched)>& done,
                               const std::function<void(Dispatched)>& late,
                               std::optional<nlohmann::json> notice) {
  // Shared by the notice timer and the worker's answer, both on the I/O thread: whichever
  // comes first decides whether the answer rides on the ack.
  struct Run {
    explicit Run(const net::any_io_executor& executor) : notice(executor) {}
    net::steady_timer notice;
    bool acked = false;
    bool answered = false;
  };
  auto run = std::make_shared<Run>(executor_);
  run->notice.expires_after(notice_after_);
  run->notice.async_wait(
      [run, done, notice = std::move(notice)](const boost::system::error_code& ec) {
        if (ec || run->answered) return;
        run->acked = true;
        Dispatched d;
        d.ack_payload = notice;
        done(std::move(d));
      });
  queue_for_worker(
      user, [this, run, attempt = std::move(attempt), response_url, accepts, done, late] {
        auto now = std::chrono::system_clock::now();
        commands::Outcome outcome;
        {
          storage::Store::ReadView view(repos_.store());
          outcome = attempt(now);
        }
        // What the I/O thread does with the answer.
        return std::function<void()>([this, run, outcome = std::move(outcome), now, attempt,
                                      response_url, accepts, done, late]() mutable {
          run->answered = true;
          run->notice.cancel();
          if (!run->acked) {
            complete_outcome(std::move(outcome), now, attempt, accepts ? "" : response_url, false,
                             done);
          } else {
            complete_outcome(std::move(outcome), now, attempt, response_url, false, late);
          }
        });
      });
}

void Dispatcher::queue_for_worker(const std::string& user, WorkerJob::Run job) {
  // A person whose commands kept the worker busy for more than their share of the last minute
  // waits behind everyone else: one person's deep reads cannot starve the rest.
  auto now = std::chrono::steady_clock::now();
  auto& used = worker_use_[user];
  if (now - used.window >= std::chrono::minutes(1)) used = WorkerUse{now, {}};
  bool over = used.spent > worker_share_;
  (over ? worker_later_ : worker_queue_).push_back(WorkerJob{user, std::move(job)});
  if (!worker_busy_) start_worker_job();
}

void Dispatcher::start_worker_job() {
  auto& queue = !worker_queue_.empty() ? worker_queue_ : worker_later_;
  if (queue.empty()) {
    worker_busy_ = false;
    return;
  }
  worker_busy_ = true;
  WorkerJob job = std::move(queue.front());
  queue.pop_front();
  net::post(*worker_, [this, job = std::move(job)] {
    auto started = std::chrono::steady_clock::now();
    auto answer = job.run();
    auto spent = std::chrono::steady_clock::now() - started;
    // One hand-off back: the answer, the time charged, the next job.
    net::post(executor_, [this, user = job.user, spent, answer = std::move(answer)] {
      answer();
      if (worker_use_.size() > 10000) worker_use_.clear();
      worker_use_[user].spent += spent;
      start_worker_job();
    });
  });
}

void Dispatcher::handle_interaction(const nlohmann::json& payload,
                                    const std::function<void(Dispatched)>& done) {
  if (payload.is_object() && payload.value("type", nlohmann::json()) == "view_submission") {
    handle_submission(payload, done);
    return;
  }
  if (auto shortcut = parse_message_shortcut(payload)) {
    handle_shortcut(*shortcut, done);
    return;
  }
  // A press of one of our buttons. The reply goes to the presser alone through the
  // response_url: an ack payload does nothing for block_actions (slack-protocol.md §9).
  auto press = parse_button_press(payload);
  if (!press || press->value.empty()) {
    done({});
    return;
  }
  if (press->action_id.starts_with(std::string(commands::run_action) + "_")) {
    // The button's value is a command; it runs as the person who pressed it.
    commands::Command command{press->user,  press->channel,      "",
                              press->value, press->response_url, press->trigger_id};
    if (open_form(command, {}, done)) return;
    run_in_zone(std::move(command), false, true, done);
    return;
  }
  if (!press->action_id.starts_with(commands::vote_action_prefix)) {
    done({});
    return;
  }
  commands::VotePress vote{press->user, press->value};
  Attempt attempt = [this, vote](std::chrono::system_clock::time_point now) {
    commands::Context context = commands::make_context(repos_, settings_, now, "");
    return run_handler(true, [&] { return commands::vote(vote, context); });
  };
  complete(std::move(attempt), press->response_url, true, done);
}

void Dispatcher::handle_submission(const nlohmann::json& payload,
                                   const std::function<void(Dispatched)>& done) {
  std::string user = interaction_user(payload);
  auto view = payload.find("view");
  auto submission = !user.empty() && view != payload.end()
                        ? commands::read_form(*view, registry_.grammar())
                        : std::nullopt;
  if (!submission) {
    done({});  // a view that is not one of our forms: closed
    return;
  }
  auto errors_ack = [](const std::map<std::string, std::string>& errors) {
    Dispatched d;
    d.ack_payload = nlohmann::json{{"response_action", "errors"}, {"errors", errors}};
    return d;
  };
  if (!submission->errors.empty()) {
    done(errors_ack(submission->errors));
    return;
  }
  commands::Command command{user, submission->channel, "", "", "", ""};
  Attempt attempt = [this, submission = *submission,
                     command](std::chrono::system_clock::time_point now) {
    commands::Context context = commands::make_context(repos_, settings_, now, "");
    commands::Outcome outcome = run_handler(
        true, [&] { return commands::Registry::handle_parsed(submission.cmd, command, context); });
    if (outcome.writes.empty()) return outcome;  // a mistake: the form shows it
    // Saved: the command's reply goes where the form was opened (a DM without a channel).
    commands::Reply& reply = outcome.reply;
    if (!reply.text.empty() || !reply.blocks.empty()) {
      commands::PostMessage post;
      post.text = std::move(reply.text);
      post.blocks = std::move(reply.blocks);
      if (command.channel_id.empty()) {
        post.to_user = command.user_id;
      } else {
        post.channel = command.channel_id;
        if (reply.visibility == commands::Visibility::ephemeral)
          post.ephemeral_to = command.user_id;
        post.tell_if_refused = {command.user_id};
      }
      outcome.effects.insert(outcome.effects.begin(), std::move(post));
    }
    outcome.reply = {};
    return outcome;
  };
  // The ack closes the form once the change is durable; a mistake (or a failed commit) keeps
  // it open with the message on the field it concerns.
  complete(
      std::move(attempt), "", false,
      [submission = *submission, done = refreshing_home(user, done), errors_ack](Dispatched d) {
        if (d.ack_payload) {
          commands::Reply mistake;
          mistake.text = d.ack_payload->value("text", "");
          mistake.blocks = d.ack_payload->value("blocks", nlohmann::json::array());
          d.ack_payload = errors_ack(commands::field_errors(submission, mistake)).ack_payload;
        }
        done(std::move(d));
      });
}

ViewCall Dispatcher::home_of(const std::string& user) {
  commands::Context context =
      commands::make_context(repos_, settings_, std::chrono::system_clock::now(), "");
  return ViewCall{
      "views.publish", {{"user_id", user}, {"view", commands::home_view(user, context)}}, "", ""};
}

std::function<void(Dispatched)> Dispatcher::refreshing_home(const std::string& user,
                                                            std::function<void(Dispatched)> done) {
  return [this, user, done = std::move(done)](Dispatched d) {
    if (!d.changed || d.view) {
      done(std::move(d));
      return;
    }
    // Whoever made the change, and whoever it sends a DM to (a new owner, an escalation).
    std::set<std::string> concerned;
    if (home_users_.contains(user)) concerned.insert(user);
    for (const auto& post : d.posts) {
      if (home_users_.contains(post.message.to_user)) concerned.insert(post.message.to_user);
    }
    if (concerned.empty()) {
      done(std::move(d));
      return;
    }
    std::string first = concerned.contains(user) ? user : *concerned.begin();
    concerned.erase(first);
    publish_home(first, std::move(d), done);
    if (!worker_ || !late_) return;  // without a worker, one view rides on `done`
    for (const auto& other : concerned) publish_home(other, {}, [](const Dispatched&) {});
  };
}

void Dispatcher::publish_home(const std::string& user, Dispatched d,
                              const std::function<void(Dispatched)>& done) {
  if (!worker_ || !late_) {
    d.view = home_of(user);
    done(std::move(d));
    return;
  }
  done(std::move(d));
  auto [building, fresh] = homes_building_.try_emplace(user, false);
  if (!fresh) {
    building->second = true;  // the build under way may have read before this change
    return;
  }
  build_home(user);
}

void Dispatcher::build_home(const std::string& user) {
  net::post(*worker_, [this, user] {
    std::optional<ViewCall> home;
    {
      storage::Store::ReadView view(repos_.store());
      home = home_of(user);
    }
    net::post(executor_, [this, user, home = std::move(*home)] {
      Dispatched d;
      d.view = home;
      late_(std::move(d));
      auto again = homes_building_.find(user);
      if (again != homes_building_.end() && again->second) {
        again->second = false;
        build_home(user);
        return;
      }
      homes_building_.erase(user);
    });
  });
}

void Dispatcher::handle_shortcut(const MessageShortcut& shortcut,
                                 const std::function<void(Dispatched)>& done) {
  std::string verb = shortcut.callback_id == commands::log_decision_shortcut ? "decision add"
                     : shortcut.callback_id == commands::log_risk_shortcut   ? "risk add"
                                                                             : "";
  if (verb.empty() || shortcut.trigger_id.empty()) {
    done({});
    return;
  }
  commands::Command command{shortcut.user, shortcut.channel, "", verb, "", shortcut.trigger_id};
  auto open = [this, command, shortcut, done](const std::string& link) {
    if (!open_form(
            command,
            commands::shortcut_prefill(command.text, shortcut.message_text, shortcut.author, link),
            done))
      done({});
  };
  if (!permalink_lookup_ || shortcut.message_ts.empty()) {
    open("");
    return;
  }
  permalink_lookup_(shortcut.channel, shortcut.message_ts, open);
}

void Dispatcher::complete(Attempt attempt, const std::string& response_url, bool keep_original,
                          const std::function<void(Dispatched)>& done) {
  auto now = std::chrono::system_clock::now();
  commands::Outcome outcome = attempt(now);
  complete_outcome(std::move(outcome), now, std::move(attempt), response_url, keep_original, done);
}

void Dispatcher::complete_outcome(commands::Outcome outcome,
                                  std::chrono::system_clock::time_point now, Attempt attempt,
                                  const std::string& response_url, bool keep_original,
                                  const std::function<void(Dispatched)>& done) {
  std::vector<QueuedPost> posts =
      queue_posts(repos_, outcome.writes, outcome.effects, commands::millis(now));
  if (outcome.writes.empty()) {
    done(finished(std::move(outcome.reply), std::move(posts), response_url, keep_original));
    return;
  }
  // The reply and posts wait for the commit; on failure the user hears that nothing was saved
  // (the batch is atomic) and nothing is posted.
  net::co_spawn(executor_,
                commit_then_finish(this, std::move(outcome), std::move(posts), std::move(attempt),
                                   response_url, keep_original, done),
                net::detached);
}

net::awaitable<void> Dispatcher::commit_then_finish(Dispatcher* self, commands::Outcome outcome,
                                                    std::vector<QueuedPost> posts, Attempt attempt,
                                                    std::string response_url, bool keep_original,
                                                    std::function<void(Dispatched)> done) {
  for (int tried = 1;; ++tried) {
    auto committed =
        co_await commit(self->executor_, self->repos_.store(), std::move(outcome.writes));
    if (committed) {
      if (self->on_commit_) self->on_commit_();
      Dispatched d =
          finished(std::move(outcome.reply), std::move(posts), response_url, keep_original);
      d.changed = true;
      done(std::move(d));
      co_return;
    }
    if (committed.conflict && tried < max_attempts) {
      // Read again what changed meanwhile and decide again: the reply may differ now ("already
      // exists", "already closed").
      auto now = std::chrono::system_clock::now();
      outcome = attempt(now);
      posts = queue_posts(self->repos_, outcome.writes, outcome.effects, commands::millis(now));
      if (outcome.writes.empty()) {
        done(finished(std::move(outcome.reply), std::move(posts), response_url, keep_original));
        co_return;
      }
      continue;
    }
    if (committed.conflict) {
      spdlog::warn("a command met changes to {} {} times in a row; nothing was saved",
                   committed.item, tried);
    } else {
      spdlog::error("commit failed: {}", committed.error);
    }
    done(finished(not_saved(committed), {}, response_url, keep_original));
    co_return;
  }
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
    auto traits = typed.is_command ? registry_.traits(typed.command) : commands::Registry::Traits{};
    // The answer is a post in the thread (or the DM), in the same batch as the event's id: a
    // redelivered event finds it handled.
    Attempt attempt = [this, typed, traits,
                       zone = info.zone](std::chrono::system_clock::time_point at) {
      commands::Outcome outcome;
      const commands::Command& command = typed.command;
      if (typed.is_command) {
        commands::Context context = commands::make_context(repos_, settings_, at, zone);
        outcome = run_handler(traits.writes, [&] { return registry_.handle(command, context); });
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
          outcome.effects.insert(outcome.effects.begin(), std::move(answer));
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
    if (worker_ && late_ && traits.reads_widely) {
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
