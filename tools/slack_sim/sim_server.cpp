// The simulator's server: listener, HTTP (Web API and upgrade), envelope delivery, acks,
// timeouts and redelivery, and the public SlackSim interface.
#include "tools/slack_sim/sim_core.hpp"
#include "tools/slack_sim/test_cert.hpp"

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <algorithm>
#include <cstdlib>
#include <future>

namespace itpm::sim {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using nlohmann::json;
using Core = SlackSim::Core;

namespace {

template <class Stream>
net::awaitable<void> serve_http(Core* core, Stream stream) {
  auto token = net::as_tuple(net::use_awaitable);
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(1U << 20U);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(60));
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, token);
    if (ec) co_return;
    http::request<http::string_body> req = parser.release();
    if (beast::websocket::is_upgrade(req)) {
      std::string target(req.target());
      int status = core->refuse_status;
      if (status == 0 && !(target.starts_with("/link") && core->take_ticket(target))) status = 409;
      if (status != 0) {
        core->state.update([](Snapshot& s) { ++s.handshakes_refused; });
        http::response<http::string_body> res{static_cast<http::status>(status), req.version()};
        res.body() = "ticket refused";
        res.keep_alive(false);
        res.prepare_payload();
        co_await http::async_write(stream, res, token);
        beast::get_lowest_layer(stream).close();
        co_return;
      }
      core->state.update([](Snapshot& s) { ++s.handshakes_accepted; });
      beast::get_lowest_layer(stream).expires_never();
      start_ws_session(core, std::move(stream), std::move(req));
      co_return;
    }
    HttpIn in{std::string(req.method_string()), std::string(req.target()),
              std::string(req[http::field::authorization]),
              std::string(req[http::field::content_type]), std::move(req.body())};
    HttpAnswer answer = core->handle_http(in);
    if (answer.drop_connection) break;
    http::response<http::string_body> res{static_cast<http::status>(answer.status), req.version()};
    res.set(http::field::content_type, answer.content_type);
    if (!answer.retry_after.empty()) res.set(http::field::retry_after, answer.retry_after);
    if (!answer.oauth_scopes.empty()) res.set("x-oauth-scopes", answer.oauth_scopes);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(answer.body);
    res.prepare_payload();
    auto [wec, wn] = co_await http::async_write(stream, res, token);
    if (wec || !res.keep_alive()) break;
  }
  beast::get_lowest_layer(stream).close();
}

net::awaitable<void> serve_plain(Core* core, tcp::socket socket) {
  co_await serve_http(core, beast::tcp_stream(std::move(socket)));
}

net::awaitable<void> serve_tls(Core* core, tcp::socket socket) {
  beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *core->tls);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
  auto [ec] =
      co_await stream.async_handshake(ssl::stream_base::server, net::as_tuple(net::use_awaitable));
  if (ec) co_return;
  co_await serve_http(core, std::move(stream));
}

net::awaitable<void> accept_loop(Core* core) {
  for (;;) {
    auto [ec, socket] = co_await core->acceptor.async_accept(net::as_tuple(net::use_awaitable));
    if (!core->acceptor.is_open()) co_return;
    if (ec) continue;
    socket.set_option(tcp::no_delay(true));
    if (core->options.tls) {
      net::co_spawn(core->ioc, serve_tls(core, std::move(socket)), net::detached);
    } else {
      net::co_spawn(core->ioc, serve_plain(core, std::move(socket)), net::detached);
    }
  }
}

// Runs `f` on the I/O thread and returns its result to the calling thread.
template <class F>
auto on_io(Core& core, F f) -> decltype(f()) {
  using R = decltype(f());
  std::promise<R> promise;
  auto future = promise.get_future();
  net::post(core.ioc, [&] {
    if constexpr (std::is_void_v<R>) {
      f();
      promise.set_value();
    } else {
      promise.set_value(f());
    }
  });
  return future.get();
}

std::vector<std::shared_ptr<SimSocket>> open_sockets(const Core& core) {
  std::vector<std::shared_ptr<SimSocket>> out;
  for (const auto& [id, s] : core.sockets) out.push_back(s);
  return out;
}

}  // namespace

void Core::socket_greeted(std::shared_ptr<SimSocket> socket) {
  sockets[socket->id()] = std::move(socket);
  state.update([](Snapshot& s) { ++s.hellos_sent; });
}

