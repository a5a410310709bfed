#include "commands/language/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

namespace itpm::commands {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::optional<std::string> nearest(std::string_view word,
                                   const std::vector<std::string_view>& candidates) {
  if (word.empty() || word.size() > 64) return std::nullopt;
  std::size_t best = std::numeric_limits<std::size_t>::max();
  std::string_view best_word;
  for (auto c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (word.size() >= 2 && c.size() > word.size() &&
        edit_distance(word, c.substr(0, word.size())) == 0) {
      d = std::min<std::size_t>(d, 1);  // a prefix ("mile" for "milestone") is a strong hint
    }
    if (d < best) {
      best = d;
      best_word = c;
    }
  }
  if (best <= 2 && best * 2 < std::max<std::size_t>(word.size(), 2) + 1)
    return std::string(best_word);
  return std::nullopt;
}

}  // namespace itpm::commands
