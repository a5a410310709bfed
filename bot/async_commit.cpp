#include "bot/async_commit.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <optional>

namespace itpm::bot {

namespace net = boost::asio;

net::awaitable<storage::CommitResult> commit(net::any_io_executor executor, storage::Store& store,
                                             storage::Batch batch) {
  // The committer thread hands the result back to the executor, which wakes this coroutine.
  struct Wait {
    explicit Wait(const net::any_io_executor& ex) : done(ex) {}
    net::steady_timer done;
    std::optional<storage::CommitResult> result;
  };
  auto wait = std::make_shared<Wait>(executor);
  wait->done.expires_at(net::steady_timer::time_point::max());
  store.commit_async(std::move(batch), [wait, executor](storage::CommitResult r) {
    net::post(executor, [wait, r] {
      wait->result = r;
      wait->done.cancel();
    });
  });
  while (!wait->result) co_await wait->done.async_wait(net::as_tuple(net::use_awaitable));
  co_return *wait->result;
}

}  // namespace itpm::bot
