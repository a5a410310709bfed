#pragma once
// Internal to bot/: the WebSocket connection as a template on its transport, so that the
// read/write/keep-alive loops run unchanged over TLS, plain TCP and beast::test::stream.

#include "bot/transport/connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <deque>
#include <string>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace itpm::bot {

template <class NextLayer>
class WsConnection final : public Connection,
                           public std::enable_shared_from_this<WsConnection<NextLayer>> {
 public:
  using Stream = boost::beast::websocket::stream<NextLayer>;
  using Clock = std::chrono::steady_clock;

  // `stream_args` construct the underlying websocket stream (not yet connected).
  template <class... Args>
  WsConnection(int id, WsOptions options, ConnectionEvents events, Args&&... stream_args)
      : ws_(std::forward<Args>(stream_args)...),
        id_(id),
        options_(options),
        events_(std::move(events)),
        wake_(ws_.get_executor()),
        keepalive_timer_(ws_.get_executor()) {}

  Stream& stream() { return ws_; }

  // Performs the WebSocket upgrade on an already connected transport. Throws on failure.
  boost::asio::awaitable<void> handshake(const std::string& host_header,
                                         const std::string& target) {
    namespace websocket = boost::beast::websocket;
    ws_.set_option(websocket::stream_base::timeout{options_.handshake_timeout,
                                                   websocket::stream_base::none(), false});
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
      req.set(boost::beast::http::field::user_agent, "itpm-bot/" ITPM_VERSION);
    }));
    ws_.read_message_max(options_.max_message_bytes);
    // A client masks what it sends through this buffer, one write per buffer-full: at Beast's
    // 4 KiB, a list's ack (6 KiB) took two TLS records and two sends. One TLS record's worth.
    ws_.write_buffer_bytes(16 * 1024);
    websocket::response_type response;
    co_await ws_.async_handshake(response, host_header, target, boost::asio::use_awaitable);
    // From now on the handshake timeout bounds the close handshake.
    ws_.set_option(websocket::stream_base::timeout{options_.close_timeout,
                                                   websocket::stream_base::none(), false});
  }

  // Starts the reader, writer and keep-alive coroutines.
  void start() {
    last_pong_ = last_server_ping_ = Clock::now();
    ws_.control_callback([this](boost::beast::websocket::frame_type kind,
                                boost::beast::string_view payload) {
      if (kind == boost::beast::websocket::frame_type::pong && payload.starts_with(ping_prefix())) {
        last_pong_ = Clock::now();
      } else if (kind == boost::beast::websocket::frame_type::ping) {
        server_pinged_ = true;
        last_server_ping_ = Clock::now();
      }
    });
    auto self = this->shared_from_this();
    auto ex = ws_.get_executor();
    boost::asio::co_spawn(ex, run_reader(self), boost::asio::detached);
    boost::asio::co_spawn(ex, run_writer(self), boost::asio::detached);
    boost::asio::co_spawn(ex, run_keepalive(self), boost::asio::detached);
  }

  bool send(std::string text) override {
    if (closed_ || closing_) return false;
    queue_.push_back({Kind::text, std::move(text)});
    wake_.cancel();
    return true;
  }

  void close() override {
    if (closed_ || closing_) return;
    closing_ = true;
    queue_.push_back({Kind::close, {}});
    wake_.cancel();
  }

  [[nodiscard]] bool is_open() const override { return !closed_; }
  [[nodiscard]] int id() const override { return id_; }

  // Frames one batch may hold: frames queued while the writer lets the reader catch up leave
  // together, in one TCP push.
  static constexpr std::size_t max_batch = 64;
  // The most frames a batch has held so far.
  [[nodiscard]] std::size_t largest_batch() const { return largest_batch_; }

 private:
  enum class Kind { text, ping, close };
  struct Outgoing {
    Kind kind;
    std::string data;
  };

  static boost::asio::awaitable<void> run_reader(std::shared_ptr<WsConnection> self) {
    co_await self->read_loop();
  }
  static boost::asio::awaitable<void> run_writer(std::shared_ptr<WsConnection> self) {
    co_await self->write_loop();
  }
  static boost::asio::awaitable<void> run_keepalive(std::shared_ptr<WsConnection> self) {
    co_await self->keepalive_loop();
  }

  std::string ping_prefix() const { return "itpm-" + std::to_string(id_) + "-"; }

  boost::asio::awaitable<void> read_loop() {
    namespace websocket = boost::beast::websocket;
    boost::beast::flat_buffer buffer;
    for (;;) {
      auto [ec, n] =
          co_await ws_.async_read(buffer, boost::asio::as_tuple(boost::asio::use_awaitable));
      if (ec) {
        std::string reason;
        if (stale_) {
          reason = "stale";
        } else if (closing_) {
          reason = "closed";
        } else if (ec == websocket::error::closed) {
          reason = "closed by peer (" + std::to_string(static_cast<int>(ws_.reason().code)) + ")";
        } else {
          reason = ec.message();
        }
        finish(std::move(reason));
        co_return;
      }
      if (ws_.got_text()) events_.on_text(id_, boost::beast::buffers_to_string(buffer.data()));
      buffer.consume(n);
    }
  }

  boost::asio::awaitable<void> write_loop() {
    namespace websocket = boost::beast::websocket;
    auto token = boost::asio::as_tuple(boost::asio::use_awaitable);
    while (!closed_) {
      if (queue_.empty()) {
        wake_.expires_at(Clock::time_point::max());
        co_await wake_.async_wait(token);
        continue;
      }
      if (!batching_) {
        // Let the reader answer what it already holds before the first frame goes out: the
        // frames queued meanwhile then leave in one TCP push (see cork) instead of one each.
        std::size_t queued = 0;
        while (!closed_ && queue_.size() != queued && queue_.size() < max_batch) {
          queued = queue_.size();
          co_await boost::asio::post(ws_.get_executor(), token);
        }
        if (queue_.empty()) continue;  // closed meanwhile
        batching_ = true;
        largest_batch_ = std::max(largest_batch_, queue_.size());
        if (queue_.size() > 1) cork(true);
      }
      Outgoing item = std::move(queue_.front());
      queue_.pop_front();
      if (queue_.empty()) batching_ = false;
      boost::system::error_code ec;
      switch (item.kind) {
        case Kind::text:
          std::tie(ec, std::ignore) =
              co_await ws_.async_write(boost::asio::buffer(item.data), token);
          break;
        case Kind::ping:
          std::tie(ec) = co_await ws_.async_ping(websocket::ping_data(item.data), token);
          break;
        case Kind::close:
          // The close handshake is bounded by the stream's timeout; after it Beast drops TCP.
          cork(false);
          std::tie(ec) = co_await ws_.async_close(websocket::close_code::normal, token);
          if (!closed_) teardown();
          co_return;
      }
      if (ec) {
        teardown();
        co_return;
      }
      if (!batching_) cork(false);
    }
  }

  // Holds back (true) or pushes out (false) what was written to the TCP socket, so a batch of
  // frames costs one transmission; a no-op on transports without a socket.
  void cork(bool on) {
#ifdef TCP_CORK
    if constexpr (requires { boost::beast::get_lowest_layer(ws_).socket().native_handle(); }) {
      if (on == corked_) return;
      int value = on ? 1 : 0;
      auto& socket = boost::beast::get_lowest_layer(ws_).socket();
      if (::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_CORK, &value, sizeof value) == 0) {
        corked_ = on;
      }
    }
