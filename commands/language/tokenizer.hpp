#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace itpm::commands {

struct Token {
  std::string text;    // with quotes removed; still Slack-escaped
  std::size_t column;  // 1-based, in characters, where the token starts
  bool quoted;         // some part of it was quoted
};

struct TokenizeError {
  std::string message;
  std::size_t column;  // 1-based column of the offending quote
};

// Splits on whitespace. A quote ("..", '..', “..”, ‘..’) at the start of a word or right after
// '=' groups words; elsewhere (don't, Bob’s) it is an ordinary character. An unterminated
// quote is a TokenizeError that names its column.
std::variant<std::vector<Token>, TokenizeError> tokenize(std::string_view text);

}  // namespace itpm::commands
