#pragma once

#include "bot/transport/http_listener.hpp"
#include "commands/command.hpp"
#include "commands/dashboard/pages.hpp"
#include "storage/repositories.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <string>

namespace itpm::bot {

// The read-only dashboard's pages for the HTTP listener: each rendered on the worker (the
// thread that runs wide reads) under a read view of the store, from its index rows; nothing is
// ever written. Links are checked against the key loaded at start (ensure_dashboard_key).
class DashboardSite {
 public:
  DashboardSite(boost::asio::any_io_executor worker, storage::Repositories& repos,
                commands::Settings settings, std::string key);

  // The page for `target` (path and query), rendered on the worker; completes on the caller's
  // executor (the listener's PageSource).
  boost::asio::awaitable<PageAnswer> page(std::string target);

  // Renders `target` on this thread (what page() runs on the worker).
  [[nodiscard]] commands::dashboard::Page render(const std::string& target) const;

 private:
  boost::asio::any_io_executor worker_;
  storage::Repositories& repos_;
  commands::Settings settings_;
  std::string key_;
};

// The dashboard's signing key from the store, made (32 random bytes) and stored on the first
// start. Throws storage::StoreError if it cannot be stored.
std::string ensure_dashboard_key(storage::Repositories& repos);
// A fresh key (32 random bytes, hex).
std::string new_dashboard_key();

}  // namespace itpm::bot
