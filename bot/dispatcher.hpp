#pragma once

#include "bot/dedupe_cache.hpp"
#include "bot/envelope.hpp"
#include "commands/registry.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace itpm::bot {

// What one envelope leads to: the ack payload (sent at once), and work for afterwards.
struct Dispatched {
  std::optional<nlohmann::json> ack_payload;
  std::vector<commands::Effect> effects;
  // A reply that could not ride on the ack goes to the command's response_url.
  std::string response_url;
  std::optional<nlohmann::json> follow_up;
};

// Routes envelopes: slash commands to the command registry, Events API callbacks (deduped by
// event_id) to their handlers, interactions to an empty ack. A command's writes are committed
// (group commit, WAL synced) before `done` runs, so an ack never reports an unsaved change.
// Never throws for bad input.
class Dispatcher {
 public:
  // Runs a task on the bot's I/O thread (commits complete on the store's committer thread).
  using Post = std::function<void(std::function<void()>)>;

  // `store` may be null for a bot that only reads (tests); then commands cannot write.
  // `zone` is the default IANA time zone for date words (users' own zones come later).
  Dispatcher(const commands::Registry& registry, std::vector<std::string> admins, std::string zone,
             storage::Store* store, Post post);

  // Handles `envelope`; `done` runs on the I/O thread: at once, or once the writes are durable.
  void handle(const Envelope& envelope, std::function<void(Dispatched)> done);

 private:
  Dispatched handle_event(const nlohmann::json& payload);

  const commands::Registry& registry_;
  std::vector<std::string> admins_;
  std::string zone_;
  storage::Store* store_;
  std::unique_ptr<storage::Repositories> repos_;
  Post post_;
  DedupeCache seen_events_;
};

}  // namespace itpm::bot
