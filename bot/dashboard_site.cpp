#include "bot/dashboard_site.hpp"

#include "bot/ops/random_hex.hpp"
#include "commands/areas/config_commands.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace itpm::bot {

namespace net = boost::asio;

namespace {

net::awaitable<PageAnswer> render_here(const DashboardSite* site, std::string target) {
  commands::dashboard::Page page = site->render(target);
  co_return PageAnswer{page.status, std::move(page.html), std::move(page.label)};
}

}  // namespace

DashboardSite::DashboardSite(net::any_io_executor worker, storage::Repositories& repos,
                             commands::Settings settings, std::string key)
    : worker_(std::move(worker)),
      repos_(repos),
      settings_(std::move(settings)),
      key_(std::move(key)) {}

net::awaitable<PageAnswer> DashboardSite::page(std::string target) {
  // Built in its own statement (GCC 12 and temporaries across co_await).
  auto job = render_here(this, std::move(target));
  PageAnswer answer = co_await net::co_spawn(worker_, std::move(job), net::use_awaitable);
  co_return answer;
}

commands::dashboard::Page DashboardSite::render(const std::string& target) const {
  // One consistent state for the whole page, as a wide read has.
  storage::Store::ReadView view(repos_.store());
  commands::Context ctx =
      commands::make_context(repos_, settings_, std::chrono::system_clock::now(), "");
  return commands::dashboard::serve(target, key_, ctx);
}

std::string new_dashboard_key() {
  return random_hex(32, "the dashboard key");
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
