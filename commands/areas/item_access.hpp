#pragma once
// Finding the item behind a typed id (R-12, m3, 7) and checking that the caller may change
// it, the same way for every kind of item: each kind describes itself once in an ItemRules.

#include "commands/areas/absence.hpp"
#include "commands/areas/handler_support.hpp"
#include "storage/record_traits.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace itpm::commands {

// How the commands name one kind of item, who may change one, and when it is finished.
template <class R>
struct ItemRules {
  std::string_view noun;            // "milestone", "review cadence"
  std::string_view example;         // "M-3"
  std::string_view not_found_hint;  // "See them with `/itpm milestone list`."
  // Who besides its program's owner and sponsor and the admins may change an item.
  std::vector<std::string> (*people)(const R& item, const Context& ctx);
  // How a refusal names those people: "the milestone owner <@U1>".
  std::string (*named)(const R& item, const Context& ctx);
  // Why an item can no longer be changed ("M-3 is done since Wed 2026-11-25."); empty while
  // it can.
  std::string (*finished)(const R& item, const Context& ctx);
};

// The item of kind R behind the typed id `text`, or the mistake to reply with.
template <class R>
std::variant<R, Outcome> find_item(const ParsedCommand& cmd, const Context& ctx,
                                   const ItemRules<R>& rules, std::string_view text) {
  auto number = item_number(text, storage::RecordTraits<R>::prefix);
  if (!number) {
    bool vowel = std::string_view("aeiou").find(rules.noun.front()) != std::string_view::npos;
    return mistake(cmd,
                   fmt::format("\"{}\" is not {} {} id; they look like {}.", shown_text(text, 40),
                               vowel ? "an" : "a", rules.noun, rules.example));
  }
  auto item = ctx.repos.find<R>(*number);
  if (!item) {
    return mistake(cmd, fmt::format("No {} {}. {}", rules.noun, storage::item_id<R>(*number),
                                    rules.not_found_hint));
  }
  return std::move(*item);
}

// The item behind positional `id` that the caller may `verb` ("complete", "move"): one of
// its people, its program's owner or sponsor, or an admin; and not finished. Otherwise the
// refusal or mistake to reply with.
template <class R>
std::variant<R, Outcome> item_to_change(const ParsedCommand& cmd, const Command& command,
                                        const Context& ctx, const ItemRules<R>& rules,
                                        std::string_view verb) {
  auto found = find_item(cmd, ctx, rules, cmd.required(arg::id));
  if (auto* out = std::get_if<Outcome>(&found)) return std::move(*out);
  R& item = std::get<R>(found);
  auto program = ctx.repos.find<storage::Program>(item.program);
  auto people = rules.people(item, ctx);
  bool allowed = std::find(people.begin(), people.end(), command.user_id) != people.end() ||
                 (program && runs_program(*program, command.user_id, ctx)) ||
                 ctx.is_admin(command.user_id) || acts_for(ctx, command.user_id, people);
  if (!allowed) {
    return refusal(fmt::format("Only {}{} or an itpm admin can {} {}.", rules.named(item, ctx),
                               program ? ", " + program_leads(*program) : std::string(), verb,
                               storage::item_id<R>(item.number)));
  }
  if (auto why = rules.finished(item, ctx); !why.empty()) return mistake(cmd, why);
  return std::move(item);
}

}  // namespace itpm::commands
