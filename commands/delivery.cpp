#include "commands/delivery.hpp"

#include "commands/areas/handler_support.hpp"

#include <fmt/format.h>

namespace itpm::commands {
namespace {

// "in <#C1>: Slack answered `not_in_channel`. Invite the bot…"
std::string failed_in(const Refusal& refusal) {
  return "in " + refusal.where + ": Slack answered `" + refusal.error + "`." +
         (refusal.fix.empty() ? "" : " " + refusal.fix);
}

}  // namespace

std::string refusal_where(const PostMessage& message, const std::string& channel) {
  return !message.to_user.empty() ? "a DM to " + user_mention(message.to_user)
                                  : channel_mention(channel);
}

std::string refusal_for_caller(const Refusal& refusal) {
  return "⚠️ This was *not posted* " + failed_in(refusal);
}

std::string refusal_for_asker(const Refusal& refusal, const PostMessage& message) {
  return "⚠️ Your command's post was *not posted* " + failed_in(refusal) + " It said:\n\n" +
         message.text;
}

std::string refusal_for_owner(const Refusal& refusal, const PostMessage& message) {
  std::string about = message.about_item.empty()
                          ? std::string()
                          : " about *" + message.about_item + "* (" + message.about_what + ")";
  return "⚠️ A post" + about + " could *not be posted* " + failed_in(refusal) +
         " You hear of " + (message.to_user.empty() ? "this channel" : "that person") +
         " at most once a day. It said:\n\n" + message.text;
}

void record_posted(storage::Repositories& repos, storage::Batch& batch, const Posted& posted) {
  switch (posted.after.kind) {
    case AfterPost::Kind::nothing:
      break;
    case AfterPost::Kind::survey:
      if (auto before = repos.find<storage::Survey>(posted.after.number)) {
        storage::Survey after = *before;
        after.channel = posted.channel;
        after.message_ts = posted.ts;
        repos.save(batch, after, &*before,
                   storage::Change{before->sent_by, posted.at_ms, "posted"});
      }
      break;
    case AfterPost::Kind::decision:
      if (auto before = repos.find<storage::Decision>(posted.after.number)) {
        storage::Decision after = *before;
        after.channel = posted.channel;
        after.message_ts = posted.ts;
        after.permalink = posted.permalink;
        repos.save(batch, after, &*before,
                   storage::Change{before->created_by, posted.at_ms, "posted"});
      }
      break;
  }
}

std::vector<Effect> after_recorded(const storage::Repositories& repos, const Posted& posted) {
  // A vote that came before the poll's place was stored found nothing to update.
  if (posted.after.kind == AfterPost::Kind::survey && !repos.votes(posted.after.number).empty())
    return {RefreshSurvey{posted.after.number}};
  return {};
}

void record_undelivered(storage::Repositories& repos, storage::Batch& batch,
                        const Undelivered& undelivered) {
  if (undelivered.item.empty()) return;
  repos.note(batch, undelivered.item,
             storage::Change{std::string(bot_actor), undelivered.at_ms, "not delivered"},
             fmt::format("{} not delivered to {}: Slack answered `{}`; {}", undelivered.what,
                         undelivered.where, undelivered.error, undelivered.told));
}

}  // namespace itpm::commands
