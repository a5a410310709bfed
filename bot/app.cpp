#include "bot/app.hpp"

#include "bot/availability_probe.hpp"
#include "bot/dashboard_site.hpp"
#include "bot/delivery_machine.hpp"
#include "bot/dispatcher.hpp"
#include "bot/follow_ups.hpp"
#include "bot/ops/health.hpp"
#include "bot/ops/logging.hpp"
#include "bot/ops/metrics.hpp"
#include "bot/ops/periodic_backup.hpp"
#include "bot/ops/systemd_notify.hpp"
#include "bot/scheduler.hpp"
#include "bot/slack/api_errors.hpp"
#include "bot/slack/identity.hpp"
#include "bot/slack/socket_mode_client.hpp"
#include "bot/slack/user_zones.hpp"
#include "bot/slack/web_api_client.hpp"
#include "bot/transport/http_client.hpp"
#include "bot/transport/http_listener.hpp"
#include "bot/transport/tls_context.hpp"
#include "commands/areas/config_commands.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/areas/working_calendars.hpp"
#include "commands/command_table.hpp"
#include "commands/registry.hpp"
#include "storage/database.hpp"
#include "storage/store.hpp"

#include <date/tz.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace itpm::bot {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// What the bot knows of its token: checked by auth.test at start, refused later.
struct TokenState {
  bool checked = false;
  bool refused = false;
};

struct Runtime {
  SocketModeClient& client;
  FollowUps& follow_ups;
  Scheduler& scheduler;
  AvailabilityProbe& probe;
  HttpListener& listener;
  net::signal_set& signals;
  WebApiClient& api;
  Dispatcher& dispatcher;
  TokenState& token;
  net::steady_timer& pause;  // between auth.test tries; a signal cuts it short
  bool stop_requested = false;
  int exit_code = exit_ok;
};

// auth.test with the bot token before Socket Mode connects, so the bot is never ready with a
// token that cannot post. True once it works; false when Slack refused it (exit 3) or a stop
// was asked for meanwhile. Slack being unreachable is waited out.
net::awaitable<bool> verify_bot_token(Runtime* rt) {
  for (int attempt = 1; !rt->stop_requested; ++attempt) {
    std::vector<std::pair<std::string, std::string>> no_args;
    ApiResult result = co_await rt->api.call_form("auth.test", std::move(no_args));
    auto identity = result.ok ? identity_from_auth_test(result.body) : std::nullopt;
    if (identity) {
      spdlog::info("bot token works: bot user {} ({}) in workspace {} ({})", identity->user_id,
                   identity->bot_id, identity->team, identity->team_id);
      rt->dispatcher.set_identity(*identity);
      rt->follow_ups.set_identity(*identity);
      rt->token.checked = true;
      co_return true;
    }
    if (!result.ok && classify_api_error(result.error) == ApiErrorKind::auth) {
      spdlog::error(
          "SLACK_BOT_TOKEN was refused by Slack ({}): copy the Bot User OAuth Token "
          "(xoxb-…) from the app's OAuth & Permissions page, or reinstall the app",
          result.error);
      rt->exit_code = exit_auth_error;
      co_return false;
    }
    auto wait = delivery::retry_pause(attempt, result);
    spdlog::warn("cannot check the bot token yet (auth.test: {}); trying again in {} s",
                 result.ok ? "no user or team in the answer" : result.error, wait.count());
    rt->pause.expires_after(wait);
    co_await rt->pause.async_wait(net::as_tuple(net::use_awaitable));
  }
  co_return false;
}

// Opens a form or publishes a home tab. A form that cannot be opened (the 3 s trigger ran
// out, ...) leaves its caller told what to type instead.
net::awaitable<void> send_view(WebApiClient* api, FollowUps* follow_ups, ViewCall call) {
  std::string method = call.method;
  CallOptions options;
  if (method == "views.open") options.max_attempts = 1;  // a trigger lasts 3 s: no retry
  ApiResult result = co_await api->call_json(std::move(method), std::move(call.body), options);
  if (result.ok) co_return;
  spdlog::warn("{} failed: {}", call.method, result.error);
  if (call.response_url.empty()) co_return;
  nlohmann::json reply = {
      {"response_type", "ephemeral"},
      {"text", "I could not open the form (" + result.error +
                   "). Type the command with its flags instead: `" + call.instead + "`"}};
  follow_ups->respond(call.response_url, std::move(reply));
}

