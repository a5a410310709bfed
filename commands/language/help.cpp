#include "commands/language/help.hpp"

#include "commands/language/suggest.hpp"
#include "commands/render/reply.hpp"
#include "commands/render/slack_text.hpp"
#include "common/utf8.hpp"

#include <fmt/format.h>

namespace itpm::commands {

Reply help_reply(const Grammar& grammar, std::string_view area_word) {
  if (area_word.empty()) {
    std::string lines;
    for (const auto& area : grammar) {
      lines += fmt::format("• `{}` — {}\n", area.name, area.summary);
    }
    return text_reply(Visibility::ephemeral,
                      {"*itpm* runs your program's cadence: reviews, risks, decisions, milestones.",
                       lines, "More on one area: `/itpm help risk`"});
  }
  const AreaSpec* area = find_area(grammar, area_word);
  if (area == nullptr) {
    std::vector<std::string_view> names;
    for (const auto& a : grammar) names.push_back(a.name);
    auto near = nearest(area_word, names);
    return error_reply(fmt::format("No help for {}.{} Try: /itpm help",
                                   "\"" + escape(common::utf8::prefix(area_word, 40)) + "\"",
                                   near ? " Did you mean `" + *near + "`?" : ""),
                       "");
  }
  std::string lines;
  for (const auto& verb : area->verbs) {
    lines += fmt::format("• `{}`\n    {}\n", escape(usage(*area, verb)), verb.summary);
  }
  std::string aliases;
  for (auto a : area->aliases) aliases += (aliases.empty() ? "" : ", ") + std::string(a);
  std::vector<std::string> paragraphs = {fmt::format("*{}* — {}", area->name, area->summary),
                                         lines};
  if (!aliases.empty()) paragraphs.push_back("Also typed as: " + aliases);
  return text_reply(Visibility::ephemeral, paragraphs);
}

}  // namespace itpm::commands
