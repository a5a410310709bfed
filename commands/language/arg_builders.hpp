#pragma once
// Short builders for the argument specs of the areas' grammar tables.

#include "commands/language/grammar.hpp"

#include <string_view>
#include <utility>
#include <vector>

namespace itpm::commands::args {

using T = ArgType;

inline ArgSpec arg(std::string_view name, T type, std::string_view hint, bool required) {
  ArgSpec a;
  a.name = name;
  a.type = type;
  a.hint = hint;
  a.required = required;
  return a;
}
inline ArgSpec req(std::string_view name, T type, std::string_view hint) {
  return arg(name, type, hint, true);
}
inline ArgSpec opt(std::string_view name, T type, std::string_view hint) {
  return arg(name, type, hint, false);
}
inline ArgSpec range(std::string_view name, std::int64_t lo, std::int64_t hi, bool required) {
  ArgSpec a = arg(name, T::integer, "", required);
  a.min = lo;
  a.max = hi;
  return a;
}
inline ArgSpec choice(std::string_view name, std::vector<std::string_view> choices, bool required) {
  ArgSpec a = arg(name, T::choice, "", required);
  a.choices = std::move(choices);
  return a;
}
inline ArgSpec sw(std::string_view name) {
  return arg(name, T::flag, "", false);
}
inline ArgSpec with_short(ArgSpec a, char s) {
  a.short_name = s;
  return a;
}

inline const ArgSpec program_flag = with_short(opt("program", T::program, "<key>"), 'p');
inline const ArgSpec required_program_flag = with_short(req("program", T::program, "<key>"), 'p');
inline const ArgSpec owner_flag = with_short(opt("owner", T::user, "@u"), 'o');
inline const ArgSpec share_flag = sw("share");
// How many a list shows: 1 to 100 (20 when not given).
inline const ArgSpec limit_flag = [] {
  ArgSpec a = opt("limit", T::integer, "N");
  a.min = 1;
  a.max = 100;
  return a;
}();

// Which --limit-sized page of a list to show: 1 to 1000 (1 when not given).
inline const ArgSpec page_flag = [] {
  ArgSpec a = opt("page", T::integer, "N");
  a.min = 1;
  a.max = 1000;
  return a;
}();

}  // namespace itpm::commands::args
