#pragma once

#include "commands/language/grammar.hpp"
#include "commands/render/slack_text.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace itpm::commands {

struct ParsedValue {
  std::string text;             // unescaped user text ("" for a switch)
  std::string raw;              // the token as typed (still Slack-escaped)
  std::optional<SlackRef> ref;  // set when the token was a Slack mention, channel or link
  std::vector<SlackRef> refs;   // the people of a `users` value (@u,@v), in the order given
  std::size_t column = 0;
};

struct ParsedCommand {
  const Grammar* grammar = nullptr;  // what it was parsed against
  const AreaSpec* area = nullptr;
  const VerbSpec* verb = nullptr;
  std::map<std::string, ParsedValue, std::less<>> positionals;  // by positional name
  std::map<std::string, ParsedValue, std::less<>> flags;        // by flag name, without dashes

  // The value given for a positional or flag of the verb; nullptr when not given. Asking for
  // one the verb does not declare is a handler bug (a misspelt name would silently read as
  // absent): it throws std::logic_error, which the registry answers as "Something went wrong"
  // and every handler test would show.
  [[nodiscard]] const ParsedValue* positional(std::string_view name) const;
  [[nodiscard]] const ParsedValue* flag(std::string_view name) const;
};

// A user's mistake: what was wrong (with a did-you-mean where one fits) and the usage of
// the verb it concerns (empty when no verb was identified).
struct ParseError {
  std::string message;
  std::string usage;
};

// Checks one value against its declared type (integers and ranges, choices, mention types),
// normalising it (an integer's digits, a choice's spelling); returns the mistake or "".
std::string check_value(const ArgSpec& spec, ParsedValue& value, bool is_flag);

// Parses the text after `/itpm` (still Slack-escaped) against `grammar`. Empty text is
// `help` (the grammar's area of that name). Checks areas, verbs, flags, arity, integer ranges,
// choices and mention types.
std::variant<ParsedCommand, ParseError> parse(std::string_view text, const Grammar& grammar);

}  // namespace itpm::commands
