// The WebSocket connection's read/write/keep-alive loops, driven over beast::test::stream:
// no TLS, no sockets, same code as in production.
#include "bot/transport/ws_connection.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <catch2/catch.hpp>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using namespace std::chrono_literals;
using Conn = itpm::bot::WsConnection<beast::test::stream>;
using ServerSide = websocket::stream<beast::test::stream>;
using TcpConn = itpm::bot::WsConnection<beast::tcp_stream>;
using tcp = net::ip::tcp;

namespace {

struct Seen {
  std::vector<std::string> texts;
  std::vector<std::string> closed;
  std::vector<std::string> server_got;
};

net::awaitable<void> client_handshake(std::shared_ptr<Conn> conn) {
  co_await conn->handshake("localhost", "/link/?ticket=t1");
  conn->start();
}

net::awaitable<void> server_greets_reads_and_closes(ServerSide& server, Seen& seen) {
  co_await server.async_accept(net::use_awaitable);
  std::string hello = R"({"type":"hello"})";
  co_await server.async_write(net::buffer(hello), net::use_awaitable);
  beast::flat_buffer buffer;
  co_await server.async_read(buffer, net::use_awaitable);
  seen.server_got.push_back(beast::buffers_to_string(buffer.data()));
  co_await server.async_close(websocket::close_code::going_away, net::use_awaitable);
}

net::awaitable<void> server_sends_too_much(ServerSide& server, std::size_t size) {
  co_await server.async_accept(net::use_awaitable);
  std::string big(size, 'x');
  auto [ec, n] = co_await server.async_write(net::buffer(big), net::as_tuple(net::use_awaitable));
  (void)ec;
  (void)n;
}

net::awaitable<void> server_accepts_then_goes_silent(ServerSide& server) {
  co_await server.async_accept(net::use_awaitable);
}

itpm::bot::ConnectionEvents record(Seen& seen, std::shared_ptr<Conn>* conn) {
  itpm::bot::ConnectionEvents events;
  events.on_text = [&seen, conn](int, std::string text) {
    seen.texts.push_back(text);
    (*conn)->send(R"({"envelope_id":"E1"})");
  };
  events.on_closed = [&seen](int, std::string reason) { seen.closed.push_back(reason); };
  return events;
}

// Over real TCP: sends `frames` frames before the client starts reading, then reads as many
// answers and notes whether the client's socket still holds anything back (TCP_CORK).
struct Burst {
  int frames = 20;
  std::vector<std::string> answers;
  int cork_after = -1;
};

net::awaitable<void> server_sends_a_burst(tcp::acceptor& acceptor, net::steady_timer& sent,
                                          std::shared_ptr<TcpConn> conn, Burst& burst) {
  websocket::stream<beast::tcp_stream> ws(co_await acceptor.async_accept(net::use_awaitable));
  co_await ws.async_accept(net::use_awaitable);
  for (int i = 0; i < burst.frames; ++i) {
    std::string frame = "m" + std::to_string(i);
    co_await ws.async_write(net::buffer(frame), net::use_awaitable);
  }
  sent.cancel();
  beast::flat_buffer buffer;
  for (int i = 0; i < burst.frames; ++i) {
    co_await ws.async_read(buffer, net::use_awaitable);
    burst.answers.push_back(beast::buffers_to_string(buffer.data()));
    buffer.consume(buffer.size());
  }
  int value = -1;
  socklen_t size = sizeof value;
  ::getsockopt(beast::get_lowest_layer(conn->stream()).socket().native_handle(), IPPROTO_TCP,
               TCP_CORK, &value, &size);
  burst.cork_after = value;
  co_await ws.async_close(websocket::close_code::normal, net::use_awaitable);
}

net::awaitable<void> client_starts_after(tcp::endpoint server, net::steady_timer& sent,
                                         std::shared_ptr<TcpConn> conn) {
  co_await beast::get_lowest_layer(conn->stream()).async_connect(server, net::use_awaitable);
  co_await conn->handshake("127.0.0.1", "/link/");
  co_await sent.async_wait(net::as_tuple(net::use_awaitable));
  conn->start();
}

}  // namespace

