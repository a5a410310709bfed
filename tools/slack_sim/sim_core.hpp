#pragma once
// Internal to the simulator: the state its I/O thread works on.

#include "tools/slack_sim/sim_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

namespace itpm::sim {

// One accepted Socket Mode WebSocket, as the core sees it. Called on the I/O thread only.
class SimSocket {
 public:
  virtual ~SimSocket() = default;
  virtual void send_text(std::string text) = 0;
  virtual void close_normal() = 0;  // a close frame (code 1000)
  virtual void drop() = 0;          // TCP closed, no close frame
  virtual void freeze() = 0;        // no more reads, writes or pings; the peer sees silence
  [[nodiscard]] virtual int id() const = 0;
};

struct HttpIn {
  std::string method;  // GET, POST, ...
  std::string target;
  std::string authorization;
  std::string content_type;
  std::string body;
};

// application/x-www-form-urlencoded text, decoded; a form (or query string) as a JSON object.
std::string url_decode(std::string_view s);
nlohmann::json parse_form(std::string_view s);

struct HttpAnswer {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::string retry_after;
  std::string oauth_scopes;      // X-OAuth-Scopes, on answers to calls with the bot token
  bool drop_connection = false;  // close without answering
};

// Slack's answer for an error: {"ok":false,"error":…} with HTTP `status`.
HttpAnswer slack_error(const std::string& error, int status = 200);

struct LoadRun {
  int total = 0;
  int window = 0;
  int sent = 0;
  int done = 0;  // acked or timed out
  std::string text;
  std::set<std::string> ids;
};

struct SlackSim::Core {
  explicit Core(SimOptions o) : options(std::move(o)) {}

  SimOptions options;
  SimState state;
  boost::asio::io_context ioc{1};
  std::optional<boost::asio::ssl::context> tls;
  std::string cert_pem;
  boost::asio::ip::tcp::acceptor acceptor{ioc};
  boost::asio::steady_timer sweeper{ioc};
  std::thread thread;
  std::uint16_t port = 0;
  std::atomic<std::uint64_t> id_seq{0};

  // The directory (names <-> IDs); read from other threads by escape/render, hence the lock.
  mutable std::mutex directory_mutex;
  std::map<std::string, std::string> user_ids;     // name -> U…
  std::map<std::string, std::string> channel_ids;  // name -> C…
  std::string user_name(const std::string& id) const;
  // The team a user belongs to: ids starting U0EXT are people of another organisation in a
  // shared (Slack Connect) channel; everyone else is of the installation's workspace.
  static std::string team_of(const std::string& user) {
    return user.starts_with("U0EXT") ? "T0EXT0001" : "T0SIM0001";
  }
  std::string channel_name(const std::string& id) const;
  std::string user_id(const std::string& name);
  std::string channel_id(const std::string& name);

  // From here on: the I/O thread only.
  struct Pending {
    nlohmann::json envelope;
    std::string type;
    Clock::time_point sent;
    Clock::time_point deadline;
    int socket = 0;
    int attempt = 0;
  };
  std::map<int, std::shared_ptr<SimSocket>> sockets;  // open and greeted
  std::set<int> frozen;
  int next_socket = 1;
  unsigned round_robin = 0;
  std::set<std::string> tickets;
  std::map<std::string, Pending> pending;
  std::set<std::string> expired_envelopes;  // timed out: a late ack is recorded as late
  std::optional<LoadRun> load;
  bool server_pings = true;
  int refuse_status = 0;
  std::string open_error;
  int open_error_times = 0;
  std::map<std::string, std::pair<int, int>> forced_429;  // method -> (times, Retry-After)
  std::map<std::string, int> lost_answers;                // method -> times
  bool bot_token_revoked = false;
  std::pair<std::string, int> posts_stored_as;   // user, times
  std::map<std::string, ChannelSetup> channels;  // not listed: public, the bot a member
  std::set<std::string> revoked_scopes;
  int refused_blocks = 0;
  std::map<std::string, std::pair<double, Clock::time_point>> buckets;  // channel -> tokens
  std::map<std::string, int> response_url_uses;
  std::map<std::string, Clock::time_point> triggers;  // trigger_id -> issued
  std::map<std::string, std::string> trigger_users;   // trigger_id -> who it was issued to
  std::map<std::string, nlohmann::json> open_views;   // user -> the modal they have open
  std::map<std::string, nlohmann::json> homes;        // user -> their published home tab
  std::map<std::string, std::map<std::string, std::string>> typed_values;  // into the open form
  std::map<std::string, std::string> submitting;  // envelope_id -> user, until acked
  // Messages the bot posted, per channel ID (DMs under D…), oldest first: for
  // conversations.history.
  std::map<std::string, std::vector<nlohmann::json>> history;
  std::uint64_t ts_seq = 0;
  bool sweeper_armed = false;

