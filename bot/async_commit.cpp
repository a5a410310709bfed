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
  // Only this coroutine owns the timer: the committer's callback (destroyed on its thread,
  // maybe after the I/O context is gone) and the handler it posts hold weak references.
  struct Wait {
    explicit Wait(const net::any_io_executor& ex) : done(ex) {}
    net::steady_timer done;
    std::optional<storage::CommitResult> result;
  };
  auto wait = std::make_shared<Wait>(executor);
  wait->done.expires_at(net::steady_timer::time_point::max());
  std::weak_ptr<Wait> weak = wait;
  store.commit_async(std::move(batch), [weak, executor](storage::CommitResult r) {
    net::post(executor, [weak, r] {
      if (auto waiting = weak.lock()) {
        waiting->result = r;
        waiting->done.cancel();
      }
    });
  });
  while (!wait->result) co_await wait->done.async_wait(net::as_tuple(net::use_awaitable));
  co_return *wait->result;
}

}  // namespace itpm::bot