void Core::socket_closed(int id, const std::string& reason) {
  sockets.erase(id);
  frozen.erase(id);
  state.update([&](Snapshot& s) {
    --s.open_sockets;
    s.closed.push_back(fmt::format("socket {}: {}", id, reason));
  });
}

void Core::client_text(int socket, const std::string& text) {
  if (load && take_load_ack(socket, text)) return;
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("envelope_id") ||
      !j["envelope_id"].is_string()) {
    state.update([](Snapshot& s) { ++s.bad_client_frames; });
    return;
  }
  std::string id = j["envelope_id"];
  auto now = Clock::now();
  auto it = pending.find(id);
  if (it == pending.end()) {
    bool late = expired_envelopes.contains(id);
    state.update([&](Snapshot& s) {
      if (late) {
        s.acks.push_back(AckRecord{id, "", j.value("payload", json()), 0, socket, true});
      } else {
        ++s.bad_client_frames;
      }
    });
    return;
  }
  Pending p = std::move(it->second);
  pending.erase(it);
  json payload = j.contains("payload") ? std::move(j["payload"]) : json();
  double latency = std::chrono::duration<double, std::milli>(now - p.sent).count();
  // Print first, then record: whoever waits for the ack sees the reply already printed.
  if (p.type == "interactive") submission_acked(id, payload);
  if (p.type == "slash_commands" && payload.is_object() && payload.contains("text")) {
    bool in_channel = payload.value("response_type", "") == "in_channel";
    output(fmt::format("itpm{}> {}", in_channel ? "" : " (only you)", payload.value("text", "")));
  }
  state.update([&](Snapshot& s) {
    s.acks.push_back(
        AckRecord{id, p.type, std::move(payload), latency, socket, false, text.size()});
  });
}

bool Core::take_load_ack(int socket, const std::string& text) {
  // The ack of a load run's command, as the bot writes it: {"envelope_id":"…"[,"payload":…]}.
  // Only timed: the simulator shares the machine with the client it measures, so it does not
  // parse the reply (Slack's parsing is not on the bot's machine). Tests check replies; a
  // load run measures.
  constexpr std::string_view head = "{\"envelope_id\":\"";
  if (!text.starts_with(head)) return false;
  auto end = text.find('"', head.size());
  if (end == std::string::npos) return false;
  std::string id = text.substr(head.size(), end - head.size());
  auto it = pending.find(id);
  if (it == pending.end() || !load->ids.contains(id)) return false;
  double latency =
      std::chrono::duration<double, std::milli>(Clock::now() - it->second.sent).count();
  std::string type = std::move(it->second.type);
  pending.erase(it);
  state.update([&](Snapshot& s) {
    s.acks.push_back(AckRecord{id, std::move(type), json(), latency, socket, false, text.size()});
  });
  ++load->done;
  send_next_load();
  return true;
}

bool Core::deliver(json envelope) {
  std::vector<int> ready;
  for (const auto& [id, s] : sockets) {
    if (!frozen.contains(id)) ready.push_back(id);
  }
  if (ready.empty()) return false;
  int socket = ready[round_robin++ % ready.size()];
  std::string id = envelope["envelope_id"];
  auto now = Clock::now();
  std::string frame = envelope.dump();
  pending[id] = Pending{std::move(envelope), "", now, now + options.ack_timeout, socket, 0};
  pending[id].type = pending[id].envelope.value("type", "");
  pending[id].attempt = pending[id].envelope.value("retry_attempt", 0);
  sockets[socket]->send_text(std::move(frame));
  arm_sweeper();
  return true;
}

void Core::arm_sweeper() {
  if (sweeper_armed) return;
  sweeper_armed = true;
  sweeper.expires_after(std::chrono::milliseconds(100));
  sweeper.async_wait([this](const boost::system::error_code& ec) {
    sweeper_armed = false;
    if (!ec) sweep();
  });
}

void Core::sweep() {
  auto now = Clock::now();
  std::vector<std::string> due;
  for (const auto& [id, p] : pending) {
    if (p.deadline <= now) due.push_back(id);
  }
  for (const auto& id : due) {
    Pending p = std::move(pending[id]);
    pending.erase(id);
    expired_envelopes.insert(id);
    if (p.type == "events_api" && p.attempt < options.max_redeliveries) {
      json again = std::move(p.envelope);
      again["retry_attempt"] = p.attempt + 1;
      again["retry_reason"] = "timeout";
      if (options.new_envelope_id_on_redelivery) again["envelope_id"] = new_id();
      state.update([](Snapshot& s) { ++s.redeliveries; });
      deliver(std::move(again));
      continue;
    }
    if (p.type != "events_api") {
      state.update([&](Snapshot& s) { s.timed_out.push_back(id); });
      output("(only you) /itpm failed with the error \"operation_timeout\"");
    }
    if (load && load->ids.contains(id)) ++load->done;
  }
  if (load) send_next_load();
  if (!pending.empty()) arm_sweeper();
}

