// The WebSocket connection's read/write/keep-alive loops, driven over beast::test::stream:
// no TLS, no sockets, same code as in production.
#include "bot/transport/ws_connection.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <catch2/catch.hpp>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using namespace std::chrono_literals;
using Conn = itpm::bot::WsConnection<beast::test::stream>;
using ServerSide = websocket::stream<beast::test::stream>;

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
