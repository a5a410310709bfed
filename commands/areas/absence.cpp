#include "commands/areas/absence.hpp"

#include "commands/areas/handler_support.hpp"
#include "commands/areas/working_calendars.hpp"
#include "commands/calendar/dates.hpp"
#include "commands/render/reply.hpp"
#include "common/iso_date.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace itpm::commands {
namespace {

// When a person out until `absence.until` is back: the workspace's first working instant of
// the day after.
std::int64_t back_at(const Context& ctx, const storage::Absence& absence) {
  auto until = common::parse_date(absence.until);
  auto day = until ? *until + std::chrono::days(1) : today_in(ctx.now, ctx.zone);
  return channel_calendar(ctx, "").next_working(start_of_day_ms(day, ctx.policy.default_zone));
}

// Whether `absence` covers today (in the context's zone).
bool covers_today(const Context& ctx, const storage::Absence& absence) {
  std::string today = iso_date(today_in(ctx.now, ctx.zone));
  return absence.from <= today && today <= absence.until;
}

}  // namespace

std::optional<storage::Absence> out_today(const Context& ctx, const std::string& user) {
  if (user.empty()) return std::nullopt;
  auto absence = ctx.repos.find<storage::Absence>(user);
  if (!absence || !covers_today(ctx, *absence)) return std::nullopt;
  return absence;
}

std::string away_note(const Context& ctx, const std::string& user) {
  auto absence = out_today(ctx, user);
  if (!absence) return "";
  return fmt::format("{} is out until {}{}", user_mention(user), show_date(absence->until),
                     absence->delegate.empty()
                         ? ", with nobody acting for them"
                         : fmt::format(", {} acts for them", user_mention(absence->delegate)));
}

std::vector<storage::Absence> out_today_all(const Context& ctx) {
  std::vector<storage::Absence> out;
  for (auto& a : ctx.repos.all<storage::Absence>()) {
    if (covers_today(ctx, a)) out.push_back(std::move(a));
  }
  return out;
}

std::string out_of_office_line(const storage::Absence& a) {
  return fmt::format(
      "• {} until {}{}", user_mention(a.user), show_date(a.until),
      a.delegate.empty() ? " · no delegate" : " · delegate " + user_mention(a.delegate));
}

bool acts_for(const Context& ctx, const std::string& caller,
              const std::vector<std::string>& people) {
  return std::any_of(people.begin(), people.end(), [&](const std::string& person) {
    auto absence = out_today(ctx, person);
    return absence && absence->delegate == caller;
  });
}

namespace {

// Sends `dm`, built with its blocks, to whom commands.md §6 says: its person; while they are
// out, their delegate, opened with whom it is for; with nobody acting for them, nobody yet (a
// held DM in the schedule until they are back). False when it was held.
bool route_dm(Outcome& out, const Context& ctx, PostMessage dm) {
  if (auto absence = out_today(ctx, dm.to_user)) {
    if (absence->delegate.empty()) {
      schedule(out, ctx, back_at(ctx, *absence), HeldDm{to_outbox(dm)});
      return false;
    }
    dm.text = fmt::format("For {}, out until {}: {}", user_mention(dm.to_user),
                          show_date(absence->until), dm.text);
    if (!dm.blocks.empty()) dm.blocks[0] = section(dm.text);
    dm.to_user = absence->delegate;
  }
  out.effects.emplace_back(std::move(dm));
  return true;
}

}  // namespace

void send_dm(Outcome& out, const Context& ctx, PostMessage dm,
             const std::vector<std::pair<std::string, std::string>>& buttons) {
  dm.working_hours = true;
  send(out, std::move(dm));
  if (!buttons.empty()) with_buttons(out, buttons);
  PostMessage built = std::move(std::get<PostMessage>(out.effects.back()));
  out.effects.pop_back();
  route_dm(out, ctx, std::move(built));
}

Outcome fire_held_dm(const HeldDm& job, const Context& ctx) {
  Outcome out;
  PostMessage dm = from_outbox(job.message);
  std::string to = dm.to_user;
  bool sent = route_dm(out, ctx, std::move(dm));
  out.reply.text = sent ? fmt::format("a held DM to {} sent", to)
                        : fmt::format("a DM to {} held again: still out", to);
  return out;
}

}  // namespace itpm::commands
