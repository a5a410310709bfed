// The dispatcher's interactive side: button presses, form submissions, message shortcuts and
// the Home tab (built on the worker, published after the ack).
#include "bot/dispatch_support.hpp"
#include "bot/dispatcher.hpp"

#include "commands/areas/config_commands.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/forms/home.hpp"

#include <boost/asio/post.hpp>

namespace itpm::bot {

namespace net = boost::asio;
using dispatch::run_handler;

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
      dispatch::put_first(outcome.effects, std::move(post));
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

}  // namespace itpm::bot
