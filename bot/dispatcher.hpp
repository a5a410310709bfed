#pragma once

#include "bot/dedupe_cache.hpp"
#include "bot/envelope.hpp"
#include "commands/registry.hpp"

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
// event_id) to their handlers, interactions to an empty ack. Pure apart from the dedupe
// memory; never throws for bad input.
class Dispatcher {
 public:
  Dispatcher(const commands::Registry& registry, std::vector<std::string> admins);

  Dispatched handle(const Envelope& envelope);

 private:
  Dispatched handle_event(const nlohmann::json& payload);

  const commands::Registry& registry_;
  std::vector<std::string> admins_;
  DedupeCache seen_events_;
};

}  // namespace itpm::bot
