// The real bot process against the simulator over a TLS WebSocket on loopback.
#include "tests/support/bot_run.hpp"
#include "tests/support/http_get.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

using namespace std::chrono_literals;
using itpm::sim::Snapshot;
using itpm::test::BotRun;

namespace {

bool closed_by_client(const Snapshot& s) {
  return std::any_of(s.closed.begin(), s.closed.end(), [](const std::string& c) {
    return c.find("closed by client") != std::string::npos;
  });
}

}  // namespace

TEST_CASE("the bot connects over TLS, is ready, answers /itpm help and stops cleanly",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));

  std::string reply = bot.command("help");
  CHECK(reply.find("`risk`") != std::string::npos);
  CHECK(reply.find("`decision`") != std::string::npos);

  // The ack came back, so the bot has processed hello: it must report ready.
  auto port = bot.http_port();
  CHECK(itpm::test::http_get(port, "/healthz").status == 200);
  CHECK(itpm::test::http_get(port, "/readyz").status == 200);
  auto metrics = itpm::test::http_get(port, "/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.body.find("itpm_envelopes_acked_total{type=\"slash_commands\"} 1") !=
        std::string::npos);
  CHECK(metrics.body.find("itpm_socket_connections 1") != std::string::npos);

  Snapshot before = sim->snapshot();
  CHECK(before.count_calls("apps.connections.open") == 1);
  // The ack carried the reply as a slash-command response payload.
  CHECK(before.acks.front().payload.value("response_type", "") == "ephemeral");

  auto status = bot.terminate();
  REQUIRE(status.has_value());
  CHECK(*status == 0);
  CHECK(sim->wait_for(closed_by_client, 5s));
  CHECK(bot.process().output().find("stopped cleanly") != std::string::npos);
}

TEST_CASE("a mistyped area gets a did-you-mean and nothing else", "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  std::string reply = bot.command("rsk list");
  CHECK(reply.find("Unknown area") != std::string::npos);
  CHECK(reply.find("Did you mean `risk`?") != std::string::npos);
}

TEST_CASE("refresh_requested: a new ticket, the new socket before the old one closes, at most two",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));

  sim->request_refresh(true);
  REQUIRE(bot.wait_hellos(2));
  REQUIRE(sim->wait_for(
      [](const Snapshot& s) { return s.open_sockets == 1 && closed_by_client(s); }, 10s));
  Snapshot s = sim->snapshot();
  CHECK(s.tickets_issued == 2);
  CHECK(s.max_open_sockets == 2);
  // The old socket was closed by the bot only after the new one said hello.
  CHECK(s.closed.size() == 1);

  CHECK(bot.command("help").find("`risk`") != std::string::npos);
}

TEST_CASE("a connection that goes silent is detected as stale and replaced", "[integration]") {
  auto sim = itpm::test::make_sim(true, 100ms);
  BotRun bot(*sim, {{"ITPM_PING_INTERVAL_MS", "100"}, {"ITPM_STALE_AFTER_MS", "800"}});
  REQUIRE(bot.wait_hellos(1));

  sim->freeze_sockets();
  REQUIRE(bot.wait_hellos(2, 20s));
  CHECK(bot.command("help").find("`risk`") != std::string::npos);
  Snapshot s = sim->snapshot();
  CHECK(s.max_open_sockets <= 2);
  CHECK(s.tickets_issued == 2);
  CHECK(bot.process().output().find("stale") != std::string::npos);
}

TEST_CASE("a server that stops pinging is detected as stale and replaced", "[integration]") {
  auto sim = itpm::test::make_sim(true, 100ms);
  BotRun bot(*sim, {{"ITPM_PING_INTERVAL_MS", "100"}, {"ITPM_STALE_AFTER_MS", "800"}});
  REQUIRE(bot.wait_hellos(1));
  // A pong from the bot proves it has seen a server ping, so it now expects more of them.
  REQUIRE(sim->wait_for([](const Snapshot& s) { return s.pongs_from_client >= 1; }, 10s));
  sim->set_server_pings(false);
  REQUIRE(bot.wait_hellos(2, 20s));
  CHECK(bot.process().output().find("stale") != std::string::npos);
  CHECK(bot.command("help").find("`risk`") != std::string::npos);
}

TEST_CASE("a dropped TCP connection is replaced at once", "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  sim->drop_sockets();
  REQUIRE(bot.wait_hellos(2));
  CHECK(bot.command("whoami").find("<@U0DEMO1>") != std::string::npos);
}

