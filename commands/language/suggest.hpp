#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace itpm::commands {

// Optimal-string-alignment edit distance, case-insensitive.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be a likely typo
// (distance <= 2 and less than half the word's length), or if `word` is a prefix of it.
std::optional<std::string> nearest(std::string_view word,
                                   const std::vector<std::string_view>& candidates);

}  // namespace itpm::commands
