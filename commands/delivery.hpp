#pragma once
// What the outbox sender reports back, turned into record changes: the sender only delivers;
// where a post landed is remembered by the domain, in the write that drops its outbox row.

#include "commands/command.hpp"
#include "storage/repositories.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace itpm::commands {

// Where Slack put a post whose AfterPost asks for it to be remembered.
struct Posted {
  AfterPost after;
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

// What people are told of a post Slack refused, worded here with the rest of the replies: the
// sender only says where the post was meant to go, what Slack answered and how to fix it.
struct Refusal {
  std::string where;  // "<#C1>", or "a DM to <@U1>"
  std::string error;  // Slack's answer: "not_in_channel"
  std::string fix;    // what a person should do (api_errors' how_to_fix); may be empty
};
// Where `message` was meant to go: "a DM to <@U1>" for a post to a person, else `channel`.
std::string refusal_where(const PostMessage& message, const std::string& channel);
// The slash command's caller, by response_url: "⚠️ This was *not posted* in <#C1>: …".
std::string refusal_for_caller(const Refusal& refusal);
// Whoever asked in a DM or a mention, by DM, with what the post said.
std::string refusal_for_asker(const Refusal& refusal, const PostMessage& message);
// A person the post names (an owner), by DM at most once a day per channel or person.
std::string refusal_for_owner(const Refusal& refusal, const PostMessage& message);

// Adds to `batch` the note in the item's history of what happened to the post:
// "escalation level 2 not delivered to <#C1>: Slack answered `not_in_channel`; <@U1> told by DM".
void record_undelivered(storage::Repositories& repos, storage::Batch& batch,
                        const Undelivered& undelivered);

// Adds to `batch` the changes that remember where a post landed: a decision's channel, ts and
// permalink, a survey's channel and ts (read fresh; nothing when the item is gone).
void record_posted(storage::Repositories& repos, storage::Batch& batch, const Posted& posted);

// What should follow once record_posted's changes are stored (asked after the commit, so that
// a vote stored meanwhile is seen here or, coming later, finds the poll's place itself): a poll
// that got votes before its place was known is brought up to date (RefreshSurvey).
std::vector<Effect> after_recorded(const storage::Repositories& repos, const Posted& posted);

}  // namespace itpm::commands