namespace {

// The load run's text for its `n`th command: "{n}" becomes n, "{n%K}" becomes n % K + 1.
std::string numbered(const std::string& text, int n) {
  std::string out;
  std::size_t at = 0;
  for (;;) {
    std::size_t open = text.find("{n", at);
    std::size_t close = open == std::string::npos ? open : text.find('}', open);
    if (close == std::string::npos) break;
    std::string spec = text.substr(open + 2, close - open - 2);
    int value = n;
    if (spec.starts_with("%") && spec.size() > 1) {
      value = n % std::max(1, std::atoi(spec.c_str() + 1)) + 1;
    } else if (!spec.empty()) {
      out += text.substr(at, close + 1 - at);  // not a placeholder
      at = close + 1;
      continue;
    }
    out += text.substr(at, open - at) + std::to_string(value);
    at = close + 1;
  }
  return out + text.substr(at);
}

}  // namespace

void Core::send_next_load() {
  while (load && load->sent < load->total && load->sent - load->done < load->window) {
    SlashCommand cmd;
    cmd.text = numbered(load->text, load->sent);
    cmd.escaped = true;
    json envelope = slash_envelope(cmd);
    std::string id = envelope["envelope_id"];
    if (!deliver(std::move(envelope))) return;
    load->ids.insert(id);
    ++load->sent;
  }
}

SlackSim::SlackSim(SimOptions options) : core_(std::make_unique<Core>(std::move(options))) {
  core_->user_ids = {{"alice", "U0DEMO1"},
                     {"bob", "U0DEMO2"},
                     {"carol", "U0DEMO3"},
                     {"dave", "U0DEMO4"},
                     {"erin", "U0DEMO5"}};
  core_->channel_ids = {{"demo", "C0DEMO1"}, {"dr-program", "C0DEMO2"}, {"leadership", "C0DEMO3"}};
}

SlackSim::~SlackSim() {
  stop();
}

void SlackSim::start() {
  if (core_->options.tls) {
    CertAndKey ck = make_self_signed_cert();
    core_->cert_pem = ck.cert_pem;
    core_->tls.emplace(ssl::context::tls_server);
    core_->tls->use_certificate_chain(net::buffer(ck.cert_pem));
    core_->tls->use_private_key(net::buffer(ck.key_pem), ssl::context::pem);
  }
  tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), core_->options.port);
  core_->acceptor.open(endpoint.protocol());
  core_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  core_->acceptor.bind(endpoint);
  core_->acceptor.listen();
  core_->port = core_->acceptor.local_endpoint().port();
  net::co_spawn(core_->ioc, accept_loop(core_.get()), net::detached);
  core_->thread = std::thread([core = core_.get()] { core->ioc.run(); });
}

void SlackSim::stop() {
  if (!core_->thread.joinable()) return;
  on_io(*core_, [this] {
    boost::system::error_code ignored;
    core_->acceptor.close(ignored);
    for (auto& s : open_sockets(*core_)) s->drop();
  });
  core_->ioc.stop();
  core_->thread.join();
}

std::uint16_t SlackSim::port() const {
  return core_->port;
}
std::string SlackSim::api_url() const {
  return core_->base_url() + "/api/";
}
std::string SlackSim::cert_pem() const {
  return core_->cert_pem;
}
const SimOptions& SlackSim::options() const {
  return core_->options;
}
Snapshot SlackSim::snapshot() const {
  return core_->state.snapshot();
}

bool SlackSim::wait_for(const std::function<bool(const Snapshot&)>& done,
                        std::chrono::milliseconds timeout) const {
  return core_->state.wait_for(done, timeout);
}

std::string SlackSim::send_slash_command(const SlashCommand& command) {
  SlashCommand c = command;
  if (!c.escaped) c.text = escape_like_slack(c.text);
  return on_io(*core_, [&] {
    json envelope = core_->slash_envelope(c);
    std::string id = envelope["envelope_id"];
    return core_->deliver(std::move(envelope)) ? id : std::string();
  });
}

