#include "commands/language/grammar.hpp"

#include <algorithm>
#include <cctype>

namespace itpm::commands {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

template <typename Spec>
bool named(const Spec& spec, std::string_view word) {
  return iequals(spec.name, word) ||
         std::any_of(spec.aliases.begin(), spec.aliases.end(),
                     [&](std::string_view a) { return iequals(a, word); });
}

std::string show_arg(const ArgSpec& a) {
  if (!a.hint.empty()) return std::string(a.hint);
  if (a.type == ArgType::choice) {
    std::string out;
    for (auto c : a.choices) out += (out.empty() ? "" : "|") + std::string(c);
    return out;
  }
  if (a.type == ArgType::integer && a.max > a.min) {
    return std::to_string(a.min) + "-" + std::to_string(a.max);
  }
  return "<" + std::string(a.name) + ">";
}

}  // namespace

const AreaSpec* find_area(const Grammar& grammar, std::string_view word) {
  for (const auto& area : grammar) {
    if (named(area, word)) return &area;
  }
  return nullptr;
}

const VerbSpec* find_verb(const AreaSpec& area, std::string_view word) {
  for (const auto& verb : area.verbs) {
    if (!verb.name.empty() && named(verb, word)) return &verb;
  }
  return nullptr;
}

std::string usage(const AreaSpec& area, const VerbSpec& verb) {
  std::string out = "/itpm " + std::string(area.name);
  if (!verb.name.empty()) out += " " + std::string(verb.name);
  for (const auto& p : verb.positionals) {
    std::string shown = show_arg(p);
    bool bracketed = shown.starts_with('[');
    out += " " + (p.required || bracketed ? shown : "[" + shown + "]");
  }
  for (const auto& f : verb.flags) {
    std::string shown = "--" + std::string(f.name);
    if (f.type != ArgType::flag) shown += " " + show_arg(f);
    out += " " + (f.required ? shown : "[" + shown + "]");
  }
  return out;
}

}  // namespace itpm::commands
