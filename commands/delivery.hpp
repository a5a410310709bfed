#pragma once
// What the outbox sender reports back, turned into record changes: the sender only delivers;
// where a post landed is remembered by the domain, in the write that drops its outbox row.

#include "storage/repositories.hpp"

#include <cstdint>
#include <string>

namespace itpm::commands {

// Where Slack put a post the bot delivered for an item.
struct Posted {
  std::uint64_t decision = 0;  // the post announced decision D-<decision> (0: none)
  std::uint64_t survey = 0;    // the post is survey S-<survey>'s poll (0: none)
  std::string channel;
  std::string ts;
  std::string permalink;  // empty when Slack gave none
  std::int64_t at_ms = 0;
};

// A post about an item (PostMessage::about_item) that Slack refused for good.
struct Undelivered {
  std::string item;   // "R-12"
  std::string what;   // "escalation level 2"
  std::string where;  // "<#C1>", or "a DM to <@U1>"
  std::string error;  // Slack's answer: "not_in_channel"
  std::string told;   // who heard of it instead: "<@U1> told by DM", "the caller was told"
  std::int64_t at_ms = 0;
};

// Adds to `batch` the note in the item's history of what happened to the post:
// "escalation level 2 not delivered to <#C1>: Slack answered `not_in_channel`; <@U1> told by DM".
void record_undelivered(storage::Repositories& repos, storage::Batch& batch,
                        const Undelivered& undelivered);

// Adds to `batch` the changes that remember where a post landed: a decision's channel, ts and
// permalink, a survey's channel and ts (read fresh; nothing when the item is gone).
void record_posted(storage::Repositories& repos, storage::Batch& batch, const Posted& posted);

}  // namespace itpm::commands
