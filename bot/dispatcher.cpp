#include "bot/dispatcher.hpp"

#include "bot/async_commit.hpp"
#include "bot/dispatch_support.hpp"

#include "commands/areas/config_commands.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/forms/form.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace itpm::bot {

namespace net = boost::asio;
using dispatch::finished;
using dispatch::outsider_line;
using dispatch::run_handler;

namespace {

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
  auto prepared = registry_.prepare(command);  // parsed once, wherever it runs and however often
  auto access = prepared->access();
  bool writes = access == commands::Access::writes;
  Attempt attempt = [command, zone, writes, prepared,
                     this](std::chrono::system_clock::time_point now) {
    commands::Context context = commands::make_context(repos_, settings_, now, zone);
    commands::Outcome outcome = run_handler(
        writes, [&] { return commands::Registry::handle(*prepared, command, context); });
    // When Slack refuses a post a command asked for, its caller is told (FollowUps).
    for (auto& effect : outcome.effects) {
      if (auto* post = std::get_if<commands::PostMessage>(&effect)) {
        post->fallback_response_url = command.response_url;
      }
    }
    return outcome;
  };
  if (worker_ && access == commands::Access::reads_page &&
      complete_within_budget(attempt, accepts ? "" : command.response_url, keep_original, done))
    return;
  if (worker_ && access != commands::Access::reads && !writes) {
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

void Dispatcher::complete(Attempt attempt, const std::string& response_url, bool keep_original,
                          const std::function<void(Dispatched)>& done) {
  auto now = std::chrono::system_clock::now();
  commands::Outcome outcome = attempt(now);
  complete_outcome(std::move(outcome), now, std::move(attempt), response_url, keep_original, done);
}

bool Dispatcher::complete_within_budget(const Attempt& attempt, const std::string& response_url,
                                        bool keep_original,
                                        const std::function<void(Dispatched)>& done) {
  auto now = std::chrono::system_clock::now();
  commands::Outcome outcome;
  try {
    storage::Store::ReadBudget budget(io_thread_rows_);
    outcome = attempt(now);
  } catch (const storage::Store::OverBudget&) {
    return false;
  }
  complete_outcome(std::move(outcome), now, attempt, response_url, keep_original, done);
  return true;
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

}  // namespace itpm::bot
