#include "tests/support/connect_proxy.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace itpm::test {
namespace {

bool send_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    auto n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// A TCP connection to host:port, or -1.
int dial(const std::string& target) {
  auto colon = target.rfind(':');
  if (colon == std::string::npos) return -1;
  std::string host = target.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), target.substr(colon + 1).c_str(), &hints, &found) != 0) return -1;
  int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 && ::connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(found);
  return fd;
}

}  // namespace

ConnectProxy::ConnectProxy(int refuse_status) : refuse_status_(refuse_status) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::listen(listener_, 16) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("the test proxy cannot listen on 127.0.0.1");
  }
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

ConnectProxy::~ConnectProxy() {
  stopping_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  {
    std::lock_guard lock(mutex_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  acceptor_.join();
  for (auto& t : threads_) t.join();
  ::close(listener_);
}

std::vector<ConnectProxy::Tunnel> ConnectProxy::tunnels() const {
  std::lock_guard lock(mutex_);
  return tunnels_;
}

bool ConnectProxy::wait_for_tunnels(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return tunnels_.size() >= n; });
}

void ConnectProxy::accept_loop() {
  while (!stopping_) {
    pollfd p{listener_, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    std::lock_guard lock(mutex_);
    if (stopping_) {
      ::close(client);
      break;
    }
    open_fds_.insert(client);
    threads_.emplace_back([this, client] { serve(client); });
  }
}

void ConnectProxy::serve(int client) {
  // The request's head, up to its blank line.
  std::string head;
  char buffer[16 * 1024];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < 8192) {
    auto n = ::recv(client, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    head.append(buffer, static_cast<std::size_t>(n));
  }
  std::string target;
  std::string authorization;
  if (head.starts_with("CONNECT ")) {
    target = head.substr(8, head.find(' ', 8) - 8);
    std::string lowered = lower(head);
    auto at = lowered.find("\r\nproxy-authorization:");
    if (at != std::string::npos) {
      auto start = head.find_first_not_of(' ', at + 22);
      authorization = head.substr(start, head.find("\r\n", start) - start);
    }
    std::lock_guard lock(mutex_);
    tunnels_.push_back({target, authorization});
    changed_.notify_all();
  }
  int upstream = -1;
  if (target.empty() || refuse_status_ != 0 || (upstream = dial(target)) < 0) {
    std::string answer = "HTTP/1.1 " + std::to_string(refuse_status_ != 0 ? refuse_status_ : 502) +
                         " Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    send_all(client, answer.data(), answer.size());
  } else {
    const char* ok = "HTTP/1.1 200 Connection established\r\n\r\n";
    bool open = send_all(client, ok, std::char_traits<char>::length(ok));
    {
      std::lock_guard lock(mutex_);
      open_fds_.insert(upstream);
    }
    // Relay both ways until either side closes.
    while (open && !stopping_) {
      pollfd p[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
      if (::poll(p, 2, 200) <= 0) continue;
      for (int i = 0; i < 2 && open; ++i) {
        if ((p[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
        auto n = ::recv(p[i].fd, buffer, sizeof(buffer), 0);
        open = n > 0 && send_all(i == 0 ? upstream : client, buffer, static_cast<std::size_t>(n));
      }
    }
  }
  std::lock_guard lock(mutex_);
  for (int fd : {client, upstream}) {
    if (fd < 0) continue;
    open_fds_.erase(fd);
    ::close(fd);
  }
}

}  // namespace itpm::test