TEST_CASE("a refused WebSocket upgrade is retried with a new ticket", "[integration]") {
  auto sim = itpm::test::make_sim();
  sim->refuse_handshakes(409);
  BotRun bot(*sim);
  REQUIRE(sim->wait_for([](const Snapshot& s) { return s.handshakes_refused >= 1; }, 10s));
  CHECK(itpm::test::http_get(bot.http_port(), "/readyz").status == 503);
  CHECK(itpm::test::http_get(bot.http_port(), "/healthz").status == 200);
  // `itpm-bot healthcheck` (the container's HEALTHCHECK) says the same with its exit code.
  auto healthcheck = [](const std::string& listen) {
    itpm::process::ChildOptions options;
    options.argv = {ITPM_BOT_PATH, "healthcheck", "--http-listen", listen};
    itpm::process::ChildProcess check(options);
    return check.wait_exit(15s);
  };
  std::string listen = "0.0.0.0:" + std::to_string(bot.http_port());  // asked on loopback
  CHECK(healthcheck(listen) == std::optional<int>(1));
  CHECK(healthcheck("127.0.0.1:0") == std::optional<int>(2));
  sim->refuse_handshakes(0);
  REQUIRE(bot.wait_hellos(1, 20s));
  CHECK(bot.command("whoami").find("<@U0DEMO1>") != std::string::npos);  // hello handled: ready
  CHECK(healthcheck(listen) == std::optional<int>(0));
  Snapshot s = sim->snapshot();
  // Every attempt used a fresh ticket: the sim refuses a ticket it has already seen.
  CHECK(s.tickets_issued == s.handshakes_refused + s.handshakes_accepted);
  CHECK(s.handshakes_accepted == 1);
}

TEST_CASE("apps.connections.open rate limited: the bot waits Retry-After, then connects",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  sim->fail_connections_open("ratelimited", 1);
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1, 20s));
  Snapshot s = sim->snapshot();
  std::vector<itpm::sim::ApiCall> opens;
  for (const auto& c : s.calls) {
    if (c.method == "apps.connections.open") opens.push_back(c);
  }
  REQUIRE(opens.size() == 2);
  CHECK(opens[0].status == 429);
  CHECK(opens[1].at - opens[0].at >= 1s);  // Retry-After: 1
}

TEST_CASE("link_disabled stops the bot with exit code 4", "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  sim->send_disconnect("link_disabled");
  auto status = bot.process().wait_exit(15s);
  REQUIRE(status.has_value());
  CHECK(*status == 4);
  CHECK(bot.process().output().find("link_disabled") != std::string::npos);
}

TEST_CASE("a redelivered event is acked but handled once", "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  nlohmann::json mention = {{"type", "app_mention"},
                            {"user", "U0DEMO2"},
                            {"text", "<@U0BOT0001> hi"},
                            {"ts", "1700000000.000100"},
                            {"channel", "C0DEMO1"}};
  std::string event_id = sim->send_event(mention);
  REQUIRE_FALSE(event_id.empty());
  REQUIRE(sim->wait_for(
      [](const Snapshot& s) { return s.ok_calls("chat.postMessage").size() == 1; }, 10s));

  sim->send_event(mention, event_id, 1);
  mention["ts"] = "1700000000.000200";
  sim->send_event(mention);  // a different event, so we know the redelivery was processed first
  REQUIRE(sim->wait_for([](const Snapshot& s) { return s.acks.size() == 3; }, 10s));
  REQUIRE(sim->wait_for(
      [](const Snapshot& s) { return s.ok_calls("chat.postMessage").size() >= 2; }, 10s));
  Snapshot s = sim->snapshot();
  CHECK(s.ok_calls("chat.postMessage").size() == 2);
  const auto* reply = s.ok_calls("chat.postMessage").front();
  CHECK(reply->args.value("thread_ts", "") == "1700000000.000100");
  CHECK(reply->args.value("text", "").find("<@U0DEMO2>") != std::string::npos);
}

TEST_CASE("a command typed in a DM to the bot runs and is answered in the DM", "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  nlohmann::json dm = {{"type", "message"},
                       {"channel_type", "im"},
                       {"user", "U0DEMO3"},
                       {"channel", "D0DEMO3"},
                       {"text", R"(program add dr-2027 "Disaster Recovery 2027")"},
                       {"ts", "1700000000.000300"}};
  REQUIRE_FALSE(sim->send_event(dm).empty());
  auto answered = [](const Snapshot& s) {
    for (const auto* call : s.ok_calls("chat.postMessage")) {
      if (call->args.value("channel", "") == "D0DEMO3" &&
          call->args.value("text", "").find("dr-2027") != std::string::npos)
        return true;
    }
    return false;
  };
  CHECK(sim->wait_for(answered, 10s));
  CHECK(bot.command("program list").find("dr-2027") != std::string::npos);
  CHECK(bot.terminate() == std::optional<int>(0));
}

