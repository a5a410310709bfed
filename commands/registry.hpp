#pragma once

#include "commands/command.hpp"
#include "commands/parser.hpp"

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace itpm::commands {

using Handler = std::function<Outcome(const ParsedCommand&, const Command&, const Context&)>;

// Area name -> handler. Parsing, help and errors happen here, so a handler sees only
// commands that match its grammar. Never throws: every mistake becomes an ephemeral Reply.
class Registry {
 public:
  // A registry with the built-in areas (help, whoami).
  Registry();

  void add(std::string_view area, Handler handler);

  [[nodiscard]] Outcome handle(const Command& command, const Context& context) const;
  // Whether `area` has a handler (else its commands answer that it is not built).
  [[nodiscard]] bool handles(std::string_view area) const { return handlers_.contains(area); }

 private:
  std::map<std::string, Handler, std::less<>> handlers_;
};

}  // namespace itpm::commands
