#pragma once
// The local Slack simulator: Web API methods, apps.connections.open with single-use tickets,
// and the Socket Mode WebSocket, on loopback, over TLS (a certificate made at start-up) or
// plain TCP. It follows slack-protocol.md §10; where Slack's behaviour is undocumented it
// offers a knob instead of a guess.

#include "tools/slack_sim/sim_state.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace itpm::sim {

struct SimOptions {
  bool tls = true;
  std::uint16_t port = 0;  // 0: any free port on 127.0.0.1
  std::string app_token = "xapp-1-A0SIM0001-1-simulatedapptoken0001";
  std::string bot_token = "xoxb-1-simulated-bot-token-0001";
  std::chrono::milliseconds ping_interval{
      5000};  // server pings; Slack's real interval is undocumented
  std::chrono::milliseconds ack_timeout{3000};
  int max_redeliveries = 3;                    // events_api only
  bool new_envelope_id_on_redelivery = false;  // unconfirmed for real Slack, so a knob
  bool channel_rate_limit = true;              // ~1 chat.postMessage/s per channel, burst of 5
  int max_sockets = 10;
  // Readable lines for a person (interactive mode): replies, posts, DMs.
  std::function<void(const std::string&)> on_output;
  // Where uploaded files are also written (by file ID and name), so a person can open the
  // charts the bot sent; empty: kept in memory only.
  std::string files_dir;
};

struct SlashCommand {
  std::string text;      // as a person types it (escaped like Slack unless `escaped`)
  bool escaped = false;  // `text` is already in Slack's escaped form
  std::string user = "U0DEMO1";
  std::string channel = "C0DEMO1";
  bool accepts_response_payload = true;
};

// How a channel differs from the default (public, the bot a member): Slack's refusals follow.
struct ChannelSetup {
  bool is_private = false;
  bool bot_member = true;
  bool archived = false;
  bool deleted = false;
};

// A person pressing a button of a message the bot posted.
struct ButtonPress {
  std::string user = "U0DEMO1";
  std::string channel = "C0DEMO1";
  std::string label;  // the button's text ("4"); the newest message with one is pressed
};

// A person using one of the app's message shortcuts on the newest message of a channel.
struct MessageShortcut {
  std::string user = "U0DEMO1";
  std::string channel = "C0DEMO1";
  std::string callback_id;  // itpm_log_decision, itpm_log_risk
};

class SlackSim {
 public:
  explicit SlackSim(SimOptions options);
  ~SlackSim();
  SlackSim(const SlackSim&) = delete;
  SlackSim& operator=(const SlackSim&) = delete;

  // Binds 127.0.0.1 and starts the I/O thread. Throws if it cannot bind.
  void start();
  // Stops the I/O thread (also done by the destructor).
  void stop();

  [[nodiscard]] std::uint16_t port() const;
  [[nodiscard]] std::string api_url() const;   // "https://127.0.0.1:PORT/api/"
  [[nodiscard]] std::string cert_pem() const;  // the server certificate (empty when plain)
  [[nodiscard]] const SimOptions& options() const;

  // Delivers a slash command envelope on a connected socket; returns its envelope_id, or ""
  // when no socket is connected (Slack would show the user dispatch_failed).
  std::string send_slash_command(const SlashCommand& command);
  // Delivers an events_api envelope wrapping `event`; returns the event_id ("" if no socket).
  // Passing an earlier event_id with `retry_attempt` > 0 re-sends it as Slack's redelivery would.
  std::string send_event(nlohmann::json event, const std::string& event_id = "",
                         int retry_attempt = 0);

  // Delivers the `interactive` (block_actions) envelope of a button press; returns its
  // envelope_id, or "" when no socket is connected or no message in the channel has the button.
  std::string press_button(const ButtonPress& press);
  // Submits the form `user` has open (views.open) with `values` (block_id -> value: a menu's
  // option value, a user ID, YYYY-MM-DD, text); fields not given keep their initial values.
  // Returns the envelope_id, or "" with `problem` set (no form open, an unknown field, no
  // socket). The ack's errors are printed and keep the form open.
  std::string submit_view(const std::string& user, const std::map<std::string, std::string>& values,
                          std::string* problem = nullptr);
  // Uses a message shortcut; returns the envelope_id, or "" when the channel has no message
  // or no socket is connected.
  std::string use_shortcut(const MessageShortcut& use);
  // `user` opens the app's Home tab (the app_home_opened event); returns its event_id.
  std::string open_home(const std::string& user);
  // A message `user` writes in `channel` (kept in its history, as a shortcut's target).
  void say(const std::string& user, const std::string& channel, const std::string& text);
  // The messages the bot posted in `channel` (a DM: D + the user ID's tail), oldest first, as
  // conversations.history holds them (updates applied).
  [[nodiscard]] std::vector<nlohmann::json> channel_history(const std::string& channel) const;

