#pragma once

#include "storage/store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

namespace itpm::bot {

// Commits `batch` through the store's group committer (WAL synced) and resumes on `executor`
// once it is durable or has failed (nothing of it applied). The one way the bot's I/O thread
// waits for a write: commands, scheduler rounds and outbox bookkeeping.
boost::asio::awaitable<storage::CommitResult> commit(boost::asio::any_io_executor executor,
                                                     storage::Store& store, storage::Batch batch);

}  // namespace itpm::bot