// A message's permalink (chat.getPermalink), or "" when Slack gives none.
net::awaitable<void> find_permalink(WebApiClient* api, std::string channel, std::string ts,
                                    std::function<void(std::string)> then) {
  std::vector<std::pair<std::string, std::string>> args = {{"channel", std::move(channel)},
                                                           {"message_ts", std::move(ts)}};
  ApiResult result = co_await api->call_form("chat.getPermalink", std::move(args), {}, true);
  then(result.ok ? result.body.value("permalink", "") : std::string());
}

// Tells systemd the I/O thread is alive, every `every`, until `timer` is cancelled.
net::awaitable<void> feed_watchdog(const SystemdNotifier* systemd, net::steady_timer* timer,
                                   std::chrono::microseconds every) {
  for (;;) {
    systemd->notify("WATCHDOG=1");
    timer->expires_after(every);
    auto [ec] = co_await timer->async_wait(net::as_tuple(net::use_awaitable));
    if (ec) co_return;
  }
}

net::awaitable<void> run_until_stopped(Runtime* rt) {
  if (co_await verify_bot_token(rt)) rt->exit_code = co_await rt->client.run();
  rt->scheduler.stop();
  rt->probe.stop();
  int left = co_await rt->follow_ups.drain(Clock::now() + std::chrono::seconds(5));
  if (left > 0) spdlog::warn("{} follow-up post(s) not sent before shutdown", left);
  rt->listener.stop();
  boost::system::error_code ignored;
  rt->signals.cancel(ignored);
}

}  // namespace