TEST_CASE("the bot also runs against a plain http:// simulator with ws://", "[integration]") {
  auto sim = itpm::test::make_sim(false);
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  CHECK(bot.command("help risk").find("/itpm risk add") != std::string::npos);
  CHECK(bot.terminate() == std::optional<int>(0));
}

TEST_CASE("a program added in Slack is acked after it is saved, and survives a restart",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  itpm::test::TempDir data;
  {
    BotRun bot(*sim, {}, {}, data.path() / "db");
    REQUIRE(bot.wait_hellos(1));
    std::string reply = bot.command(
        R"(program add dr-2027 "Disaster Recovery 2027" --sponsor @carol --due 2027-06-30)");
    CHECK(reply.find("Program *dr-2027*") != std::string::npos);
    Snapshot s = sim->snapshot();
    CHECK(s.acks.back().payload.value("response_type", "") == "in_channel");
    CHECK(bot.terminate() == std::optional<int>(0));
  }
  BotRun again(*sim, {}, {}, data.path() / "db");
  REQUIRE(again.wait_hellos(2));
  std::string shown = again.command("program show dr-2027");
  CHECK(shown.find("Disaster Recovery 2027") != std::string::npos);
  CHECK(shown.find("sponsor <@U0DEMO3>") != std::string::npos);
}

TEST_CASE("a form, a message shortcut and the home tab over a real Socket Mode connection",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  bot.command(R"(program add dr-2027 "Disaster Recovery 2027" --channel #demo)");
  const std::string alice = "U0DEMO1";
  auto form_open = [&](const std::string& title) {
    return [&alice, title](const Snapshot& s) {
      auto it = s.views.find(alice);
      return it != s.views.end() && it->second["title"]["text"] == title;
    };
  };
  // A bare `risk add` opens the form (views.open with the command's trigger, within 3 s).
  itpm::sim::SlashCommand bare;
  bare.text = "risk add";
  REQUIRE_FALSE(sim->send_slash_command(bare).empty());
  REQUIRE(sim->wait_for(form_open("Raise a risk"), 10s));
  // A mistake keeps it open with the error on its field; a valid one saves and closes it.
  std::string problem;
  std::string first = sim->submit_view(alice, {{"title", "Failover untested"}}, &problem);
  REQUIRE_FALSE(first.empty());
  REQUIRE(sim->wait_for([&](const Snapshot& s) { return s.ack_for(first) != nullptr; }, 10s));
  auto errors = sim->snapshot().ack_for(first)->payload;
  CHECK(errors["response_action"] == "errors");
  CHECK(errors["errors"]["likelihood"] == "Required.");
  std::string second = sim->submit_view(alice, {{"likelihood", "3"}, {"impact", "3"}});
  REQUIRE_FALSE(second.empty());
  CHECK(sim->wait_for([&](const Snapshot& s) { return !s.views.contains(alice); }, 10s));
  CHECK(bot.command("risk show R-1").find("Failover untested") != std::string::npos);

  // "Log as decision" on someone's message: the form holds its text and permalink.
  sim->say("U0DEMO2", "C0DEMO1", "We move the failover drill to Q2");
  itpm::sim::MessageShortcut use;
  use.callback_id = "itpm_log_decision";
  REQUIRE_FALSE(sim->use_shortcut(use).empty());
  REQUIRE(sim->wait_for(form_open("Record a decision"), 10s));
  nlohmann::json view = sim->snapshot().views.at(alice);
  CHECK(view.dump().find("sim.slack.local/archives/C0DEMO1") != std::string::npos);
  REQUIRE_FALSE(sim->submit_view(alice, {}).empty());
  CHECK(sim->wait_for([&](const Snapshot& s) { return !s.views.contains(alice); }, 10s));
  CHECK(bot.command("decision show D-1").find("failover drill") != std::string::npos);

  // The home tab lists what alice owns.
  REQUIRE_FALSE(sim->open_home(alice).empty());
  REQUIRE(sim->wait_for([&](const Snapshot& s) { return s.homes.contains(alice); }, 10s));
  CHECK(sim->snapshot().homes.at(alice).dump().find("R-1") != std::string::npos);
  CHECK(bot.terminate() == std::optional<int>(0));
}

