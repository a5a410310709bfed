#include "commands/registry.hpp"

#include "commands/help.hpp"
#include "commands/reply.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <exception>

namespace itpm::commands {
namespace {

Outcome help(const ParsedCommand& parsed, const Command&, const Context&) {
  const ParsedValue* area = parsed.positional("area");
  return reply_only(help_reply(area != nullptr ? area->text : ""));
}

Outcome whoami(const ParsedCommand&, const Command& command, const Context& context) {
  bool admin = std::find(context.admins.begin(), context.admins.end(), command.user_id) !=
               context.admins.end();
  return reply_only(text_reply(
      Visibility::ephemeral,
      {fmt::format("You are <@{}>, typing in <#{}>.", command.user_id, command.channel_id),
       admin ? "You are an itpm admin: you may change settings and any item."
             : "You may add and read everything; you may change items you own, "
               "and programs you own or sponsor."}));
}

}  // namespace

Registry::Registry() {
  add("help", help);
  add("whoami", whoami);
}

void Registry::add(std::string_view area, Handler handler) {
  handlers_[std::string(area)] = std::move(handler);
}

Outcome Registry::handle(const Command& command, const Context& context) const {
  auto parsed = parse(command.text);
  if (auto* err = std::get_if<ParseError>(&parsed)) {
    return reply_only(error_reply(err->message, err->usage));
  }
  const auto& cmd = std::get<ParsedCommand>(parsed);
  auto it = handlers_.find(cmd.area->name);
  if (it == handlers_.end()) {
    std::string available;
    for (const auto& [name, handler] : handlers_)
      available += (available.empty() ? "`" : ", `") + name + "`";
    std::string what = std::string(cmd.area->name) +
                       (cmd.verb->name.empty() ? "" : " " + std::string(cmd.verb->name));
    return reply_only(
        text_reply(Visibility::ephemeral,
                   {fmt::format("`/itpm {}` is understood but not available in this build yet. "
                                "Nothing was saved.",
                                what),
                    "Available now: " + available}));
  }
  try {
    return it->second(cmd, command, context);
  } catch (const std::exception& e) {
    // A handler bug must still answer the user, and must not take the bot down.
    return reply_only(
        error_reply(fmt::format("Something went wrong handling that command ({}). Nothing "
                                "was saved; the operator can find details in the bot's log.",
                                e.what()),
                    ""));
  }
}

}  // namespace itpm::commands
