#include "bot/app.hpp"

#include "bot/dispatcher.hpp"
#include "bot/http_client.hpp"
#include "bot/http_listener.hpp"
#include "bot/metrics.hpp"
#include "bot/periodic_backup.hpp"
#include "bot/socket_mode_client.hpp"
#include "bot/tls_context.hpp"
#include "bot/web_api_client.hpp"
#include "commands/audit_command.hpp"
#include "commands/program_commands.hpp"
#include "commands/registry.hpp"
#include "storage/store.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace itpm::bot {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// Follow-up work after acks (posts, DMs, response_url replies), counted so that shutdown can
// wait for it. Issue "Storage" makes this a durable outbox.
class FollowUps {
 public:
  FollowUps(net::any_io_executor executor, WebApiClient& api, Metrics& metrics)
      : executor_(std::move(executor)), api_(api), metrics_(metrics), idle_(executor_) {}

  void post(commands::PostMessage message) {
    started();
    net::co_spawn(executor_, send_post(this, std::move(message)), net::detached);
  }

  void respond(std::string url, nlohmann::json body) {
    started();
    net::co_spawn(executor_, send_response(this, std::move(url), std::move(body)), net::detached);
  }

  // Waits until nothing is pending or `deadline` passes; returns how many are left.
  net::awaitable<int> drain(Clock::time_point deadline) {
    while (pending_ > 0 && Clock::now() < deadline) {
      idle_.expires_at(deadline);
      co_await idle_.async_wait(net::as_tuple(net::use_awaitable));
    }
    co_return pending_;
  }

 private:
  static net::awaitable<void> send_post(FollowUps* self, commands::PostMessage message) {
    std::string channel = message.channel;
    if (!message.to_user.empty()) {
      // Built in its own statement: GCC 12 cannot keep an initializer list alive across co_await.
      nlohmann::json args = {{"users", message.to_user}};
      ApiResult opened = co_await self->api_.call_json("conversations.open", std::move(args));
      channel = opened.ok ? opened.body["channel"].value("id", std::string()) : std::string();
      if (channel.empty())
        spdlog::warn("cannot open a DM with {}: {}", message.to_user, opened.error);
    }
    if (!channel.empty()) {
      nlohmann::json body = {{"channel", channel}, {"text", message.text}, {"unfurl_links", false}};
      if (!message.blocks.empty()) body["blocks"] = message.blocks;
      if (!message.thread_ts.empty()) body["thread_ts"] = message.thread_ts;
      ApiResult r = co_await self->api_.post_message(std::move(body));
      if (!r.ok) spdlog::warn("chat.postMessage to {} failed: {}", channel, r.error);
    }
    self->finished();
  }

  static net::awaitable<void> send_response(FollowUps* self, std::string url, nlohmann::json body) {
    ApiResult r = co_await self->api_.respond(std::move(url), std::move(body));
    if (!r.ok) spdlog::warn("response_url post failed: {}", r.error);
    self->finished();
  }

  void started() { metrics_.set("itpm_outbox_depth", {}, ++pending_); }
  void finished() {
    metrics_.set("itpm_outbox_depth", {}, --pending_);
    idle_.cancel();
  }

  net::any_io_executor executor_;
  WebApiClient& api_;
  Metrics& metrics_;
  net::steady_timer idle_;
  int pending_ = 0;
};

struct Runtime {
  SocketModeClient& client;
  FollowUps& follow_ups;
  HttpListener& listener;
  net::signal_set& signals;
  int exit_code = exit_ok;
};

net::awaitable<void> run_until_stopped(Runtime* rt) {
  rt->exit_code = co_await rt->client.run();
  int left = co_await rt->follow_ups.drain(Clock::now() + std::chrono::seconds(5));
  if (left > 0) spdlog::warn("{} follow-up post(s) not sent before shutdown", left);
  rt->listener.stop();
  boost::system::error_code ignored;
  rt->signals.cancel(ignored);
}

}  // namespace

int run_bot(const Config& config) {
  std::unique_ptr<storage::Store> store;
  try {
    store = storage::Store::open(config.data_dir);
  } catch (const storage::StoreError& e) {
    spdlog::error("{}", e.what());
    return exit_runtime_error;
  }
  spdlog::info("store open in {} (schema {})", config.data_dir.string(),
               store->stored_schema_version());
  std::unique_ptr<PeriodicBackup> backups;
  if (!config.backup_dir.empty()) {
    backups = std::make_unique<PeriodicBackup>(*store, config.backup_dir, config.backup_interval,
                                               config.backup_keep);
    spdlog::info("automatic backups every {} min into {}, keeping {}",
                 config.backup_interval.count(), config.backup_dir.string(), config.backup_keep);
  }

  net::io_context ioc(1);
  std::unique_ptr<net::ssl::context> tls;
  try {
    tls = make_client_tls_context();
  } catch (const boost::system::system_error& e) {
    spdlog::error("cannot load CA certificates (SSL_CERT_FILE?): {}", e.code().message());
    return exit_config_error;
  }
  Metrics metrics;
  HttpClient http(ioc.get_executor(), *tls, std::chrono::seconds(15));
  WebApiClient api(ioc.get_executor(), http, config.api_url, config.bot_token, config.app_token,
                   metrics);
  commands::Registry registry;
  commands::add_program_commands(registry);
  commands::add_audit_command(registry);
  Dispatcher dispatcher(registry, config.admins, config.default_tz, store.get(),
                        [&ioc](std::function<void()> task) { net::post(ioc, std::move(task)); });
  FollowUps follow_ups(ioc.get_executor(), api, metrics);

  auto handle = [&](const Envelope& envelope, Ack ack) {
    dispatcher.handle(envelope, [&follow_ups, ack = std::move(ack)](Dispatched d) {
      for (auto& effect : d.effects)
        follow_ups.post(std::get<commands::PostMessage>(std::move(effect)));
      if (d.follow_up) follow_ups.respond(d.response_url, std::move(*d.follow_up));
      ack(std::move(d.ack_payload));
    });
  };
  SocketModeClient::Options options;
  options.ws.ping_interval = config.ping_interval;
  options.ws.stale_after = config.stale_after;
  options.allow_plain_ws = config.plain_api();
  options.debug_reconnects = config.debug_reconnects;
  SocketModeClient client(ioc.get_executor(), *tls, api, options, handle, metrics);

  std::unique_ptr<HttpListener> listener;
  try {
    listener = std::make_unique<HttpListener>(
        ioc.get_executor(), config.http_listen,
        [&] { return client.connected() && store != nullptr; }, metrics);
  } catch (const boost::system::system_error& e) {
    spdlog::error("cannot listen on {} (ITPM_HTTP_LISTEN): {}", config.http_listen,
                  e.code().message());
    return exit_runtime_error;
  }
  listener->start();
  spdlog::info("health and metrics on http://{}:{}/ (healthz, readyz, metrics)",
               config.http_listen.substr(0, config.http_listen.rfind(':')), listener->port());

  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: finishing what is in hand and stopping", signal);
    client.stop();
  });

  Runtime runtime{client, follow_ups, *listener, signals};
  net::co_spawn(ioc, run_until_stopped(&runtime), [&](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("fatal: {}", ex.what());
        runtime.exit_code = exit_runtime_error;
      }
    }
    ioc.stop();
  });
  ioc.run();
  // Close the store while the io_context still exists: commits still queued complete and post
  // their acks to it (where they are dropped, the sockets being closed).
  backups.reset();
  store.reset();
  if (runtime.exit_code == exit_ok) spdlog::info("stopped cleanly");
  return runtime.exit_code;
}

}  // namespace itpm::bot
