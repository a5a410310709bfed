#include "commands/areas/help_commands.hpp"

#include "commands/language/arg_builders.hpp"
#include "commands/language/help.hpp"
#include "commands/render/reply.hpp"

#include <fmt/format.h>

namespace itpm::commands {
namespace {

Outcome help(const ParsedCommand& parsed, const Command&, const Context&) {
  return reply_only(help_reply(*parsed.grammar, parsed.get(arg::area).value_or("")));
}

Outcome whoami(const ParsedCommand&, const Command& command, const Context& context) {
  return reply_only(text_reply(
      Visibility::ephemeral,
      {fmt::format("You are <@{}>, typing in <#{}>.", command.user_id, command.channel_id),
       context.is_admin(command.user_id)
           ? "You are an itpm admin: you may change settings and any item."
           : "You may add and read everything; you may change items you own, "
             "and programs you own or sponsor."}));
}

}  // namespace

AreaSpec help_area() {
  using namespace args;
  return {
      "help",
      {"h", "?"},
      "Show commands, or the verbs of one area",
      "",
      {{"", {}, "Show commands, or the verbs of one area", {opt(arg::area, "[area]")}, {}, help}}};
}

AreaSpec whoami_area() {
  using namespace args;
  return {"whoami",
          {"me"},
          "Who the bot thinks you are",
          "",
          {{"", {}, "Your user, channel and rights", {}, {}, whoami}}};
}

}  // namespace itpm::commands
