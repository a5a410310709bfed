#pragma once
// Every positional and flag of `/itpm`, with its type: the grammar tables declare arguments
// with these and handlers read them back with ParsedCommand::get. One name may have two
// entries of different types (`--by` a person in `decision list`, a decision in `supersede`).

#include "commands/language/grammar.hpp"

namespace itpm::commands::arg {

using T = ArgType;

inline constexpr Arg<T::flag> all{"all"};
inline constexpr Arg<T::text> alternatives{"alternatives"};
inline constexpr Arg<T::text> availability{"percent"};  // `kpi availability record 99.95`
inline constexpr Arg<T::integer> amount{"amount"};
inline constexpr Arg<T::text> area{"area"};
inline constexpr Arg<T::integer> budget{"budget"};
inline constexpr Arg<T::user> by{"by"};
inline constexpr Arg<T::channel> channel{"channel"};
inline constexpr Arg<T::choice> color{"color"};
inline constexpr Arg<T::text> context{"context"};
inline constexpr Arg<T::date> date{"date"};
inline constexpr Arg<T::users> decided_by{"decided-by"};
inline constexpr Arg<T::user> delegate{"delegate"};
inline constexpr Arg<T::text> description{"description"};
inline constexpr Arg<T::flag> done{"done"};
inline constexpr Arg<T::date> due{"due"};
inline constexpr Arg<T::text> every{"every"};
inline constexpr Arg<T::date> from{"from"};
inline constexpr Arg<T::item_id> id{"id"};
inline constexpr Arg<T::flag> image{"image"};
inline constexpr Arg<T::integer> impact{"impact"};
inline constexpr Arg<T::text> incident{"incident"};
inline constexpr Arg<T::program> key{"key"};
inline constexpr Arg<T::integer> likelihood{"likelihood"};
inline constexpr Arg<T::integer> limit{"limit"};
inline constexpr Arg<T::integer> min_score{"min-score"};
inline constexpr Arg<T::text> mitigation{"mitigation"};
inline constexpr Arg<T::text> month{"month"};
inline constexpr Arg<T::text> name{"name"};
inline constexpr Arg<T::date> need_by{"need-by"};
inline constexpr Arg<T::text> note{"note"};
inline constexpr Arg<T::choice> operation{"operation"};
inline constexpr Arg<T::target> on{"on"};
inline constexpr Arg<T::choice> on_holiday{"on-holiday"};
inline constexpr Arg<T::flag> overdue{"overdue"};
inline constexpr Arg<T::user> owner{"owner"};
inline constexpr Arg<T::integer> page{"page"};
inline constexpr Arg<T::integer> percent{"percent"};
inline constexpr Arg<T::program> program{"program"};
inline constexpr Arg<T::text> quarter{"quarter"};
inline constexpr Arg<T::flag> refund{"refund"};
inline constexpr Arg<T::text> reason{"reason"};
inline constexpr Arg<T::list> remind{"remind"};
inline constexpr Arg<T::text> setting{"key"};  // `config set <key> <value>`
inline constexpr Arg<T::text> service{"service"};
inline constexpr Arg<T::choice> severity{"severity"};
inline constexpr Arg<T::flag> share{"share"};
inline constexpr Arg<T::date> since{"since"};
inline constexpr Arg<T::user> sponsor{"sponsor"};
inline constexpr Arg<T::date> start{"start"};
inline constexpr Arg<T::choice> status{"status"};
inline constexpr Arg<T::text> summary{"summary"};
inline constexpr Arg<T::item_id> superseded_by{"by"};  // `decision supersede D-old --by D-new`
inline constexpr Arg<T::text> tag{"tag"};
inline constexpr Arg<T::list> tags{"tags"};
inline constexpr Arg<T::text> title{"title"};
inline constexpr Arg<T::flag> trend{"trend"};
inline constexpr Arg<T::user_or_channel> to{"to"};
inline constexpr Arg<T::text> tz{"tz"};
inline constexpr Arg<T::date> until{"until"};
inline constexpr Arg<T::user> user{"user"};
inline constexpr Arg<T::text> value{"value"};
inline constexpr Arg<T::text> what{"what"};
inline constexpr Arg<T::words> words{"words"};
inline constexpr Arg<T::integer> year{"year"};

}  // namespace itpm::commands::arg
