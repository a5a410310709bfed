// The simulator's Socket Mode WebSocket: hello first, envelopes out, acks in, server pings,
// and the faults (freeze, drop, too_many_websockets).
#include "tools/slack_sim/sim_core.hpp"

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <deque>

namespace itpm::sim {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace http = boost::beast::http;
using nlohmann::json;
using Core = SlackSim::Core;

namespace {

template <class Next>
class WsSession final : public SimSocket, public std::enable_shared_from_this<WsSession<Next>> {
 public:
  WsSession(Core* core, Next next, int id)
      : core_(std::move(core)),
        ws_(std::move(next)),
        id_(id),
        wake_(ws_.get_executor()),
        ping_timer_(ws_.get_executor()) {}

  static net::awaitable<void> run(std::shared_ptr<WsSession> self,
                                  http::request<http::string_body> req) {
    co_await self->serve(std::move(req));
  }

  void send_text(std::string text) override {
    if (closed_ || frozen_) return;
    queue_.push_back({Kind::text, std::move(text)});
    wake_.cancel();
  }
  void close_normal() override {
    if (closed_ || frozen_) return;
    queue_.push_back({Kind::close, {}});
    wake_.cancel();
  }
  void drop() override {
    dropped_ = true;
    beast::get_lowest_layer(ws_).close();
  }
  void freeze() override {
    frozen_ = true;
    // Cancelling the pending read stops Beast from answering pings: the peer sees silence.
    beast::get_lowest_layer(ws_).cancel();
  }
  [[nodiscard]] int id() const override { return id_; }

 private:
  enum class Kind { text, ping, close };
  struct Item {
    Kind kind;
    std::string data;
  };

  static net::awaitable<void> run_writer(std::shared_ptr<WsSession> self) {
    co_await self->write_loop();
  }
  static net::awaitable<void> run_pinger(std::shared_ptr<WsSession> self) {
    co_await self->ping_loop();
  }

  net::awaitable<void> serve(http::request<http::string_body> req) {
    auto token = net::as_tuple(net::use_awaitable);
    ws_.set_option(websocket::stream_base::timeout{std::chrono::seconds(5),
                                                   websocket::stream_base::none(), false});
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::ping) {
        core_->state.update([](Snapshot& s) { ++s.pings_from_client; });
      } else if (kind == websocket::frame_type::pong) {
        core_->state.update([](Snapshot& s) { ++s.pongs_from_client; });
      }
    });
    auto [ec] = co_await ws_.async_accept(req, token);
    if (ec) co_return;
    core_->state.update([](Snapshot& s) {
      ++s.open_sockets;
      s.max_open_sockets = std::max(s.max_open_sockets, s.open_sockets);
    });
    if (static_cast<int>(core_->sockets.size()) >= core_->options.max_sockets) {
      // Slack sends this instead of hello and then drops the connection (code 1006).
      std::string frame =
          R"({"type":"disconnect","reason":"too_many_websockets","debug_info":{"host":"sim-applink-1"}})";
      co_await ws_.async_write(net::buffer(frame), token);
      drop();
      finish("too_many_websockets");
      co_return;
    }
    json hello = {
        {"type", "hello"},
        {"num_connections", core_->sockets.size() + 1},
        {"debug_info",
         {{"host", "sim-applink-1"}, {"build_number", 1}, {"approximate_connection_time", 18060}}},
        {"connection_info", {{"app_id", "A0SIM0001"}}}};
    std::string hello_text = hello.dump();
    auto [wec, wn] = co_await ws_.async_write(net::buffer(hello_text), token);
    if (wec) {
      finish(wec.message());
      co_return;
    }
    core_->socket_greeted(this->shared_from_this());
    auto self = this->shared_from_this();
    net::co_spawn(ws_.get_executor(), run_writer(self), net::detached);
    net::co_spawn(ws_.get_executor(), run_pinger(self), net::detached);

    beast::flat_buffer buffer;
    for (;;) {
      auto [rec, n] = co_await ws_.async_read(buffer, token);
      if (rec) {
        if (frozen_ && !dropped_) co_await wait_for_peer_close();
        std::string reason = dropped_                          ? "dropped by the simulator"
                             : rec == websocket::error::closed ? "closed by client"
                                                               : rec.message();
        finish(reason);
        co_return;
      }
      if (ws_.got_text()) core_->client_text(id_, beast::buffers_to_string(buffer.data()));
      buffer.consume(n);
    }
  }

  // A frozen socket reads nothing more; it only notices when the peer gives up on it.
  net::awaitable<void> wait_for_peer_close() {
    std::array<char, 4096> scratch{};
    auto& socket = beast::get_lowest_layer(ws_).socket();
    for (;;) {
      auto [ec, n] =
          co_await socket.async_read_some(net::buffer(scratch), net::as_tuple(net::use_awaitable));
      if (ec) co_return;
    }
  }

  net::awaitable<void> write_loop() {
    auto token = net::as_tuple(net::use_awaitable);
    while (!closed_ && !frozen_) {
      if (queue_.empty()) {
        wake_.expires_at(Clock::time_point::max());
        co_await wake_.async_wait(token);
        continue;
      }
      Item item = std::move(queue_.front());
      queue_.pop_front();
      boost::system::error_code ec;
      if (item.kind == Kind::text) {
        std::tie(ec, std::ignore) = co_await ws_.async_write(net::buffer(item.data), token);
      } else if (item.kind == Kind::ping) {
        std::tie(ec) = co_await ws_.async_ping(websocket::ping_data(item.data), token);
      } else {
        std::tie(ec) = co_await ws_.async_close(websocket::close_code::normal, token);
        co_return;
      }
      if (ec) co_return;
    }
  }

  net::awaitable<void> ping_loop() {
    std::uint64_t n = 0;
    while (!closed_) {
      ping_timer_.expires_after(core_->options.ping_interval);
      co_await ping_timer_.async_wait(net::as_tuple(net::use_awaitable));
      if (closed_ || frozen_) co_return;
      if (!core_->server_pings) continue;
      queue_.push_back({Kind::ping, fmt::format("sim-ping-{}", ++n)});
      wake_.cancel();
    }
  }

  void finish(const std::string& reason) {
    if (closed_) return;
    closed_ = true;
    wake_.cancel();
    ping_timer_.cancel();
    core_->socket_closed(id_, reason);
  }

  Core* core_;
  websocket::stream<Next> ws_;
  int id_;
  net::steady_timer wake_;
  net::steady_timer ping_timer_;
  std::deque<Item> queue_;
  bool closed_ = false;
  bool frozen_ = false;
  bool dropped_ = false;
};

template <class Next>
void start(Core* core, Next stream, http::request<http::string_body> request) {
  int id = core->register_socket_id();
  auto session = std::make_shared<WsSession<Next>>(core, std::move(stream), id);
  net::co_spawn(core->ioc, WsSession<Next>::run(session, std::move(request)), net::detached);
}

}  // namespace

void start_ws_session(Core* core, beast::tcp_stream stream,
                      http::request<http::string_body> request) {
  start(std::move(core), std::move(stream), std::move(request));
}

void start_ws_session(Core* core, beast::ssl_stream<beast::tcp_stream> stream,
                      http::request<http::string_body> request) {
  start(std::move(core), std::move(stream), std::move(request));
}

}  // namespace itpm::sim
