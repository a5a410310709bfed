#include "commands/registry.hpp"

#include "commands/render/reply.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <exception>

namespace itpm::commands {

Outcome Registry::handle(const Command& command, const Context& context) const {
  return handle(Prepared{parse(command.text, grammar_)}, command, context);
}

std::shared_ptr<const Registry::Prepared> Registry::prepare(const Command& command) const {
  return std::make_shared<const Prepared>(Prepared{parse(command.text, grammar_)});
}

Access Registry::Prepared::access() const {
  const auto* cmd = std::get_if<ParsedCommand>(&parsed);
  return cmd == nullptr ? Access::reads : cmd->verb->access;
}

Outcome Registry::handle(const Prepared& prepared, const Command& command, const Context& context) {
  if (const auto* err = std::get_if<ParseError>(&prepared.parsed)) {
    return reply_only(error_reply(err->message, err->usage));
  }
  return handle_parsed(std::get<ParsedCommand>(prepared.parsed), command, context);
}

Outcome Registry::handle_parsed(const ParsedCommand& cmd, const Command& command,
                                const Context& context) {
  try {
    return cmd.verb->handler(cmd, command, context);
  } catch (const std::exception& e) {
    // A handler bug must still answer the user, and must not take the bot down.
    return reply_only(
        error_reply(fmt::format("Something went wrong handling that command ({}). Nothing "
                                "was saved; the operator can find details in the bot's log.",
                                e.what()),
                    ""));
  }
}

bool Registry::starts_command(std::string_view text) const {
  auto start = text.find_first_not_of(" \t\n");
  if (start == std::string_view::npos) return false;
  auto word = text.substr(start, text.find_first_of(" \t\n", start) - start);
  std::string lower(word);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return find_area(grammar_, lower) != nullptr;
}

}  // namespace itpm::commands