TEST_CASE("buttons on what the bot posts run their command as whoever presses them",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  bot.command(R"(program add dr-2027 "Disaster Recovery 2027" --channel #demo)");
  bot.command(R"(risk add "Failover untested" --program dr-2027 -l 5 -i 5)");
  auto has_button = [](const std::string& channel, const std::string& label) {
    return [channel, label](const Snapshot& s) {
      for (const auto* call : s.ok_calls("chat.postMessage")) {
        if (call->args.value("channel", "") == channel &&
            call->args.dump().find("\"" + label + "\"") != std::string::npos)
          return true;
      }
      return false;
    };
  };
  // The escalation DM's Acknowledge: refused for someone else (told through the
  // response_url), done for the owner.
  REQUIRE(sim->wait_for(has_button("D0DEMO1", "Acknowledge"), 10s));
  itpm::sim::ButtonPress press;
  press.channel = "D0DEMO1";
  press.label = "Acknowledge";
  press.user = "U0DEMO2";
  std::string refused = sim->press_button(press);
  REQUIRE_FALSE(refused.empty());
  auto answered = [](const Snapshot& s) {
    for (const auto& call : s.calls) {
      if (call.method == "response_url" &&
          call.args.value("text", "").find("R-1") != std::string::npos)
        return true;
    }
    return false;
  };
  REQUIRE(sim->wait_for(answered, 10s));
  CHECK(bot.command("risk show R-1").find("acknowledged") == std::string::npos);
  press.user = "U0DEMO1";
  REQUIRE_FALSE(sim->press_button(press).empty());
  CHECK(sim->wait_for(
      [](const Snapshot& s) {
        for (const auto& call : s.calls) {
          if (call.method == "response_url" &&
              call.args.value("text", "").find("cknowledged") != std::string::npos)
            return true;
        }
        return false;
      },
      10s));
  // The agenda's Record status opens the status form.
  bot.command("review now dr-2027");
  REQUIRE(sim->wait_for(has_button("C0DEMO1", "Record status"), 10s));
  itpm::sim::ButtonPress record;
  record.label = "Record status";
  REQUIRE_FALSE(sim->press_button(record).empty());
  REQUIRE(sim->wait_for(
      [](const Snapshot& s) {
        auto it = s.views.find("U0DEMO1");
        return it != s.views.end() && it->second["title"]["text"] == "Record status";
      },
      10s));
  REQUIRE_FALSE(
      sim->submit_view("U0DEMO1", {{"status", "amber"}, {"summary", "drill slipped"}}).empty());
  CHECK(sim->wait_for([](const Snapshot& s) { return !s.views.contains("U0DEMO1"); }, 10s));
  CHECK(bot.command("status").find("amber") != std::string::npos);
  CHECK(bot.terminate() == std::optional<int>(0));
}

TEST_CASE("with ITPM_LOG_FORMAT=json every log line is one JSON object", "[integration]") {
  auto sim = itpm::test::make_sim();
  // Under systemd (JOURNAL_STREAM) each line also starts with its syslog priority.
  BotRun bot(*sim, {{"ITPM_LOG_FORMAT", "json"}, {"JOURNAL_STREAM", "8:1234"}});
  REQUIRE(bot.wait_hellos(1));
  bot.command(R"(risk add "Secret project title" --program nope -l 2 -i 2)");
  REQUIRE(bot.process().wait_for_output("\"msg\":\"envelope acked\"", 10s));
  REQUIRE(bot.terminate() == std::optional<int>(0));
  std::istringstream lines(bot.process().output());
  int objects = 0;
  bool acked = false;
  for (std::string line; std::getline(lines, line);) {
    INFO(line);
    REQUIRE(line.size() > 3);
    CHECK(line[0] == '<');
    CHECK(std::string("23467").find(line[1]) != std::string::npos);
    auto j = nlohmann::json::parse(line.substr(3), nullptr, false);
    REQUIRE(j.is_object());
    ++objects;
    CHECK(j.value("ts", "").ends_with("Z"));
    CHECK(j.value("ts", "").size() == 24);  // 2026-12-06T15:57:02.123Z
    CHECK(j.contains("level"));
    CHECK(j.contains("msg"));
    if (j.value("msg", "") == "envelope acked") {
      acked = true;
      CHECK(line.starts_with("<6>"));
      CHECK(j.value("verb", "") == "risk add");
      CHECK(j.value("user", "") == "U0DEMO1");
      CHECK_FALSE(j.value("envelope_id", "").empty());
      CHECK(j.contains("ms"));
    }
    CHECK(line.find("Secret project title") == std::string::npos);
  }
  CHECK(acked);
  CHECK(objects > 3);
}
