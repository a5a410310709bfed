#pragma once
// The dispatcher on a real store in a temp dir, driven by hand-made envelopes on an I/O
// context the test runs: what the dispatcher tests share.

#include "bot/dispatcher.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace itpm::test {

using bot::Dispatched;
using bot::Dispatcher;
using bot::Envelope;

inline Envelope slash(const std::string& text, bool accepts = true) {
  Envelope e;
  e.envelope_id = "E1";
  e.type = "slash_commands";
  e.accepts_response_payload = accepts;
  e.payload = {{"user_id", "U1"},
               {"channel_id", "C1"},
               {"text", text},
               {"response_url", "https://hooks.example/r"}};
  return e;
}

inline Envelope mention(const std::string& event_id, const std::string& user = "U2") {
  Envelope e;
  e.envelope_id = "E-" + event_id;
  e.type = "events_api";
  e.payload = {
      {"event_id", event_id},
      {"event", {{"type", "app_mention"}, {"user", user}, {"channel", "C1"}, {"ts", "1.2"}}}};
  return e;
}

struct TempStore {
  explicit TempStore(itpm::storage::Store::Options options = {})
      : store(itpm::storage::Store::open(dir.path() / "db", options)), repos(*store) {}
  boost::asio::io_context ioc;
  itpm::test::TempDir dir;
  std::unique_ptr<itpm::storage::Store> store;
  itpm::storage::Repositories repos;
};

// Handles `e`; what writes (a command's change, an event's dedupe row) is committed on the
// store's committer thread and finishes on the I/O context, which has work until then.
inline Dispatched handle(TempStore& t, Dispatcher& d, const Envelope& e) {
  std::optional<Dispatched> out;
  d.handle(e, [&](Dispatched result) { out = std::move(result); });
  t.ioc.restart();
  t.ioc.run_for(std::chrono::seconds(10));
  REQUIRE(out);
  return std::move(*out);
}

inline Envelope typed(const std::string& event_id, const std::string& type,
                      const std::string& channel, const std::string& text) {
  Envelope e;
  e.envelope_id = "E-" + event_id;
  e.type = "events_api";
  nlohmann::json event = {
      {"type", type}, {"user", "U2"}, {"channel", channel}, {"ts", "1.2"}, {"text", text}};
  if (type == "message") event["channel_type"] = "im";
  e.payload = {{"event_id", event_id}, {"event", event}};
  return e;
}

// Runs the I/O context until `ready()` holds (at most 10 s). It is kept from running out of
// work meanwhile: the worker posts to it from its own thread.
template <class Ready>
inline bool run_until(boost::asio::io_context& ioc, Ready ready) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto busy = boost::asio::make_work_guard(ioc);
  ioc.restart();
  while (!ready() && std::chrono::steady_clock::now() < deadline)
    ioc.run_one_for(std::chrono::milliseconds(50));
  return ready();
}

}  // namespace itpm::test
