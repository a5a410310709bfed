#pragma once
// UTF-8 decoding and encoding shared by the search index, the command tokenizer and text limits.

#include <cstddef>
#include <string>
#include <string_view>

namespace itpm::common::utf8 {

// Decodes the code point at `pos` and advances `pos` past it. A malformed or truncated
// sequence decodes as its first byte alone, so no input can stall a caller's loop.
char32_t next(std::string_view s, std::size_t& pos);

// Appends `cp` encoded as UTF-8.
void append(std::string& out, char32_t cp);

}  // namespace itpm::common::utf8
