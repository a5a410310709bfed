#include "bot/slack/socket_mode_client.hpp"

#include "bot/ops/exit_code.hpp"
#include "bot/ops/redact.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/url/parse.hpp>

#include <random>

namespace itpm::bot {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

std::function<double()> make_random() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

}  // namespace

SocketModeClient::SocketModeClient(net::any_io_executor executor, net::ssl::context& tls,
                                   WebApiClient& api, Options options, EnvelopeHandler handler,
                                   Metrics& metrics)
    : executor_(executor),
      tls_(tls),
      api_(api),
      options_(options),
      handler_(std::move(handler)),
      metrics_(metrics),
      session_(ReconnectPolicy(ReconnectPolicy::Options{}, make_random()), options.hello_timeout),
      wake_(executor) {}

SocketModeClient::~SocketModeClient() = default;

void SocketModeClient::stop() {
  stopping_ = true;
  wake_.cancel();
}

void SocketModeClient::push(Event event) {
  events_.push_back(std::move(event));
  wake_.cancel();
}

void SocketModeClient::forget(int id) {
  connections_.erase(id);
  update_gauge();
}

void SocketModeClient::update_gauge() {
  metrics_.set("itpm_socket_connections", {}, static_cast<double>(connections_.size()));
}

void SocketModeClient::on_closed(int id, std::string reason) {
  push(Event{id, Event::Kind::closed, std::move(reason)});
}

void SocketModeClient::on_text(int id, std::string text) {
  Frame frame = parse_frame(text);
  if (auto* hello = std::get_if<Hello>(&frame)) {
    spdlog::info("socket {}: hello ({} connection(s), about {} s lifetime)", id,
                 hello->num_connections, hello->approximate_connection_time);
    push(Event{id, Event::Kind::hello, {}});
    return;
  }
  if (auto* disconnect = std::get_if<Disconnect>(&frame)) {
    push(Event{id, Event::Kind::disconnect, disconnect->reason});
    return;
  }
  if (auto* bad = std::get_if<BadFrame>(&frame)) {
    metrics_.add("itpm_bad_frames_total");
    spdlog::warn("socket {}: dropped a {}-byte frame: {}", id, text.size(), bad->why);
    return;
  }
  const auto& envelope = std::get<Envelope>(frame);
  if (stopping_) return;  // shutting down: leave it unacked so Slack can deliver it elsewhere
  auto received = Clock::now();
  metrics_.add("itpm_envelopes_received_total", {{"type", envelope.type}});
  ++in_flight_;
  auto acked = std::make_shared<bool>(false);
  Ack ack = [this, id, acked, received, envelope_id = envelope.envelope_id, type = envelope.type,
             accepts = envelope.accepts_response_payload](std::optional<nlohmann::json> payload) {
    if (*acked) return;
    *acked = true;
    --in_flight_;
    if (stopping_) wake_.cancel();
    std::string frame_text = make_ack(envelope_id, accepts && payload ? &*payload : nullptr);
    // Ack on the socket the envelope came in on; if that one is gone, on the current one.
    auto it = connections_.find(id);
    bool sent = it != connections_.end() && it->second->send(frame_text);
    if (!sent) {
      if (auto active = active_connection()) sent = active->send(frame_text);
    }
    if (!sent) {
      spdlog::warn("envelope {}: no open socket to ack on", envelope_id);
      return;
    }
    metrics_.add("itpm_envelopes_acked_total", {{"type", type}});
    metrics_.observe_ack_latency(std::chrono::duration<double>(Clock::now() - received).count());
  };
  try {
    handler_(envelope, ack);
  } catch (const std::exception& e) {
    spdlog::error("envelope {} ({}): handler failed: {}", envelope.envelope_id, envelope.type,
                  e.what());
    ack(std::nullopt);
  }
}

net::awaitable<std::optional<SocketModeClient::Event>> SocketModeClient::next_event(
    Clock::time_point deadline, bool until_deadline) {
  while (events_.empty()) {
    if ((stopping_ && !until_deadline) || Clock::now() >= deadline) co_return std::nullopt;
    wake_.expires_at(deadline);
    co_await wake_.async_wait(net::as_tuple(net::use_awaitable));
  }
  Event e = std::move(events_.front());
  events_.pop_front();
  co_return e;
}

std::shared_ptr<Connection> SocketModeClient::active_connection() const {
  auto id = session_.active();
  if (!id) return nullptr;
  auto it = connections_.find(*id);
  return it == connections_.end() ? nullptr : it->second;
}

