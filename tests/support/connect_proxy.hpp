#pragma once
// A small HTTP CONNECT proxy on 127.0.0.1 for tests of egress through a proxy (HTTPS_PROXY):
// it answers `CONNECT host:port` by connecting there and relaying bytes both ways, or refuses
// every tunnel with a set status. It records each CONNECT it was asked for.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace itpm::test {

class ConnectProxy {
 public:
  // `refuse_status` 0: open every tunnel; else answer every CONNECT with it (407, 403, ...).
  explicit ConnectProxy(int refuse_status = 0);
  ~ConnectProxy();
  ConnectProxy(const ConnectProxy&) = delete;
  ConnectProxy& operator=(const ConnectProxy&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }

  struct Tunnel {
    std::string target;         // host:port as asked for
    std::string authorization;  // the Proxy-Authorization header, if any
  };
  [[nodiscard]] std::vector<Tunnel> tunnels() const;
  // Waits until `n` CONNECTs have been asked for.
  bool wait_for_tunnels(std::size_t n, std::chrono::milliseconds timeout) const;

 private:
  void accept_loop();
  void serve(int client);

  int refuse_status_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<Tunnel> tunnels_;
  std::set<int> open_fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace itpm::test