  // Fault and lifecycle knobs; each applies to the sockets open at the time of the call.
  void request_refresh(bool warning_first);  // disconnect warning?, then refresh_requested
  void send_disconnect(const std::string& reason);
  void freeze_sockets();  // stop reading, writing and pinging (half-open peer)
  void drop_sockets();    // close TCP without a close frame
  void set_server_pings(bool enabled);
  void refuse_handshakes(int http_status);                          // 0: accept again
  void fail_connections_open(const std::string& error, int times);  // "ratelimited": HTTP 429
  void rate_limit_next(const std::string& method, int times, int retry_after_seconds);
  // The next `times` calls of `method` take effect but their answers are lost (the
  // connection closes without a response), as when a network path fails mid-call.
  void lose_answers(const std::string& method, int times);
  // Revokes the bot token as a workspace admin would: from now on every call with it answers
  // token_revoked (auth.test included), and Slack's tokens_revoked event is delivered.
  void revoke_bot_token();
  // The next `times` posts are kept in history as messages of `user` (no bot_id), metadata and
  // all: someone else's message made to look like one of the bot's.
  void store_next_posts_as(const std::string& user, int times);
  // Channel `id` as `setup` says from now on. Posting: a public channel takes posts without
  // membership (chat:write.public), a private one the bot is not in answers channel_not_found
  // (Slack hides it), an archived one is_archived, a deleted one channel_not_found. History
  // needs membership (not_in_channel). conversations.join makes the bot a member of a public
  // channel; a private one answers method_not_supported_for_channel_type.
  void set_channel(const std::string& id, ChannelSetup setup);
  // Takes `scope` from the bot token: a method that needs it answers missing_scope (with
  // `needed`).
  void revoke_scope(const std::string& scope);
  // The next `times` chat.postMessage calls that carry blocks answer invalid_blocks (as Slack
  // does for a block it cannot render).
  void refuse_blocks(int times);

  // A fake of Prometheus' HTTP API at prometheus_url() (`/api/v1/query`, GET or a form POST),
  // for the bot's availability readings: every query is answered with `status` and `body`
  // (until this is called: 200 and one series at 99.953, the sample at the query's time) and
  // kept as a call of "prometheus.query" (its form, and its Authorization header as
  // "authorization").
  void answer_prometheus(int status, std::string body);
  [[nodiscard]] std::string prometheus_url() const;  // "https://127.0.0.1:PORT/prometheus"

  // Load mode: sends `total` slash commands with `text` (already escaped), keeping `window`
  // unacked at a time; each ack (or timeout) releases the next. Watch snapshot().acks. In
  // `text`, "{n}" becomes the command's number (0, 1, ...) and "{n%K}" that number modulo K,
  // plus one (R-{n%50}: in turn).
  void start_load(int total, int window, const std::string& text);

  [[nodiscard]] Snapshot snapshot() const;
  bool wait_for(const std::function<bool(const Snapshot&)>& done,
                std::chrono::milliseconds timeout) const;

  // Slack's escaping of typed text: & < > escaped, @name and #name turned into mentions.
  [[nodiscard]] std::string escape_like_slack(const std::string& typed) const;
  // Slack mrkdwn as a terminal shows it: mentions by name, entities decoded.
  [[nodiscard]] std::string render_for_terminal(const std::string& mrkdwn) const;

  struct Core;

 private:
  // Owns the I/O context and everything on it; coroutines refer to it by plain pointer, so
  // stopping the thread and destroying the Core leaves no cycle behind.
  std::unique_ptr<Core> core_;
};

}  // namespace itpm::sim