net::awaitable<SocketModeSession::Actions> SocketModeClient::open_socket() {
  auto failed = [&](Failure f, std::optional<std::chrono::seconds> retry_after,
                    const std::string& why) { return session_.open_failed(f, retry_after, why); };
  ApiResult opened = co_await api_.call_form("apps.connections.open", {}, CallOptions{true, 1});
  if (!opened.ok) {
    Failure f = classify_open_call(opened.error);
    std::string why = "apps.connections.open: " + opened.error;
    if (f == Failure::auth)
      why += "; check SLACK_APP_TOKEN (an app-level xapp- token with connections:write)";
    co_return failed(f, opened.retry_after, why);
  }
  std::string url = opened.body.value("url", std::string());
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || (parsed->scheme() != "wss" && parsed->scheme() != "ws")) {
    co_return failed(Failure::server_error, std::nullopt,
                     "apps.connections.open returned no usable url");
  }
  WsTarget target;
  target.tls = parsed->scheme() == "wss";
  if (!target.tls && !options_.allow_plain_ws) {
    co_return failed(Failure::server_error, std::nullopt,
                     "refusing a ws:// socket URL with an https:// API URL");
  }
  target.host = std::string(parsed->host());
  target.port = parsed->has_port() ? std::string(parsed->port()) : (target.tls ? "443" : "80");
  target.target = std::string(parsed->encoded_target());
  if (target.target.empty()) target.target = "/";
  if (options_.debug_reconnects) {
    target.target += (target.target.find('?') == std::string::npos ? "?" : "&") +
                     std::string("debug_reconnects=true");
  }

  int id = next_id_++;
  ConnectionEvents events;
  events.on_text = [this](int conn, std::string text) { on_text(conn, std::move(text)); };
  events.on_closed = [this](int conn, std::string reason) { on_closed(conn, std::move(reason)); };
  std::shared_ptr<Connection> conn;
  try {
    if (target.tls) {
      conn = co_await connect_tls_ws(target, options_.ws, std::move(events), id, tls_);
    } else {
      conn = co_await connect_plain_ws(target, options_.ws, std::move(events), id);
    }
  } catch (const boost::system::system_error& e) {
    Failure f = e.code() == boost::beast::websocket::error::upgrade_declined
                    ? Failure::handshake_rejected
                    : Failure::network;
    co_return failed(f, std::nullopt, redact_url(url) + ": " + e.code().message());
  }
  connections_[id] = conn;
  update_gauge();
  spdlog::debug("socket {}: connected to {}", id, redact_url(url));
  co_return session_.connected(id);
}

net::awaitable<int> SocketModeClient::run() {
  std::deque<session::Action> pending;
  auto add = [&pending](SocketModeSession::Actions actions) {
    for (auto& a : actions) pending.push_back(std::move(a));
  };
  add(session_.start());
  int exit_code = exit_ok;
  std::optional<std::pair<int, Clock::time_point>> hello_due;  // socket, deadline
  std::optional<Clock::time_point> pause_due;
  for (bool exiting = false; !exiting;) {
    // Carry out what the session asked for; opening a socket reports back at once.
    while (!pending.empty() && !exiting) {
      session::Action action = std::move(pending.front());
      pending.pop_front();
      if (std::holds_alternative<session::OpenSocket>(action)) {
        add(co_await open_socket());
      } else if (auto* close = std::get_if<session::CloseSocket>(&action)) {
        if (auto it = connections_.find(close->id); it != connections_.end()) it->second->close();
      } else if (auto* await_hello = std::get_if<session::AwaitHello>(&action)) {
        hello_due.emplace(await_hello->id, Clock::now() + await_hello->within);
      } else if (auto* pause = std::get_if<session::Pause>(&action)) {
        pause_due = Clock::now() + pause->delay;
      } else if (auto* count = std::get_if<session::CountReconnect>(&action)) {
        metrics_.add("itpm_reconnects_total", {{"reason", count->reason}});
      } else if (auto* exit = std::get_if<session::Exit>(&action)) {
        exit_code = exit->code;
        exiting = true;
      }
    }
    if (exiting) break;
    if (stopping_) {
      add(session_.stop());
      continue;
    }
    auto deadline = Clock::time_point::max();
    if (hello_due) deadline = std::min(deadline, hello_due->second);
    if (pause_due) deadline = std::min(deadline, *pause_due);
    auto event = co_await next_event(deadline, false);
    auto now = Clock::now();
    if (!event) {
      if (hello_due && now >= hello_due->second) {
        int id = hello_due->first;
        hello_due.reset();
        add(session_.hello_timed_out(id));
      }
      if (pause_due && now >= *pause_due) {
        pause_due.reset();
        add(session_.pause_over());
      }
      continue;
    }
    switch (event->kind) {
      case Event::Kind::hello:
        if (hello_due && hello_due->first == event->connection) hello_due.reset();
        add(session_.hello(event->connection, now));
        break;
      case Event::Kind::disconnect:
        add(session_.disconnect(event->connection, event->detail));
        break;
      case Event::Kind::closed:
        forget(event->connection);
        add(session_.closed(event->connection, event->detail, now));
        break;
    }
  }
  // Ack what is in hand (their writes may still be committing), then close every socket with
  // a close frame and wait (bounded) for them to finish.
  auto acks_due = Clock::now() + std::chrono::seconds(5);
  while (in_flight_ > 0 && Clock::now() < acks_due) {
    wake_.expires_at(acks_due);
    co_await wake_.async_wait(net::as_tuple(net::use_awaitable));
  }
  if (in_flight_ > 0) spdlog::warn("{} envelope(s) not acked before shutdown", in_flight_);
  for (auto& [id, conn] : connections_) conn->close();
  auto deadline = Clock::now() + options_.ws.close_timeout + std::chrono::milliseconds(500);
  while (!connections_.empty()) {
    auto event = co_await next_event(deadline, true);
    if (!event) break;
    if (event->kind == Event::Kind::closed) forget(event->connection);
  }
  connections_.clear();
  update_gauge();
  co_return exit_code;
}

}  // namespace itpm::bot
