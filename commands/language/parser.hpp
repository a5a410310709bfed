#pragma once

#include "commands/language/grammar.hpp"
#include "commands/render/slack_text.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
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

// What ParsedCommand::get gives for an argument of each type: a switch is given or not; an
// integer is its number; a person or channel its id; a list of people the people; a value that
// may be a mention or a name (target, user_or_channel) the parsed value itself; any other its
// unescaped text. Each but a switch and a list of people is empty when not given.
template <ArgType Type>
struct ArgValue {
  using type = std::optional<std::string>;
};
template <>
struct ArgValue<ArgType::flag> {
  using type = bool;
};
template <>
struct ArgValue<ArgType::integer> {
  using type = std::optional<std::int64_t>;
};
template <>
struct ArgValue<ArgType::users> {
  using type = std::vector<SlackRef>;
};
template <>
struct ArgValue<ArgType::target> {
  using type = const ParsedValue*;
};
template <>
struct ArgValue<ArgType::user_or_channel> {
  using type = const ParsedValue*;
};

struct ParsedCommand {
  const Grammar* grammar = nullptr;  // what it was parsed against
  const AreaSpec* area = nullptr;
  const VerbSpec* verb = nullptr;
  std::map<std::string, ParsedValue, std::less<>> positionals;  // by positional name
  std::map<std::string, ParsedValue, std::less<>> flags;        // by flag name, without dashes

  // The value given for a positional or flag of the verb, typed as ArgValue says. Asking for
  // one the verb does not declare, or declares with another type, is a handler bug: it throws
  // std::logic_error, which the registry answers as "Something went wrong" and every handler
  // test would show.
  template <ArgType Type>
  [[nodiscard]] typename ArgValue<Type>::type get(Arg<Type> arg) const {
    const ParsedValue* v = given(arg.name, Type);
    if constexpr (Type == ArgType::flag) {
      return v != nullptr;
    } else if constexpr (Type == ArgType::integer) {
      if (v == nullptr) return std::nullopt;
      return integer_of(*v);
    } else if constexpr (Type == ArgType::users) {
      return v == nullptr ? std::vector<SlackRef>{} : v->refs;
    } else if constexpr (Type == ArgType::target || Type == ArgType::user_or_channel) {
      return v;
    } else if constexpr (Type == ArgType::user || Type == ArgType::channel) {
      if (v == nullptr) return std::nullopt;
      return v->ref->id;
    } else {
      if (v == nullptr) return std::nullopt;
      return v->text;
    }
  }

  // The token itself (text, mention and how it was typed), for a value whose meaning depends
  // on another argument (`config set <key> <value>`); nullptr when not given.
  template <ArgType Type>
  [[nodiscard]] const ParsedValue* token(Arg<Type> arg) const {
    return given(arg.name, Type);
  }

  // The value of an argument the verb requires (the parser refused the command without it).
  template <ArgType Type>
  [[nodiscard]] auto required(Arg<Type> arg) const {
    auto v = get(arg);
    if (!v) throw std::logic_error("the handler needs " + std::string(arg.name) + ", not given");
    return *v;
  }

 private:
  // The given value of a declared argument of that type, or nullptr; throws as get() says.
  [[nodiscard]] const ParsedValue* given(std::string_view name, ArgType type) const;
  [[nodiscard]] static std::int64_t integer_of(const ParsedValue& value);
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