int run_bot(const Config& config) {
  // Before the store: its committer thread reports to them until the store is closed.
  Metrics metrics;
  Health health(metrics);
  std::unique_ptr<storage::Store> store;
  try {
    store = storage::open_database(config.data_dir);
  } catch (const storage::StoreError& e) {
    spdlog::error("{}", e.what());
    return exit_runtime_error;
  }
  spdlog::info("store open in {} (schema {})", config.data_dir.string(),
               store->stored_schema_version());
  // A full disk or an I/O error: not ready (and commands answer "not saved") until RocksDB
  // resumes, which the store tries every second.
  store->watch_writes([&health](const std::string& error) {
    if (error.empty()) {
      health.clear_problem("store");
    } else {
      health.set_problem("store", "writes refused: " + error);
    }
  });
  std::unique_ptr<PeriodicBackup> backups;
  if (!config.backup_dir.empty()) {
    backups = std::make_unique<PeriodicBackup>(
        *store, config.backup_dir, config.backup_interval, config.backup_keep,
        [&health, &metrics](const std::string& error) {
          if (error.empty()) {
            health.succeeded("backups");
            auto now = commands::millis(std::chrono::system_clock::now());
            metrics.set("itpm_last_backup_timestamp_seconds", {}, static_cast<double>(now) / 1000);
          } else {
            health.failed("backups", "writing a backup", error);
          }
        });
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
  if (config.proxy) {
    spdlog::info("https and wss go through the proxy {}{}", config.proxy->shown,
                 config.proxy->no_proxy.empty() ? "" : " (not for " + config.proxy->no_proxy + ")");
  }
  HttpClient http(ioc.get_executor(), *tls, std::chrono::seconds(15), config.proxy);
  WebApiClient api(ioc.get_executor(), http, config.api_url, config.bot_token, config.app_token,
                   metrics);
  commands::Registry registry;
  storage::Repositories repos(*store);
  commands::Settings settings{config.policy(), config.admins};
  // Bound now (serving from start() below): with port 0 the dashboard's links need the port.
  std::function<std::string()> not_ready = [] { return std::string("starting"); };
  std::unique_ptr<HttpListener> listener;
  try {
    listener = std::make_unique<HttpListener>(
        ioc.get_executor(), config.http_listen, [&not_ready] { return not_ready(); }, metrics);
  } catch (const boost::system::system_error& e) {
    spdlog::error("cannot listen on {} (ITPM_HTTP_LISTEN): {}", config.http_listen,
                  e.code().message());
    return exit_runtime_error;
  }
  settings.base.dashboard_url = config.dashboard_base(listener->port());
  Dispatcher dispatcher(registry, settings, repos, ioc.get_executor());
  // An unknown zone comes back empty: the dispatcher then uses the configured default. The
  // team tells an outsider in a shared channel.
  UserZones zones(ioc.get_executor(), api, "", std::chrono::milliseconds(1000));
  dispatcher.set_zone_lookup([&zones](const std::string& user, UserZones::Then then) {
    zones.lookup(user, std::move(then));
  });
  FollowUps follow_ups(ioc.get_executor(), api, metrics, health, repos);
  // Quiet hours (commands.md §6): a DM the bot sends of its own accord waits for its person's
  // working hours, read in their Slack zone.
  follow_ups.set_hours_check([&zones, &repos, &settings](
                                 const std::string& user,
                                 std::function<void(std::optional<FollowUps::WorkingStart>)> then) {
    zones.lookup(user, [&repos, &settings, then = std::move(then)](const UserInfo& info) {
      auto policy = commands::effective_policy(settings.base, repos.settings());
      auto until = commands::dm_held_until(repos, policy, info.zone,
                                           commands::millis(std::chrono::system_clock::now()));
      if (!until) return then(std::nullopt);
      then(FollowUps::WorkingStart{*until, commands::zone_or_default(info.zone, policy).name()});
    });
  });
  // A token revoked while the bot runs (a call refused, or Slack's event saying so): not
  // ready, posts kept in the outbox for the next start; one error line.
  TokenState token;
  auto token_gone = [&health, &token](const std::string& why) {
    if (token.refused) return;
    token.refused = true;
    spdlog::error(
        "Slack no longer accepts the bot token ({}): posts wait in the outbox; "
        "reinstall the app, set the new SLACK_BOT_TOKEN and restart the bot",
        why);
    health.set_problem("slack", "the bot token was refused (" + why + ")");
  };
  api.on_token_refused([&token_gone, &token](bool app_token, const std::string& error) {
    // Until auth.test has passed, the start-up check reports a refused token (and exits).
    if (!app_token && token.checked) token_gone(error);
  });
  dispatcher.set_on_token_revoked([&token_gone](const std::string& event) { token_gone(event); });
  if (auto resent = follow_ups.resume(); resent > 0)
    spdlog::info("sending {} post(s) left in the outbox by the previous run", resent);
  Scheduler scheduler(ioc.get_executor(), repos, follow_ups, metrics, health, settings);
  follow_ups.set_on_schedule([&scheduler] { scheduler.wake(); });
  scheduler.start();
  // Availability from Prometheus (commands.md §7), when the operator names one.
  HttpClient prometheus_http(ioc.get_executor(), *tls, std::chrono::seconds(30), config.proxy);
  AvailabilityProbe probe(ioc.get_executor(), prometheus_http, config.prometheus_token, repos,
                          settings, follow_ups, metrics);
  if (!config.prometheus_url.empty()) {
    follow_ups.set_measure(
        [&probe](commands::MeasureAvailability asked) { probe.measure(std::move(asked)); });
    probe.start();
    spdlog::info("availability is read from Prometheus at {} at each month's end",
                 config.prometheus_url);
  }
  dispatcher.set_on_commit([&scheduler, &probe] {
    scheduler.wake();
    probe.wake();
  });

  dispatcher.set_permalink_lookup([&ioc, &api](const std::string& channel, const std::string& ts,
                                               std::function<void(std::string)> then) {
    net::co_spawn(ioc, find_permalink(&api, channel, ts, std::move(then)), net::detached);
  });
  auto deliver = [&follow_ups, &api, &ioc](Dispatched& d) {
    if (d.view) net::co_spawn(ioc, send_view(&api, &follow_ups, std::move(*d.view)), net::detached);
    for (auto& post : d.posts) follow_ups.post(std::move(post));
    if (d.follow_up) follow_ups.respond(d.response_url, std::move(*d.follow_up));
  };
  // Commands that read much of the store (reports, KPIs, lists, searches) run here, never on
  // the I/O thread. Declared after everything they use: it is joined before those go.
  net::thread_pool workers(1);
  follow_ups.set_worker(workers.get_executor());
  dispatcher.set_worker(workers.get_executor(), Dispatcher::working_notice_after,
                        [deliver](Dispatched d) { deliver(d); });
  dispatcher.set_ack_deadline(Dispatcher::ack_deadline);
  // One line per envelope once it is acked: what it was, from whom, how long the ack took. An
  // access log is for a log shipper: at info in JSON, at debug in text (it costs 3 to 6 µs a
  // command, BENCHMARKS.md).
  auto access_level = config.log_format == "json" ? spdlog::level::info : spdlog::level::debug;
  auto handle = [&](const Envelope& envelope, Ack ack) {
    auto fields = envelope_fields(envelope);
    dispatcher.handle(envelope, [deliver, ack = std::move(ack), fields = std::move(fields),
                                 started = Clock::now(), access_level](Dispatched d) mutable {
      deliver(d);
      ack(std::move(d.ack_payload));
      fields.ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
      if (spdlog::should_log(access_level)) log_with(access_level, fields, "envelope acked");
    });
  };
  SocketModeClient::Options options;
  options.ws.ping_interval = config.ping_interval;
  options.ws.stale_after = config.stale_after;
  options.ws.proxy = config.proxy;
  options.allow_plain_ws = config.plain_api();
  options.debug_reconnects = config.debug_reconnects;
  SocketModeClient client(ioc.get_executor(), *tls, api, options, handle, metrics);

  // The dashboard (commands.md §7): pages on this listener, rendered on the worker.
  std::string dashboard_key;
  try {
    dashboard_key = ensure_dashboard_key(repos);
  } catch (const storage::StoreError& e) {
    spdlog::error("{}", e.what());
    return exit_runtime_error;
  }
  DashboardSite site(workers.get_executor(), repos, settings, dashboard_key);
  not_ready = [&client, &health]() -> std::string {
    if (!client.connected()) return "no Socket Mode connection";
    return health.problems();
  };
  listener->set_pages([&site](std::string target) { return site.page(std::move(target)); });
  listener->start();
  spdlog::info("health and metrics on http://{}:{}/ (healthz, readyz, metrics)",
               config.http_listen.substr(0, config.http_listen.rfind(':')), listener->port());
  spdlog::info("dashboard at {}/dashboard/ (each person's link: /itpm dashboard)",
               settings.base.dashboard_url);

  // Under systemd (Type=notify): up once the store, the schedule and the listener are; the
  // Socket Mode connection is /readyz's business. The watchdog is fed from the I/O thread.
  SystemdNotifier systemd;
  systemd.notify("READY=1\nSTATUS=started; connecting to Slack");
  net::steady_timer watchdog(ioc);
  if (auto every = systemd.watchdog_interval()) {
    net::co_spawn(ioc, feed_watchdog(&systemd, &watchdog, *every), net::detached);
  }

  net::signal_set signals(ioc, SIGINT, SIGTERM);
  net::steady_timer token_pause(ioc);
  Runtime runtime{client,  follow_ups, scheduler,  probe, *listener,
                  signals, api,        dispatcher, token, token_pause};
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: finishing what is in hand and stopping", signal);
    systemd.notify("STOPPING=1");
    watchdog.cancel();
    runtime.stop_requested = true;
    token_pause.cancel();
    client.stop();
  });

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
  // The worker may be in the middle of a read: work not started is dropped, the read under way
  // finishes (every read is bounded), and only then is the store closed under it.
  workers.stop();
  workers.join();
  // Close the store while the io_context still exists: commits still queued complete and post
  // their acks to it (where they are dropped, the sockets being closed).
  backups.reset();
  store.reset();
  if (runtime.exit_code == exit_ok) spdlog::info("stopped cleanly");
  return runtime.exit_code;
}

}  // namespace itpm::bot