std::string SlackSim::press_button(const ButtonPress& press) {
  return on_io(*core_, [&] {
    auto envelope = core_->button_envelope(press);
    if (!envelope) return std::string();
    std::string id = (*envelope)["envelope_id"];
    return core_->deliver(std::move(*envelope)) ? id : std::string();
  });
}

std::string SlackSim::submit_view(const std::string& user,
                                  const std::map<std::string, std::string>& values,
                                  std::string* problem) {
  std::string why;
  std::string id = on_io(*core_, [&] {
    auto envelope = core_->submission_envelope(user, values, why);
    if (!envelope) return std::string();
    std::string envelope_id = (*envelope)["envelope_id"];
    if (core_->deliver(std::move(*envelope))) return envelope_id;
    why = "the bot is not connected";
    return std::string();
  });
  if (problem != nullptr) *problem = why;
  return id;
}

std::string SlackSim::use_shortcut(const MessageShortcut& use) {
  return on_io(*core_, [&] {
    auto envelope = core_->shortcut_envelope(use);
    if (!envelope) return std::string();
    std::string id = (*envelope)["envelope_id"];
    return core_->deliver(std::move(*envelope)) ? id : std::string();
  });
}

std::string SlackSim::open_home(const std::string& user) {
  return send_event({{"type", "app_home_opened"},
                     {"user", user},
                     {"channel", "D" + user.substr(1)},
                     {"tab", "home"},
                     {"event_ts", "0"}});
}

void SlackSim::say(const std::string& user, const std::string& channel, const std::string& text) {
  on_io(*core_, [&] {
    core_->history[channel].push_back(
        {{"type", "message"}, {"user", user}, {"text", text}, {"ts", core_->next_ts()}});
  });
}

std::vector<json> SlackSim::channel_history(const std::string& channel) const {
  return on_io(*core_, [&] { return core_->history[channel]; });
}

std::string SlackSim::send_event(json event, const std::string& given_event_id, int retry_attempt) {
  return on_io(*core_, [&] {
    std::string event_id =
        given_event_id.empty() ? fmt::format("Ev0SIM{:06}", ++core_->ts_seq) : given_event_id;
    json envelope = {{"envelope_id", core_->new_id()},
                     {"type", "events_api"},
                     {"accepts_response_payload", false},
                     {"retry_attempt", retry_attempt},
                     {"retry_reason", retry_attempt > 0 ? "timeout" : ""},
                     {"payload",
                      {{"token", "deprecated-verification-token"},
                       {"team_id", "T0SIM0001"},
                       {"api_app_id", "A0SIM0001"},
                       {"event", std::move(event)},
                       {"type", "event_callback"},
                       {"event_id", event_id},
                       {"event_time", std::chrono::duration_cast<std::chrono::seconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count()}}}};
    return core_->deliver(std::move(envelope)) ? event_id : std::string();
  });
}

void SlackSim::start_load(int total, int window, const std::string& text) {
  on_io(*core_, [&] {
    core_->load = LoadRun{total, window, 0, 0, text, {}};
    core_->send_next_load();
  });
}

void SlackSim::request_refresh(bool warning_first) {
  on_io(*core_, [&] {
    for (auto& s : open_sockets(*core_)) {
      if (warning_first)
        s->send_text(
            R"({"type":"disconnect","reason":"warning","debug_info":{"host":"sim-applink-1"}})");
      s->send_text(
          R"({"type":"disconnect","reason":"refresh_requested","debug_info":{"host":"sim-applink-1"}})");
    }
  });
}

void SlackSim::send_disconnect(const std::string& reason) {
  on_io(*core_, [&] {
    json frame = {
        {"type", "disconnect"}, {"reason", reason}, {"debug_info", {{"host", "sim-applink-1"}}}};
    for (auto& s : open_sockets(*core_)) s->send_text(frame.dump());
  });
}

void SlackSim::freeze_sockets() {
  on_io(*core_, [&] {
    for (auto& s : open_sockets(*core_)) {
      core_->frozen.insert(s->id());
      s->freeze();
    }
  });
}

void SlackSim::drop_sockets() {
  on_io(*core_, [&] {
    for (auto& s : open_sockets(*core_)) s->drop();
  });
}

void SlackSim::set_server_pings(bool enabled) {
  on_io(*core_, [&] { core_->server_pings = enabled; });
}

void SlackSim::refuse_handshakes(int http_status) {
  on_io(*core_, [&] { core_->refuse_status = http_status; });
}

void SlackSim::fail_connections_open(const std::string& error, int times) {
  on_io(*core_, [&] {
    core_->open_error = error;
    core_->open_error_times = times;
  });
}

