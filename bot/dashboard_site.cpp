#include "bot/dashboard_site.hpp"

#include "commands/areas/config_commands.hpp"

#include <openssl/rand.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <stdexcept>

namespace itpm::bot {

namespace net = boost::asio;

namespace {

net::awaitable<commands::dashboard::Page> render_here(const DashboardSite* site,
                                                      std::string target) {
  co_return site->render(target);
}

}  // namespace

DashboardSite::DashboardSite(net::any_io_executor worker, storage::Repositories& repos,
                             commands::Settings settings, std::string key)
    : worker_(std::move(worker)),
      repos_(repos),
      settings_(std::move(settings)),
      key_(std::move(key)) {}

net::awaitable<commands::dashboard::Page> DashboardSite::page(std::string target) {
  // Built in its own statement (GCC 12 and temporaries across co_await).
  auto job = render_here(this, std::move(target));
  commands::dashboard::Page page =
      co_await net::co_spawn(worker_, std::move(job), net::use_awaitable);
  co_return page;
}

commands::dashboard::Page DashboardSite::render(const std::string& target) const {
  // One consistent state for the whole page, as a wide read has.
  storage::Store::ReadView view(repos_.store());
  commands::Context ctx =
      commands::make_context(repos_, settings_, std::chrono::system_clock::now(), "");
  return commands::dashboard::serve(target, key_, ctx);
}

std::string new_dashboard_key() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw std::runtime_error("no random bytes for the dashboard key (OpenSSL RAND_bytes failed)");
  static constexpr char hex[] = "0123456789abcdef";
  std::string key;
  for (unsigned char b : bytes) {
    key += hex[b >> 4U];
    key += hex[b & 0xfU];
  }
  return key;
}

std::string ensure_dashboard_key(storage::Repositories& repos) {
  if (auto key = repos.dashboard_key(); key && !key->empty()) return *key;
  std::string key = new_dashboard_key();
  storage::Batch batch;
  repos.set_dashboard_key(batch, key);
  if (auto r = repos.store().commit(std::move(batch)); !r)
    throw storage::StoreError("cannot store the dashboard key: " + r.error);
  return key;
}

}  // namespace itpm::bot
