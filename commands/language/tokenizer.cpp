#include "commands/language/tokenizer.hpp"

#include "common/utf8.hpp"

#include <optional>

namespace itpm::commands {
namespace {

bool is_space(char32_t c) {
  return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' || c == U'\u00a0' || c == U'\u2028' ||
         c == U'\u3000';
}

// The closing quote for an opening one, if `c` opens a quote.
std::optional<char32_t> closing_quote(char32_t c) {
  switch (c) {
    case U'"':
      return U'"';
    case U'\'':
      return U'\'';
    case U'\u201c':
      return U'\u201d';  // “ ”
    case U'\u2018':
      return U'\u2019';  // ‘ ’
    case U'\u201e':
      return U'\u201c';  // „ “
    default:
      return std::nullopt;
  }
}

}  // namespace

std::variant<std::vector<Token>, TokenizeError> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  std::size_t pos = 0;
  std::size_t column = 0;
  std::optional<Token> current;

  auto flush = [&] {
    if (current) tokens.push_back(std::move(*current));
    current.reset();
  };

  while (pos < text.size()) {
    std::size_t start = pos;
    char32_t c = common::utf8::next(text, pos);
    ++column;
    if (is_space(c)) {
      flush();
      continue;
    }
    bool at_word_start = !current.has_value();
    bool after_equals = current && !current->quoted && !current->text.empty() &&
                        current->text.back() == '=' && current->text.rfind("--", 0) == 0;
    auto close = closing_quote(c);
    if (close && (at_word_start || after_equals)) {
      std::size_t quote_column = column;
      if (!current) current = Token{"", column, true};
      current->quoted = true;
      bool closed = false;
      while (pos < text.size()) {
        std::size_t inner_start = pos;
        char32_t q = common::utf8::next(text, pos);
        ++column;
        // ASCII quotes close only with themselves; a curly opening also accepts the straight
        // double quote, since phones mix them.
        if (q == *close || (c != U'"' && c != U'\'' && q == U'"')) {
          closed = true;
          break;
        }
        current->text.append(text.substr(inner_start, pos - inner_start));
      }
      if (!closed) {
        return TokenizeError{"unterminated quote at column " + std::to_string(quote_column) +
                                 "; close it or remove it",
                             quote_column};
      }
      continue;
    }
    if (!current) current = Token{"", column, false};
    current->text.append(text.substr(start, pos - start));
  }
  flush();
  return tokens;
}

}  // namespace itpm::commands
