#pragma once

#include "bot/metrics.hpp"
#include "bot/web_api_client.hpp"
#include "commands/command.hpp"
#include "storage/repositories.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace itpm::bot {

// A post a command asked for, and its row in the durable outbox (0: not kept there).
struct QueuedPost {
  std::uint64_t outbox_seq = 0;
  commands::PostMessage message;
};

// Work after acks: posts and DMs (effects of commands), and response_url replies. A post
// that came from the outbox leaves it once Slack has answered for good (posted, or refused
// with an error that retrying cannot fix); one that Slack never answered stays and is sent
// again when the bot starts (`resume`). A posted decision gets its permalink stored in the
// same write that removes its outbox row. All on the I/O thread; counted so shutdown can wait.
class FollowUps {
 public:
  // `repos` may be null (a bot without a store): posts are then only sent.
  FollowUps(boost::asio::any_io_executor executor, WebApiClient& api, Metrics& metrics,
            storage::Repositories* repos);

  void post(QueuedPost post);
  void respond(std::string url, nlohmann::json body);

  // Sends what the outbox still holds from before a restart; returns how many.
  std::size_t resume();

  // Waits until nothing is pending or `deadline` passes; returns how many are left.
  boost::asio::awaitable<int> drain(std::chrono::steady_clock::time_point deadline);

 private:
  static boost::asio::awaitable<void> send_post(FollowUps* self, QueuedPost post);
  static boost::asio::awaitable<void> send_response(FollowUps* self, std::string url,
                                                    nlohmann::json body);
  // Stores where a decision was posted, and drops the outbox row, in one write.
  static boost::asio::awaitable<void> record_permalink(FollowUps* self, const QueuedPost& post,
                                                       const std::string& channel,
                                                       const std::string& ts);
  void dequeue(std::uint64_t seq);
  void started();
  void finished();

  boost::asio::any_io_executor executor_;
  WebApiClient& api_;
  Metrics& metrics_;
  storage::Repositories* repos_;
  boost::asio::steady_timer idle_;
  int pending_ = 0;
};

// True for errors where Slack did not answer for good (network, 5xx, rate limit): worth
// sending again later.
bool transient_api_error(const std::string& error);

}  // namespace itpm::bot
