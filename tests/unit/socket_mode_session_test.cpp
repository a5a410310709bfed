// The Socket Mode lifecycle without sockets: events in, actions out, on virtual time.
#include "bot/slack/socket_mode_session.hpp"

#include <catch2/catch.hpp>

using namespace itpm::bot;
using namespace std::chrono_literals;
namespace s = itpm::bot::session;

namespace {

SocketModeSession make_session() {
  ReconnectPolicy::Options o;
  o.initial = 500ms;
  o.cap = 8000ms;
  o.jitter = 0.0;
  o.stable = 30000ms;
  return SocketModeSession(ReconnectPolicy(o, [] { return 0.5; }), 10000ms);
}

template <class A>
const A* find(const SocketModeSession::Actions& actions) {
  for (const auto& a : actions) {
    if (const auto* found = std::get_if<A>(&a)) return found;
  }
  return nullptr;
}

const auto t0 = SocketModeSession::Clock::time_point{};

// A session serving on socket 1.
SocketModeSession serving() {
  auto session = make_session();
  REQUIRE(find<s::OpenSocket>(session.start()));
  auto greet = session.connected(1);
  REQUIRE(find<s::AwaitHello>(greet));
  CHECK(find<s::AwaitHello>(greet)->within == 10000ms);
  CHECK(session.hello(1, t0).empty());
  REQUIRE(session.active() == 1);
  return session;
}

}  // namespace

TEST_CASE("a session opens a socket and serves once it says hello") {
  auto session = serving();
  CHECK(session.open_sockets() == std::set<int>{1});
  CHECK_FALSE(session.stopped());
}

TEST_CASE("a refresh request is make before break: the old socket closes after the new hello") {
  auto session = serving();
  REQUIRE(find<s::OpenSocket>(session.disconnect(1, "refresh_requested")));
  CHECK(session.active() == 1);  // still serving while the replacement opens
  session.connected(2);
  auto replaced = session.hello(2, t0 + 1s);
  REQUIRE(find<s::CloseSocket>(replaced));
  CHECK(find<s::CloseSocket>(replaced)->id == 1);
  REQUIRE(find<s::CountReconnect>(replaced));
  CHECK(find<s::CountReconnect>(replaced)->reason == "refresh");
  CHECK(session.active() == 2);
  // The old socket's close is bookkeeping only: no new attempt.
  CHECK(session.closed(1, "closed by peer", t0 + 2s).empty());
  CHECK(session.active() == 2);
}

TEST_CASE("a lost socket reconnects at once when it was healthy, after a backoff when not") {
  auto healthy = serving();
  auto lost = healthy.closed(1, "eof", t0 + 60s);
  CHECK(find<s::OpenSocket>(lost));
  REQUIRE(find<s::CountReconnect>(lost));
  CHECK(find<s::CountReconnect>(lost)->reason == "lost");
  CHECK_FALSE(healthy.active());

  auto flaky = serving();
  auto stale = flaky.closed(1, "stale", t0 + 1s);
  REQUIRE(find<s::Pause>(stale));
  CHECK(find<s::Pause>(stale)->delay == 500ms);
  CHECK(find<s::CountReconnect>(stale)->reason == "stale");
  CHECK(find<s::OpenSocket>(flaky.pause_over()));
}

TEST_CASE("failed attempts back off, an authentication failure exits with code 3") {
  auto session = make_session();
  session.start();
  auto first = session.open_failed(Failure::network, std::nullopt, "refused");
  REQUIRE(find<s::Pause>(first));
  CHECK(find<s::Pause>(first)->delay == 500ms);
  session.pause_over();
  auto second = session.open_failed(Failure::rate_limited, 3s, "429");
  CHECK(find<s::Pause>(second)->delay == 3000ms);  // Retry-After wins over the backoff
  session.pause_over();
  auto auth = session.open_failed(classify_open_call("invalid_auth"), std::nullopt, "bad token");
  REQUIRE(find<s::Exit>(auth));
  CHECK(find<s::Exit>(auth)->code == 3);
  CHECK(session.stopped());
  CHECK(classify_open_call("http_503") == Failure::network);
  CHECK(classify_open_call("network_error") == Failure::network);
}

TEST_CASE("no hello in time closes the socket and tries again") {
  auto session = make_session();
  session.start();
  session.connected(7);
  auto timed_out = session.hello_timed_out(7);
  REQUIRE(find<s::CloseSocket>(timed_out));
  CHECK(find<s::CloseSocket>(timed_out)->id == 7);
  CHECK(find<s::Pause>(timed_out));
  // A late hello of that socket changes nothing.
  CHECK(session.hello(7, t0).empty());
  CHECK_FALSE(session.active());
}

TEST_CASE("Slack's disconnect reasons: link_disabled exits 4, too_many_websockets backs off") {
  CHECK(classify_disconnect("warning") == DisconnectReason::refresh);
  CHECK(classify_disconnect("something new") == DisconnectReason::refresh);
  auto disabled = serving();
  auto exit = disabled.disconnect(1, "link_disabled");
  REQUIRE(find<s::Exit>(exit));
  CHECK(find<s::Exit>(exit)->code == 4);

  auto crowded = serving();
  auto backoff = crowded.disconnect(1, "too_many_websockets");
  REQUIRE(find<s::CloseSocket>(backoff));
  REQUIRE(find<s::Pause>(backoff));
  CHECK(find<s::Pause>(backoff)->delay >= 10000ms);
  CHECK_FALSE(crowded.active());
  // Before hello, the same reasons end the attempt.
  auto early = make_session();
  early.start();
  early.connected(3);
  auto refused = early.disconnect(3, "link_disabled");
  CHECK(find<s::CloseSocket>(refused));
  CHECK(find<s::Exit>(refused)->code == 4);
}

TEST_CASE("stop exits with 0 once, and a socket that connects afterwards is closed") {
  auto session = make_session();
  session.start();
  auto stopped = session.stop();
  REQUIRE(find<s::Exit>(stopped));
  CHECK(find<s::Exit>(stopped)->code == 0);
  CHECK(session.stop().empty());
  auto late = session.connected(4);
  REQUIRE(find<s::CloseSocket>(late));
  CHECK(find<s::CloseSocket>(late)->id == 4);
}
