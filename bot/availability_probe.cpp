#include "bot/availability_probe.hpp"

#include "bot/async_commit.hpp"
#include "bot/slack/web_api_client.hpp"
#include "commands/areas/config_commands.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/render/reply.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <stdexcept>

namespace itpm::bot {

namespace net = boost::asio;
using std::chrono::system_clock;

AvailabilityProbe::AvailabilityProbe(net::any_io_executor executor, HttpClient& http,
                                     std::string token, storage::Repositories& repos,
                                     commands::Settings settings, FollowUps& follow_ups,
                                     Metrics& metrics)
    : executor_(std::move(executor)),
      http_(http),
      token_(std::move(token)),
      repos_(repos),
      settings_(std::move(settings)),
      follow_ups_(follow_ups),
      metrics_(metrics),
      timer_(executor_) {}

void AvailabilityProbe::start() {
  net::co_spawn(executor_, run(this), net::detached);
}

void AvailabilityProbe::stop() {
  stopped_ = true;
  timer_.cancel();
}

void AvailabilityProbe::wake() {
  timer_.cancel();
}

void AvailabilityProbe::measure(commands::MeasureAvailability asked) {
  net::co_spawn(executor_, answer(this, std::move(asked)), net::detached);
}

net::awaitable<void> AvailabilityProbe::run(AvailabilityProbe* self) {
  // Settings are read again at least hourly (and on wake), so a new query needs no restart.
  constexpr auto longest_sleep = std::chrono::hours(1);
  while (!self->stopped_) {
    auto now = system_clock::now();
    auto policy = commands::effective_policy(self->settings_.base, self->repos_.settings());
    auto plan = commands::plan_measurement(self->repos_, policy, now);
    auto next = std::min(plan.next, now + longest_sleep);
    bool waiting = plan.month == self->failed_month_ &&
                   policy.availability_query == self->failed_query_ && now < self->retry_at_;
    if (!plan.month.empty() && !waiting) {
      auto got = co_await ask(self, policy, plan.month);
      bool tell = !got.percent && self->told_month_ != plan.month;
      if (tell) self->told_month_ = plan.month;
      std::string by_itpm;  // the month-end run, not a person
      Kept kept = co_await keep(self, plan.month, got, by_itpm, tell);
      if (kept.stored) {
        spdlog::info("availability of {} read from Prometheus: {}", plan.month,
                     commands::show_percent(*got.percent));
        self->failed_month_.clear();
        self->failures_ = 0;
        continue;
      }
      // Not stored: wait 1, 2, 4, 8 hours, then 12 between tries.
      self->failed_month_ = plan.month;
      self->failed_query_ = policy.availability_query;
      self->failures_ = std::min(self->failures_ + 1, 5);
      auto pause = std::min(std::chrono::hours(1 << (self->failures_ - 1)), std::chrono::hours(12));
      self->retry_at_ = system_clock::now() + pause;
      spdlog::warn(
          "availability of {} not read from Prometheus (nothing stored): {}; trying again "
          "in {} h",
          plan.month, got.percent ? kept.reply.text : got.error, pause.count());
      continue;
    }
    if (!plan.month.empty()) next = std::min(next, self->retry_at_);
    self->timer_.expires_at(next);
    co_await self->timer_.async_wait(net::as_tuple(net::use_awaitable));
  }
}

net::awaitable<void> AvailabilityProbe::answer(AvailabilityProbe* self,
                                               commands::MeasureAvailability asked) {
  auto policy = commands::effective_policy(self->settings_.base, self->repos_.settings());
  auto got = co_await ask(self, policy, asked.month);
  Kept kept = co_await keep(self, asked.month, got, asked.asked_by, false);
  const commands::Reply& reply = kept.reply;
  if (!asked.response_url.empty()) {
    nlohmann::json body = {
        {"response_type",
         reply.visibility == commands::Visibility::in_channel ? "in_channel" : "ephemeral"},
        {"text", reply.text},
        {"blocks", reply.blocks}};
    self->follow_ups_.respond(asked.response_url, std::move(body));
  } else {
    commands::PostMessage dm;
    dm.to_user = asked.asked_by;
    dm.text = reply.text;
    dm.blocks = reply.blocks;
    QueuedPost post;
    post.message = std::move(dm);
    self->follow_ups_.post(std::move(post));
  }
}

net::awaitable<commands::PrometheusAnswer> AvailabilityProbe::ask(AvailabilityProbe* self,
                                                                  commands::Policy policy,
                                                                  std::string month) {
  auto request = commands::prometheus_request(policy.prometheus_url, policy.availability_query,
                                              month, policy.default_zone);
  HttpRequest http;
  http.method = "POST";
  http.url = request.url;
  http.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                  {"Accept", "application/json"}};
  if (!self->token_.empty()) http.headers.emplace_back("Authorization", "Bearer " + self->token_);
  http.body = form_encode(request.form);
  std::string failure;
  try {
    HttpResponse response = co_await self->http_.send(std::move(http));
    co_return commands::read_prometheus_answer(response.status, response.body);
  } catch (const boost::system::system_error& e) {
    failure = e.code().message();
  } catch (const std::invalid_argument& e) {
    failure = e.what();
  }
  co_return commands::unreachable(policy.prometheus_url, failure);
}

net::awaitable<AvailabilityProbe::Kept> AvailabilityProbe::keep(AvailabilityProbe* self,
                                                                std::string month,
                                                                commands::PrometheusAnswer answer,
                                                                std::string asked_by,
                                                                bool tell_admins) {
  self->metrics_.add("itpm_availability_queries_total",
                     {{"result", answer.percent ? "stored" : "failed"}});
  for (int tried = 1;; ++tried) {
    auto now = system_clock::now();
    auto ctx = commands::make_context(self->repos_, self->settings_, now, "");
    auto outcome = commands::measured(ctx, month, answer, asked_by, tell_admins);
    auto posts = queue_posts(self->repos_, outcome.writes, outcome.effects, commands::millis(now));
    if (outcome.writes.empty()) co_return Kept{std::move(outcome.reply), false};
    auto committed =
        co_await commit(self->executor_, self->repos_.store(), std::move(outcome.writes));
    if (committed) {
      for (auto& post : posts) self->follow_ups_.post(std::move(post));
      co_return Kept{std::move(outcome.reply), answer.percent.has_value()};
    }
    if (committed.conflict && tried < 3) continue;
    spdlog::error("cannot store the availability of {}: {}", month, committed.error);
    co_return Kept{
        commands::text_reply(
            commands::Visibility::ephemeral,
            {fmt::format("⚠️ Prometheus answered, but the bot could not write it down "
                         "({}); nothing was stored. Try again in a minute.",
                         committed.error)}),
        false};
  }
}

}  // namespace itpm::bot
