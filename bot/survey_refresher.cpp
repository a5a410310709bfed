#include "bot/survey_refresher.hpp"

#include "bot/delivery_machine.hpp"
#include "bot/slack/api_errors.hpp"
#include "commands/areas/survey_commands.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>

#include <exception>

namespace itpm::bot {

namespace net = boost::asio;

void SurveyRefresher::refresh(std::uint64_t survey, std::uint64_t outbox_seq) {
  Refreshes& r = refreshes_[survey];
  if (outbox_seq != 0) r.rows.push_back(outbox_seq);
  if (r.running) {
    r.again = true;  // the update under way is followed by one more
    done_();
    return;
  }
  r.running = true;
  net::co_spawn(executor_, run(this, survey), net::detached);
}

net::awaitable<void> SurveyRefresher::run(SurveyRefresher* self, std::uint64_t survey) {
  net::steady_timer pause(self->executor_);
  for (;;) {
    Refreshes& r = self->refreshes_[survey];
    r.again = false;
    std::vector<std::uint64_t> rows = std::move(r.rows);
    r.rows.clear();
    co_await self->slots_.acquire(commands::PostPriority::normal);
    std::string error;
    try {
      auto view = commands::survey_message(self->repos_, survey);
      if (!view || view->ts.empty()) {
        spdlog::info("survey S-{} has no posted message to update", survey);
      } else {
        for (int attempt = 0;; ++attempt) {
          nlohmann::json args = {{"channel", view->channel},
                                 {"ts", view->ts},
                                 {"text", view->text},
                                 {"blocks", view->blocks}};
          ApiResult result = co_await self->api_.call_json("chat.update", std::move(args));
          if (result.ok) break;
          if (classify_api_error(result.error) != ApiErrorKind::transient || attempt >= 8) {
            spdlog::warn("chat.update of survey S-{} failed: {}", survey, result.error);
            break;
          }
          co_await self->slots_.pause_without_slot(
              pause, delivery::retry_pause(attempt + 1, result), commands::PostPriority::normal);
        }
      }
    } catch (const std::exception& e) {
      error = e.what();
    }
    self->slots_.release();
    // Its rows are dropped below either way: a refresh renders what is stored, so there is
    // nothing to keep of it.
    if (!error.empty())
      self->health_.failed("posts", "refreshing survey S-" + std::to_string(survey), error);
    if (!rows.empty()) {
      storage::Batch batch;
      for (auto seq : rows) self->repos_.outbox().dequeue(batch, seq);
      self->repos_.store().commit_async(std::move(batch), [survey](storage::CommitResult c) {
        if (!c) spdlog::error("cannot remove survey S-{}'s refresh rows: {}", survey, c.error);
      });
    }
    if (!self->refreshes_[survey].again) break;
  }
  self->refreshes_.erase(survey);
  self->done_();
}

}  // namespace itpm::bot