#else
    (void)on;
#endif
  }

  boost::asio::awaitable<void> keepalive_loop() {
    auto token = boost::asio::as_tuple(boost::asio::use_awaitable);
    while (!closed_) {
      keepalive_timer_.expires_after(options_.ping_interval);
      co_await keepalive_timer_.async_wait(token);
      if (closed_ || closing_) co_return;
      auto now = Clock::now();
      bool no_pong = now - last_pong_ > options_.stale_after;
      bool no_server_ping = server_pinged_ && now - last_server_ping_ > options_.stale_after;
      if (no_pong || no_server_ping) {
        stale_ = true;
        teardown();
        co_return;
      }
      queue_.push_back({Kind::ping, ping_prefix() + std::to_string(++ping_seq_)});
      wake_.cancel();
    }
  }

  void teardown() {
    boost::beast::get_lowest_layer(ws_).close();
  }

  void finish(std::string reason) {
    if (closed_) return;
    closed_ = true;
    queue_.clear();
    wake_.cancel();
    keepalive_timer_.cancel();
    teardown();
    if (events_.on_closed) events_.on_closed(id_, std::move(reason));
  }

  Stream ws_;
  int id_;
  WsOptions options_;
  ConnectionEvents events_;
  std::deque<Outgoing> queue_;
  boost::asio::steady_timer wake_;
  boost::asio::steady_timer keepalive_timer_;
  bool closing_ = false;
  bool closed_ = false;
  bool batching_ = false;  // writing the frames of one batch
  bool corked_ = false;
  std::size_t largest_batch_ = 0;
  bool stale_ = false;
  bool server_pinged_ = false;
  Clock::time_point last_pong_;
  Clock::time_point last_server_ping_;
  std::uint64_t ping_seq_ = 0;
};

}  // namespace itpm::bot
