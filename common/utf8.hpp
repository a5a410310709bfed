#pragma once
// UTF-8 decoding and encoding shared by the search index, the command tokenizer and text limits.

#include <cstddef>
#include <string>
#include <string_view>

namespace itpm::common::utf8 {

// Decodes the code point at `pos` and advances `pos` past it. A malformed or truncated
// sequence decodes as its first byte alone, so no input can stall a caller's loop.
char32_t next(std::string_view s, std::size_t& pos);

// The first `max_chars` code points of `s` (all of it when shorter): a cut that never splits
// a character, so the result stays valid UTF-8 when `s` is.
std::string_view prefix(std::string_view s, std::size_t max_chars);

// Appends `cp` encoded as UTF-8.
void append(std::string& out, char32_t cp);

}  // namespace itpm::common::utf8
