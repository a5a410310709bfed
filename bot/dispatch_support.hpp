#pragma once
// What the dispatcher's files share (bot/dispatcher*.cpp only): the shape of a handled
// envelope's answer, the read set around a handler, the line an outsider gets.

#include "bot/dispatcher.hpp"
#include "commands/render/reply.hpp"

#include <optional>
#include <string>
#include <vector>

namespace itpm::bot::dispatch {

// What a handled envelope leads to. An empty reply means the command's post is its answer:
// the ack carries nothing. Without a response_url the reply rides on the ack.
inline Dispatched finished(commands::Reply reply, std::vector<QueuedPost> posts,
                           const std::string& response_url, bool keep_original) {
  Dispatched d;
  if (!reply.text.empty() || !reply.blocks.empty()) {
    nlohmann::json payload = reply_payload(std::move(reply));
    if (response_url.empty()) {
      d.ack_payload = std::move(payload);
    } else {
      // A reply to a button press is a new ephemeral message, not a replacement of the poll.
      if (keep_original) payload["replace_original"] = false;
      d.response_url = response_url;
      d.follow_up = std::move(payload);
    }
  }
  d.posts = std::move(posts);
  return d;
}

// Runs `handler`; for a command that writes, with the records it reads noted and its writes
// made conditional on them. A command that writes nothing keeps no read set: a long list costs
// no bookkeeping.
template <class Handler>
commands::Outcome run_handler(bool writes, const Handler& handler) {
  if (!writes) return handler();
  storage::ReadSet reads;
  commands::Outcome outcome = handler();
  if (!outcome.writes.empty()) reads.expect_in(outcome.writes);
  return outcome;
}

// Puts `post` ahead of `effects` (a command's answer goes before what it asked for). Built
// anew: GCC 12 misreads an insert of a variant at the front as using an uninitialised one.
inline void put_first(std::vector<commands::Effect>& effects, commands::PostMessage post) {
  std::vector<commands::Effect> all;
  all.reserve(effects.size() + 1);
  all.emplace_back(std::move(post));
  for (auto& effect : effects) all.push_back(std::move(effect));
  effects = std::move(all);
}

// The one line an outsider (a member of another organisation in a shared channel) gets.
inline std::string outsider_line(const std::optional<BotIdentity>& identity) {
  std::string team = identity && !identity->team.empty() ? identity->team : "this workspace";
  return "🚫 itpm-bot answers members of " + team +
         " only. Nothing was read or changed; ask a member of " + team + " to run the command.";
}

}  // namespace itpm::bot::dispatch
