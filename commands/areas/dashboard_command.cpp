#include "commands/areas/dashboard_command.hpp"

#include "commands/areas/handler_support.hpp"
#include "commands/calendar/dates.hpp"
#include "commands/dashboard/access.hpp"
#include "commands/dashboard/link.hpp"
#include "commands/language/arg_builders.hpp"
#include "commands/render/reply.hpp"

#include <fmt/format.h>

namespace itpm::commands {
namespace {

Outcome dashboard_link(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  auto key = ctx.repos.dashboard_key();
  if (!key) {
    return reply_only(text_reply(
        Visibility::ephemeral,
        {"The dashboard is not set up yet: its signing key is made when the bot starts. Ask "
         "whoever runs the bot to restart it."}));
  }
  std::string scope(dashboard::all_programs);
  std::string page;
  std::string what = "the portfolio";
  if (auto v = cmd.get(arg::program)) {
    auto program = ctx.repos.find<storage::Program>(*v);
    if (!program) return unknown_program(cmd, ctx, *v);
    if (!dashboard::may_see(command.user_id, *program))
      return refusal(fmt::format("You may not see {}'s pages.", program->key));
    scope = program->key;
    page = "program/" + program->key;
    what = program->key + "'s timeline and heat map";
  }
  auto now = std::chrono::duration_cast<std::chrono::seconds>(ctx.now.time_since_epoch()).count();
  auto lifetime =
      std::chrono::duration_cast<std::chrono::seconds>(ctx.policy.dashboard_link_lifetime);
  dashboard::Grant grant{command.user_id, scope, now + lifetime.count()};
  std::string url = fmt::format("{}/dashboard/{}/{}", ctx.policy.dashboard_url,
                                dashboard::sign(grant, *key), page);
  return reply_only(text_reply(
      Visibility::ephemeral,
      {fmt::format("📊 Your dashboard link to {}: <{}>", what, url),
       fmt::format("It is yours alone and read-only, and works until {}. Anyone holding it sees "
                   "what you see: do not paste it in a channel. `/itpm dashboard` again gives "
                   "a fresh one.",
                   show_time(grant.expires * 1000, ctx.zone))}));
}

}  // namespace

AreaSpec dashboard_area() {
  using namespace args;
  return {"dashboard",
          {"dash"},
          "A personal link to the read-only dashboard",
          "",
          {{"",
            {},
            "Your link to the portfolio, heat map and KPI trends (or one program's pages)",
            {opt(arg::program, "[program]")},
            {},
            dashboard_link,
            Access::reads}}};
}

}  // namespace itpm::commands