TEST_CASE("the connection reads text frames, writes replies and reports the peer's close") {
  net::io_context ioc;
  Seen seen;
  std::shared_ptr<Conn> conn;
  itpm::bot::WsOptions options;
  conn = std::make_shared<Conn>(7, options, record(seen, &conn), ioc);
  ServerSide server(ioc);
  conn->stream().next_layer().connect(server.next_layer());

  net::co_spawn(ioc, server_greets_reads_and_closes(server, seen), net::detached);
  net::co_spawn(ioc, client_handshake(conn), net::detached);
  ioc.run_for(10s);

  CHECK(seen.texts == std::vector<std::string>{R"({"type":"hello"})"});
  CHECK(seen.server_got == std::vector<std::string>{R"({"envelope_id":"E1"})"});
  REQUIRE(seen.closed.size() == 1);
  CHECK(seen.closed.front() == "closed by peer (1001)");
  CHECK_FALSE(conn->is_open());
  CHECK_FALSE(conn->send("late"));
}

TEST_CASE("a message over the size cap closes the connection instead of being buffered") {
  net::io_context ioc;
  Seen seen;
  std::shared_ptr<Conn> conn;
  itpm::bot::WsOptions options;
  options.max_message_bytes = 4096;
  conn = std::make_shared<Conn>(8, options, record(seen, &conn), ioc);
  ServerSide server(ioc);
  conn->stream().next_layer().connect(server.next_layer());
  net::co_spawn(ioc, server_sends_too_much(server, 4097), net::detached);
  net::co_spawn(ioc, client_handshake(conn), net::detached);
  ioc.run_for(10s);
  CHECK(seen.texts.empty());
  REQUIRE(seen.closed.size() == 1);
  CHECK_THAT(seen.closed.front(), Catch::Contains("exceeded the locally configured limit"));
  CHECK_FALSE(conn->is_open());
}

TEST_CASE("a peer that never answers pings is declared stale and closed once") {
  net::io_context ioc;
  Seen seen;
  std::shared_ptr<Conn> conn;
  itpm::bot::WsOptions options;
  options.ping_interval = 20ms;
  options.stale_after = 100ms;
  conn = std::make_shared<Conn>(8, options, record(seen, &conn), ioc);
  ServerSide server(ioc);
  conn->stream().next_layer().connect(server.next_layer());

  net::co_spawn(ioc, server_accepts_then_goes_silent(server), net::detached);
  net::co_spawn(ioc, client_handshake(conn), net::detached);
  ioc.run_for(10s);

  CHECK(seen.texts.empty());
  CHECK(seen.closed == std::vector<std::string>{"stale"});
}

TEST_CASE("answers queued together leave in one batch, in order, and nothing stays corked") {
  net::io_context ioc;
  tcp::acceptor acceptor(ioc, {net::ip::address_v4::loopback(), 0});
  net::steady_timer sent(ioc, std::chrono::steady_clock::time_point::max());
  Burst burst;
  std::shared_ptr<TcpConn> conn;
  itpm::bot::ConnectionEvents events;
  events.on_text = [&conn](int, std::string text) { conn->send("re:" + text); };
  conn = std::make_shared<TcpConn>(9, itpm::bot::WsOptions{}, events, ioc);

  net::co_spawn(ioc, server_sends_a_burst(acceptor, sent, conn, burst), net::detached);
  net::co_spawn(ioc, client_starts_after(acceptor.local_endpoint(), sent, conn), net::detached);
  ioc.run_for(10s);

  std::vector<std::string> expected;
  for (int i = 0; i < burst.frames; ++i) expected.push_back("re:m" + std::to_string(i));
  CHECK(burst.answers == expected);
  // The client read the whole burst before writing: its answers went out as one batch.
  CHECK(conn->largest_batch() > 1);
  CHECK(conn->largest_batch() <= TcpConn::max_batch);
  // Once the queue is empty the socket pushes out everything it held.
  CHECK(burst.cork_after == 0);
}
