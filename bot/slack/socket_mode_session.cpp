#include "bot/slack/socket_mode_session.hpp"

#include "bot/ops/exit_code.hpp"

#include <spdlog/spdlog.h>

namespace itpm::bot {
namespace {

std::string describe(Failure f) {
  switch (f) {
    case Failure::network:
      return "network error";
    case Failure::handshake_rejected:
      return "WebSocket upgrade refused";
    case Failure::rate_limited:
      return "rate limited";
    case Failure::server_error:
      return "Slack error";
    case Failure::no_hello:
      return "no hello from Slack";
    case Failure::too_many_websockets:
      return "too many websockets";
    case Failure::auth:
      return "authentication refused";
    case Failure::link_disabled:
      return "Socket Mode disabled";
  }
  return "unknown";
}

}  // namespace

DisconnectReason classify_disconnect(std::string_view reason) {
  if (reason == "too_many_websockets") return DisconnectReason::too_many_websockets;
  if (reason == "link_disabled") return DisconnectReason::link_disabled;
  return DisconnectReason::refresh;
}

Failure classify_open_call(std::string_view error) {
  if (error == "network_error" || error.starts_with("http_")) return Failure::network;
  return classify_open_error(error);
}

SocketModeSession::Actions SocketModeSession::start() {
  phase_ = Phase::opening;
  return {session::OpenSocket{}};
}

SocketModeSession::Actions SocketModeSession::failed(
    Failure failure, std::optional<std::chrono::seconds> retry_after, const std::string& why) {
  Decision d = policy_.on_failure(failure, retry_after);
  if (d.give_up) {
    spdlog::error("Slack refused the connection: {} ({})", describe(failure), why);
    phase_ = Phase::stopped;
    return {session::Exit{d.exit_code}};
  }
  spdlog::warn("cannot connect to Slack: {} ({}); retrying in {} ms", describe(failure), why,
               d.delay.count());
  return reconnect_after(d.delay);
}

SocketModeSession::Actions SocketModeSession::reconnect_after(std::chrono::milliseconds delay) {
  if (delay.count() <= 0) {
    phase_ = Phase::opening;
    return {session::OpenSocket{}};
  }
  phase_ = Phase::pausing;
  return {session::Pause{delay}};
}

SocketModeSession::Actions SocketModeSession::open_failed(
    Failure failure, std::optional<std::chrono::seconds> retry_after, const std::string& why) {
  if (phase_ != Phase::opening) return {};
  return failed(failure, retry_after, why);
}

SocketModeSession::Actions SocketModeSession::connected(int id) {
  open_.insert(id);
  if (phase_ != Phase::opening) return {session::CloseSocket{id}};  // stopped meanwhile
  phase_ = Phase::greeting;
  greeting_ = id;
  return {session::AwaitHello{id, hello_timeout_}};
}

SocketModeSession::Actions SocketModeSession::hello(int id, Clock::time_point now) {
  if (phase_ != Phase::greeting || id != greeting_) return {};
  Actions out;
  if (active_) {
    spdlog::info("socket {} replaces socket {}", id, *active_);
    out.emplace_back(session::CountReconnect{"refresh"});
    out.emplace_back(session::CloseSocket{*active_});
  }
  active_ = id;
  active_since_ = now;
  phase_ = Phase::serving;
  return out;
}

SocketModeSession::Actions SocketModeSession::disconnect(int id, const std::string& reason) {
  DisconnectReason kind = classify_disconnect(reason);
  if (phase_ == Phase::greeting && id == greeting_) {
    Failure f = kind == DisconnectReason::too_many_websockets ? Failure::too_many_websockets
                : kind == DisconnectReason::link_disabled     ? Failure::link_disabled
                                                              : Failure::server_error;
    Actions out = {session::CloseSocket{id}};
    phase_ = Phase::opening;  // the attempt ends here
    for (auto& a : failed(f, std::nullopt, "disconnect before hello: " + reason))
      out.push_back(std::move(a));
    return out;
  }
  if (phase_ == Phase::stopped || !active_ || id != *active_) return {};
  switch (kind) {
    case DisconnectReason::link_disabled:
      spdlog::error(
          "Slack disabled Socket Mode for this app (link_disabled); enable it in the app "
          "settings and start itpm-bot again");
      phase_ = Phase::stopped;
      return {session::Exit{exit_link_disabled}};
    case DisconnectReason::too_many_websockets: {
      auto delay = policy_.on_failure(Failure::too_many_websockets, std::nullopt).delay;
      spdlog::warn("Slack says the app has too many sockets open; backing off {} ms",
                   delay.count());
      active_.reset();
      Actions out = {session::CloseSocket{id}};
      if (phase_ == Phase::serving) {
        for (auto& a : reconnect_after(delay)) out.push_back(std::move(a));
      }
      return out;
    }
    case DisconnectReason::refresh:
      if (phase_ != Phase::serving) return {};  // a replacement is already under way
      spdlog::info("socket {}: Slack asked us to reconnect ({}); opening the new socket first", id,
                   reason);
      phase_ = Phase::opening;
      return {session::OpenSocket{}};
  }
  return {};
}

SocketModeSession::Actions SocketModeSession::closed(int id, const std::string& reason,
                                                     Clock::time_point now) {
  open_.erase(id);
  if (phase_ == Phase::greeting && id == greeting_) {
    phase_ = Phase::opening;  // the attempt ends here
    return failed(Failure::network, std::nullopt, "socket closed before hello: " + reason);
  }
  if (!active_ || id != *active_) return {};
  active_.reset();
  if (phase_ != Phase::serving) {
    if (phase_ != Phase::stopped)
      spdlog::info("socket {} closed ({}) while its replacement was being opened", id, reason);
    return {};
  }
  auto lived = std::chrono::duration_cast<std::chrono::milliseconds>(now - active_since_);
  auto delay = policy_.on_connection_lost(lived);
  spdlog::warn("socket {} lost ({}); reconnecting in {} ms", id, reason, delay.count());
  Actions out = {session::CountReconnect{reason == "stale" ? "stale" : "lost"}};
  for (auto& a : reconnect_after(delay)) out.push_back(std::move(a));
  return out;
}

SocketModeSession::Actions SocketModeSession::hello_timed_out(int id) {
  if (phase_ != Phase::greeting || id != greeting_) return {};
  Actions out = {session::CloseSocket{id}};
  phase_ = Phase::opening;
  for (auto& a : failed(Failure::no_hello, std::nullopt, "socket " + std::to_string(id)))
    out.push_back(std::move(a));
  return out;
}

SocketModeSession::Actions SocketModeSession::pause_over() {
  if (phase_ != Phase::pausing) return {};
  phase_ = Phase::opening;
  return {session::OpenSocket{}};
}

SocketModeSession::Actions SocketModeSession::stop() {
  if (phase_ == Phase::stopped) return {};
  phase_ = Phase::stopped;
  return {session::Exit{exit_ok}};
}

}  // namespace itpm::bot
