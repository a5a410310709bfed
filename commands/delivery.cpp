#include "commands/delivery.hpp"

#include "commands/areas/handler_support.hpp"

#include <fmt/format.h>

namespace itpm::commands {

void record_posted(storage::Repositories& repos, storage::Batch& batch, const Posted& posted) {
  if (posted.survey != 0) {
    if (auto before = repos.find<storage::Survey>(posted.survey)) {
      storage::Survey after = *before;
      after.channel = posted.channel;
      after.message_ts = posted.ts;
      repos.save(batch, after, &*before, storage::Change{before->sent_by, posted.at_ms, "posted"});
    }
  }
  if (posted.decision != 0) {
    if (auto before = repos.find<storage::Decision>(posted.decision)) {
      storage::Decision after = *before;
      after.channel = posted.channel;
      after.message_ts = posted.ts;
      after.permalink = posted.permalink;
      repos.save(batch, after, &*before,
                 storage::Change{before->created_by, posted.at_ms, "posted"});
    }
  }
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