  [[nodiscard]] std::string base_url() const;
  std::string new_id();
  std::string next_ts();
  HttpAnswer handle_http(const HttpIn& in);  // sim_api.cpp
  // The fake Prometheus HTTP API under /prometheus/ (sim_prometheus.cpp).
  HttpAnswer prometheus_api(const HttpIn& in, const std::string& path, const std::string& query);
  int prometheus_status = 200;
  std::string prometheus_body;  // empty: one series at 99.953
  bool take_ticket(const std::string& target);
  int register_socket_id() { return next_socket++; }
  void socket_greeted(std::shared_ptr<SimSocket> socket);
  void socket_closed(int id, const std::string& reason);
  void client_text(int id, const std::string& text);
  // Records the ack of a load run's command; false when `text` is not one.
  bool take_load_ack(int socket, const std::string& text);
  bool deliver(nlohmann::json envelope);
  void sweep();
  void arm_sweeper();
  void send_next_load();
  void output(const std::string& line) const;
  nlohmann::json slash_envelope(const SlashCommand& command);
  // files.getUploadURLExternal and files.completeUploadExternal (sim_files.cpp); nullopt for
  // another method. `ok` shapes a success; `missing` answers missing_scope for a revoked scope.
  std::optional<HttpAnswer> files_api(
      const std::string& method, const nlohmann::json& args,
      const std::function<HttpAnswer(nlohmann::json)>& ok,
      const std::function<std::optional<HttpAnswer>(const std::string&)>& missing);
  // The bytes of an upload, POSTed to the URL files.getUploadURLExternal gave (no token).
  HttpAnswer upload_bytes(const HttpIn& in, const std::string& path);
  std::map<std::string, UploadedFile> uploads;  // file ID -> the file, shared or not
  // Writes a shared file under options.files_dir; its path, or "" when not written.
  std::string save(const UploadedFile& file) const;
  // views.open, views.update and views.publish (sim_views.cpp); nullopt for another method.
  // `ok` shapes a success; the caller records whatever answer comes back.
  std::optional<HttpAnswer> views_api(const std::string& method, const nlohmann::json& args,
                                      const std::function<HttpAnswer(nlohmann::json)>& ok);
  // The view_submission envelope of `user`'s open form with `typed` values (block_id ->
  // value; the others keep their initial values); nullopt and `problem` set if none.
  std::optional<nlohmann::json> submission_envelope(const std::string& user,
                                                    const std::map<std::string, std::string>& typed,
                                                    std::string& problem);
  // A submission's ack: errors keep the form open, anything else closes it.
  void submission_acked(const std::string& envelope_id, const nlohmann::json& payload);
  // The message_action envelope of a shortcut used on the newest message of its channel.
  std::optional<nlohmann::json> shortcut_envelope(const MessageShortcut& use);
  // The block_actions envelope for `press`, or nullopt when no message has that button.
  std::optional<nlohmann::json> button_envelope(const ButtonPress& press);
};

// Serves one upgraded connection as a Socket Mode WebSocket (sim_ws.cpp).
void start_ws_session(SlackSim::Core* core, boost::beast::tcp_stream stream,
                      boost::beast::http::request<boost::beast::http::string_body> request);
void start_ws_session(SlackSim::Core* core,
                      boost::beast::ssl_stream<boost::beast::tcp_stream> stream,
                      boost::beast::http::request<boost::beast::http::string_body> request);

}  // namespace itpm::sim
