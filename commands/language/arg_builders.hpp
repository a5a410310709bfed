#pragma once
// Short builders for the argument specs of the areas' grammar tables.

#include "commands/language/arg_names.hpp"

#include <string_view>
#include <utility>
#include <vector>

namespace itpm::commands::args {

using T = ArgType;

template <ArgType Type>
ArgSpec declare(Arg<Type> a, std::string_view hint, bool required) {
  ArgSpec spec;
  spec.name = a.name;
  spec.type = Type;
  spec.hint = hint;
  spec.required = required;
  return spec;
}
template <ArgType Type>
ArgSpec req(Arg<Type> a, std::string_view hint) {
  return declare(a, hint, true);
}
template <ArgType Type>
ArgSpec opt(Arg<Type> a, std::string_view hint) {
  return declare(a, hint, false);
}
inline ArgSpec range(Arg<T::integer> a, std::int64_t lo, std::int64_t hi, bool required) {
  ArgSpec spec = declare(a, "", required);
  spec.min = lo;
  spec.max = hi;
  return spec;
}
inline ArgSpec choice(Arg<T::choice> a, std::vector<std::string_view> choices, bool required) {
  ArgSpec spec = declare(a, "", required);
  spec.choices = std::move(choices);
  return spec;
}
inline ArgSpec sw(Arg<T::flag> a) {
  return declare(a, "", false);
}
inline ArgSpec with_short(ArgSpec a, char s) {
  a.short_name = s;
  return a;
}

inline const ArgSpec program_flag = with_short(opt(arg::program, "<key>"), 'p');
inline const ArgSpec required_program_flag = with_short(req(arg::program, "<key>"), 'p');
inline const ArgSpec owner_flag = with_short(opt(arg::owner, "@u"), 'o');
inline const ArgSpec share_flag = sw(arg::share);
// A picture as well (a PNG chart): in the channel with --share, else in the caller's DM.
inline const ArgSpec image_flag = sw(arg::image);
// How many a list shows: 1 to 100 (20 when not given).
inline const ArgSpec limit_flag = [] {
  ArgSpec a = opt(arg::limit, "N");
  a.min = 1;
  a.max = 100;
  return a;
}();

// Which --limit-sized page of a list to show: 1 to 1000 (1 when not given).
inline const ArgSpec page_flag = [] {
  ArgSpec a = opt(arg::page, "N");
  a.min = 1;
  a.max = 1000;
  return a;
}();

}  // namespace itpm::commands::args
