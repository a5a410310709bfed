#pragma once
// What the simulator has seen and done, shared between its I/O thread and the test or
// person driving it. Everything here is guarded by one mutex; waiters block on a condition
// variable with a deadline, never on sleeps, and are woken only when their condition holds.

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace itpm::sim {

using Clock = std::chrono::steady_clock;

struct AckRecord {
  std::string envelope_id;
  std::string type;
  nlohmann::json payload;  // null when the ack carried none (or the envelope was a load run's)
  double latency_ms = 0;
  int socket = 0;
  bool late = false;      // arrived after the 3 s deadline
  std::size_t bytes = 0;  // the ack frame's size
};

// One Web API or response_url request as the simulator received it.
struct ApiCall {
  std::string method;  // "chat.postMessage", ..., or "response_url"
  nlohmann::json args;
  std::string content_type;
  int status = 200;   // HTTP status answered
  std::string error;  // Slack error answered, if any
  Clock::time_point at;
};

// A file the bot uploaded (files.getUploadURLExternal, its bytes, files.completeUploadExternal).
struct UploadedFile {
  std::string id;  // F…
  std::string name;
  std::string title;
  std::string alt_text;
  std::size_t length = 0;  // as declared
  std::string bytes;       // as sent to the upload URL
  std::string channel;     // where it was shared ("" until completed)
  std::string thread_ts;
  std::string initial_comment;
};

struct Snapshot {
  std::vector<AckRecord> acks;
  std::vector<ApiCall> calls;
  std::vector<std::string> timed_out;  // slash commands / interactions never acked in time
  std::vector<std::string> closed;     // "socket N: reason", in order
  int tickets_issued = 0;
  int handshakes_accepted = 0;
  int handshakes_refused = 0;
  int open_sockets = 0;
  int max_open_sockets = 0;
  int hellos_sent = 0;
  int pings_from_client = 0;
  int pongs_from_client = 0;  // answers to our pings: proof the client has seen one
  int redeliveries = 0;
  int bad_client_frames = 0;
  std::map<std::string, nlohmann::json> views;  // user -> the form they have open
  std::map<std::string, nlohmann::json> homes;  // user -> their published home tab
  std::vector<UploadedFile> files;              // shared into a conversation, in order

  // Successful calls of `method` (status 200 and no error).
  [[nodiscard]] std::vector<const ApiCall*> ok_calls(const std::string& method) const;
  [[nodiscard]] int count_calls(const std::string& method) const;
  [[nodiscard]] const AckRecord* ack_for(const std::string& envelope_id) const;
};

class SimState {
 public:
  // Applies `change` under the lock and wakes the waiters whose condition now holds (their
  // conditions are evaluated here, on the updating thread).
  void update(const std::function<void(Snapshot&)>& change);
  [[nodiscard]] Snapshot snapshot() const;
  // Blocks until `done(snapshot)` holds or `timeout` passes; returns whether it held.
  bool wait_for(const std::function<bool(const Snapshot&)>& done,
                std::chrono::milliseconds timeout) const;

 private:
  struct Waiter {
    const std::function<bool(const Snapshot&)>* done;
    bool met = false;
    std::condition_variable woken;
  };
  mutable std::mutex mutex_;
  mutable std::vector<Waiter*> waiters_;
  Snapshot data_;
};

}  // namespace itpm::sim
