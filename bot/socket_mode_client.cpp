#include "bot/socket_mode_client.hpp"

#include "bot/redact.hpp"

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

SocketModeClient::SocketModeClient(net::any_io_executor executor, net::ssl::context& tls,
                                   WebApiClient& api, Options options, EnvelopeHandler handler,
                                   Metrics& metrics)
    : executor_(executor),
      tls_(tls),
      api_(api),
      options_(options),
      handler_(std::move(handler)),
      metrics_(metrics),
      policy_(ReconnectPolicy::Options{}, make_random()),
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
    if (!sent && active_) sent = active_->send(frame_text);
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

net::awaitable<void> SocketModeClient::pause(std::chrono::milliseconds delay) {
  auto deadline = Clock::now() + delay;
  while (!stopping_ && Clock::now() < deadline) {
    wake_.expires_at(deadline);
    co_await wake_.async_wait(net::as_tuple(net::use_awaitable));
  }
}

void SocketModeClient::on_background_event(const Event& event) {
  if (event.kind != Event::Kind::closed) return;
  forget(event.connection);
  if (active_ && active_->id() == event.connection) {
    spdlog::info("socket {} closed ({}) while its replacement was being opened", event.connection,
                 event.detail);
    active_ = nullptr;
  }
}

net::awaitable<std::shared_ptr<Connection>> SocketModeClient::open_connection(Decision& failure) {
  auto fail = [&](Failure f, std::optional<std::chrono::seconds> retry_after,
                  const std::string& why) {
    failure = policy_.on_failure(f, retry_after);
    if (failure.give_up) {
      spdlog::error("Slack refused the connection: {} ({})", describe(f), why);
    } else {
      spdlog::warn("cannot connect to Slack: {} ({}); retrying in {} ms", describe(f), why,
                   failure.delay.count());
    }
  };

  ApiResult opened = co_await api_.call_form("apps.connections.open", {}, CallOptions{true, 1});
  if (!opened.ok) {
    Failure f = opened.error == "network_error" || opened.error.starts_with("http_")
                    ? Failure::network
                    : classify_open_error(opened.error);
    std::string why = "apps.connections.open: " + opened.error;
    if (f == Failure::auth)
      why += "; check SLACK_APP_TOKEN (an app-level xapp- token with connections:write)";
    fail(f, opened.retry_after, why);
    co_return nullptr;
  }
  std::string url = opened.body.value("url", std::string());
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || (parsed->scheme() != "wss" && parsed->scheme() != "ws")) {
    fail(Failure::server_error, std::nullopt, "apps.connections.open returned no usable url");
    co_return nullptr;
  }
  WsTarget target;
  target.tls = parsed->scheme() == "wss";
  if (!target.tls && !options_.allow_plain_ws) {
    fail(Failure::server_error, std::nullopt,
         "refusing a ws:// socket URL with an https:// API URL");
    co_return nullptr;
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
    fail(f, std::nullopt, redact_url(url) + ": " + e.code().message());
    co_return nullptr;
  }
  connections_[id] = conn;
  update_gauge();
  spdlog::debug("socket {}: connected to {}", id, redact_url(url));

  auto deadline = Clock::now() + options_.hello_timeout;
  for (;;) {
    auto event = co_await next_event(deadline, false);
    if (!event) {
      conn->close();
      if (stopping_) {
        failure = Decision{};
      } else {
        fail(Failure::no_hello, std::nullopt, "socket " + std::to_string(id));
      }
      co_return nullptr;
    }
    if (event->connection != id) {
      on_background_event(*event);
      continue;
    }
    switch (event->kind) {
      case Event::Kind::hello:
        co_return conn;
      case Event::Kind::disconnect: {
        conn->close();
        Failure f = event->detail == "too_many_websockets" ? Failure::too_many_websockets
                    : event->detail == "link_disabled"     ? Failure::link_disabled
                                                           : Failure::server_error;
        fail(f, std::nullopt, "disconnect before hello: " + event->detail);
        co_return nullptr;
      }
      case Event::Kind::closed:
        forget(id);
        fail(Failure::network, std::nullopt, "socket closed before hello: " + event->detail);
        co_return nullptr;
    }
  }
}

net::awaitable<int> SocketModeClient::run() {
  std::chrono::milliseconds delay{0};
  int exit_code = 0;
  while (!stopping_) {
    if (delay.count() > 0) co_await pause(delay);
    if (stopping_) break;
    delay = std::chrono::milliseconds(0);
    Decision failure;
    auto conn = co_await open_connection(failure);
    if (!conn) {
      if (failure.give_up) {
        exit_code = failure.exit_code;
        break;
      }
      delay = failure.delay;
      continue;
    }
    if (active_) {
      spdlog::info("socket {} replaces socket {}", conn->id(), active_->id());
      metrics_.add("itpm_reconnects_total", {{"reason", "refresh"}});
      active_->close();
    }
    active_ = conn;
    active_since_ = Clock::now();

    // Serve on the active socket until it goes away or Slack asks us to move.
    while (auto event = co_await next_event(Clock::time_point::max(), false)) {
      if (!active_ || event->connection != active_->id()) {
        on_background_event(*event);
        continue;
      }
      if (event->kind == Event::Kind::closed) {
        forget(event->connection);
        auto lived =
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - active_since_);
        delay = policy_.on_connection_lost(lived);
        spdlog::warn("socket {} lost ({}); reconnecting in {} ms", event->connection, event->detail,
                     delay.count());
        metrics_.add("itpm_reconnects_total",
                     {{"reason", event->detail == "stale" ? "stale" : "lost"}});
        active_ = nullptr;
        break;
      }
      if (event->kind == Event::Kind::disconnect) {
        if (event->detail == "link_disabled") {
          spdlog::error(
              "Slack disabled Socket Mode for this app (link_disabled); enable it in the "
              "app settings and start itpm-bot again");
          exit_code = 4;
          stopping_ = true;
          break;
        }
        if (event->detail == "too_many_websockets") {
          delay = policy_.on_failure(Failure::too_many_websockets, std::nullopt).delay;
          spdlog::warn("Slack says the app has too many sockets open; backing off {} ms",
                       delay.count());
          active_->close();
          active_ = nullptr;
          break;
        }
        // warning, refresh_requested or a reason we do not know yet: make before break.
        spdlog::info("socket {}: Slack asked us to reconnect ({}); opening the new socket first",
                     event->connection, event->detail);
        break;
      }
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
  active_ = nullptr;
  connections_.clear();
  update_gauge();
  co_return exit_code;
}

}  // namespace itpm::bot
