#pragma once
// Out of office (commands.md §6): while a person is out, what the bot would DM them goes to
// their delegate, saying for whom; with nobody acting for them it waits until they are back
// (a held DM in the schedule). The escalation ladder asks first: it skips an absent owner
// without a delegate.

#include "commands/command.hpp"
#include "commands/job.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace itpm::commands {

// The absence `user` is on today (in the context's zone), if any.
std::optional<storage::Absence> out_today(const Context& ctx, const std::string& user);

// "<@UALICE> is out until Mon 2026-12-21" (with ", <@UBOB> acts for them" when there is a
// delegate), or "" when the person is not out today.
std::string away_note(const Context& ctx, const std::string& user);

// Everyone out of office today, in the order of their ids (one scan of the absences).
std::vector<storage::Absence> out_today_all(const Context& ctx);

// One person's line in a list of who is out: "• <@UDAVE> until Fri 2026-12-04 · delegate
// <@UERIN>" (or "· no delegate").
std::string out_of_office_line(const storage::Absence& absence);

// True when `caller` acts today for one of `people` (is the delegate of one who is out).
bool acts_for(const Context& ctx, const std::string& caller,
              const std::vector<std::string>& people);

// Sends `dm` (its `to_user` set) with `buttons` ({label, command}) as commands.md §6 says:
// to the person; while they are out, to their delegate opened with "For <@alice>, out until
// …:"; with nobody acting for them, held in the schedule until they are back. Either way it
// goes out in its recipient's working hours (PostMessage::working_hours).
void send_dm(Outcome& out, const Context& ctx, PostMessage dm,
             const std::vector<std::pair<std::string, std::string>>& buttons = {});

// Runs a held DM that fell due: routed again by send_dm.
Outcome fire_held_dm(const HeldDm& job, const Context& ctx);

}  // namespace itpm::commands