void SlackSim::lose_answers(const std::string& method, int times) {
  on_io(*core_, [&] { core_->lost_answers[method] = times; });
}

void SlackSim::revoke_bot_token() {
  on_io(*core_, [&] { core_->bot_token_revoked = true; });
  json event = {{"type", "tokens_revoked"},
                {"tokens", {{"oauth", json::array()}, {"bot", json::array({"U0BOT0001"})}}},
                {"event_ts", "1700000000.000100"}};
  send_event(std::move(event));
}

void SlackSim::set_channel(const std::string& id, ChannelSetup setup) {
  on_io(*core_, [&] { core_->channels[id] = setup; });
}

void SlackSim::answer_prometheus(int status, std::string body) {
  on_io(*core_, [&] {
    core_->prometheus_status = status;
    core_->prometheus_body = std::move(body);
  });
}

std::string SlackSim::prometheus_url() const {
  return core_->base_url() + "/prometheus";
}

void SlackSim::refuse_blocks(int times) {
  on_io(*core_, [&] { core_->refused_blocks = times; });
}

void SlackSim::revoke_scope(const std::string& scope) {
  on_io(*core_, [&] { core_->revoked_scopes.insert(scope); });
}

void SlackSim::store_next_posts_as(const std::string& user, int times) {
  on_io(*core_, [&] { core_->posts_stored_as = {user, times}; });
}

void SlackSim::rate_limit_next(const std::string& method, int times, int retry_after_seconds) {
  on_io(*core_, [&] { core_->forced_429[method] = {times, retry_after_seconds}; });
}

std::string SlackSim::escape_like_slack(const std::string& typed) const {
  auto word_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  };
  std::string out;
  for (std::size_t i = 0; i < typed.size(); ++i) {
    char c = typed[i];
    bool word_start = i == 0 || !std::isalnum(static_cast<unsigned char>(typed[i - 1]));
    if ((c == '@' || c == '#') && word_start && i + 1 < typed.size() && word_char(typed[i + 1])) {
      std::size_t end = i + 1;
      while (end < typed.size() && word_char(typed[end])) ++end;
      std::string name = typed.substr(i + 1, end - i - 1);
      if (c == '@' && (name == "here" || name == "channel" || name == "everyone")) {
        out += "<!" + name + ">";
      } else if (c == '@') {
        out += "<@" + core_->user_id(name) + "|" + name + ">";
      } else {
        out += "<#" + core_->channel_id(name) + "|" + name + ">";
      }
      i = end - 1;
      continue;
    }
    if (word_start &&
        (typed.compare(i, 8, "https://") == 0 || typed.compare(i, 7, "http://") == 0)) {
      std::size_t end = typed.find_first_of(" \t\"'", i);
      if (end == std::string::npos) end = typed.size();
      out += "<" + typed.substr(i, end - i) + ">";
      i = end - 1;
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string SlackSim::render_for_terminal(const std::string& mrkdwn) const {
  std::string out;
  for (std::size_t i = 0; i < mrkdwn.size(); ++i) {
    if (mrkdwn[i] != '<') {
      out += mrkdwn[i];
      continue;
    }
    auto close = mrkdwn.find('>', i);
    if (close == std::string::npos) {
      out += mrkdwn.substr(i);
      break;
    }
    std::string body = mrkdwn.substr(i + 1, close - i - 1);
    std::string label = body.find('|') == std::string::npos ? "" : body.substr(body.find('|') + 1);
    std::string id = body.substr(0, body.find('|'));
    if (id.starts_with("@")) {
      out += "@" + (label.empty() ? core_->user_name(id.substr(1)) : label);
    } else if (id.starts_with("#")) {
      out += "#" + (label.empty() ? core_->channel_name(id.substr(1)) : label);
    } else if (id.starts_with("!subteam^")) {
      out += label.empty() ? "@group" : label;
    } else if (id.starts_with("!")) {
      out += "@" + id.substr(1);
    } else {
      out += label.empty() ? id : label + " (" + id + ")";
    }
    i = close;
  }
  for (auto [from, to] :
       {std::pair{"&lt;", "<"}, std::pair{"&gt;", ">"}, std::pair{"&amp;", "&"}}) {
    for (auto at = out.find(from); at != std::string::npos; at = out.find(from, at + 1)) {
      out.replace(at, std::string_view(from).size(), to);
    }
  }
  return out;
}

}  // namespace itpm::sim
