#pragma once

#include "commands/command.hpp"
#include "commands/command_table.hpp"
#include "commands/language/parser.hpp"

namespace itpm::commands {

// Runs commands of a grammar (`/itpm`'s command table unless told otherwise): parsing, help
// and errors happen here, so a handler sees only commands that match its verb's grammar.
// Never throws: every mistake becomes an ephemeral Reply.
class Registry {
 public:
  explicit Registry(const Grammar& grammar = command_grammar()) : grammar_(grammar) {}

  [[nodiscard]] Outcome handle(const Command& command, const Context& context) const;
  // Runs a command that is parsed already (a form's submission): its verb's handler, with the
  // same guard as handle.
  [[nodiscard]] static Outcome handle_parsed(const ParsedCommand& cmd, const Command& command,
                                             const Context& context);
  [[nodiscard]] const Grammar& grammar() const { return grammar_; }
  // A command parsed once, for deciding where it runs and then running it there.
  struct Prepared {
    std::variant<ParsedCommand, ParseError> parsed;
    // What running it does with the store: its verb's Access, or Access::reads for a command
    // that does not parse (its answer is an error).
    [[nodiscard]] Access access() const;
  };
  [[nodiscard]] std::shared_ptr<const Prepared> prepare(const Command& command) const;
  // handle() of a prepared command.
  [[nodiscard]] static Outcome handle(const Prepared& prepared, const Command& command,
                                      const Context& context);
  // Whether `text` starts with one of the grammar's areas (risk, help, ...): a command, not
  // chatter, when typed in a DM or after the bot's mention.
  [[nodiscard]] bool starts_command(std::string_view text) const;

 private:
  const Grammar& grammar_;
};

}  // namespace itpm::commands
