#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace itpm::commands {

struct ParsedCommand;
struct Command;
struct Context;
struct Outcome;

// What runs a verb: a pure function of the parsed command, the raw command and the context.
using Handler = Outcome (*)(const ParsedCommand&, const Command&, const Context&);

// How a positional or flag value is read. The parser checks what it can without a store
// or a time zone (integers and ranges, choices); handlers resolve the rest.
enum class ArgType {
  text,
  integer,
  date,
  duration,
  user,             // @user
  users,            // @u,@v
  channel,          // #channel
  user_or_channel,  // @u or #c
  target,           // program key, @u, #c or "team name"
  program,          // program key
  item_id,          // R-12, D-7, ...
  choice,           // one of `choices`
  list,             // a,b,c
  words,            // the rest of the line (search terms)
  flag,             // a switch without a value
};

// The largest integer a flag without a declared range takes (either sign): room for any
// count, amount or budget, far from where arithmetic on it could overflow.
inline constexpr std::int64_t any_integer = 1'000'000'000'000'000;

// The name of a positional or flag together with its type. The grammar tables declare
// arguments with these (arg_names.hpp lists them all) and handlers read them back with
// ParsedCommand::get, which returns a value of that type: a misspelt name does not compile,
// and reading one a verb does not declare, or declares with another type, is a logic_error.
template <ArgType Type>
struct Arg {
  std::string_view name;
};

struct ArgSpec {
  std::string_view name;  // positional: shown as <name>; flag: without the leading --
  ArgType type = ArgType::text;
  std::string_view hint;  // how the value is shown in usage ("1-5", "@u", "DATE")
  bool required = false;
  std::vector<std::string_view> choices = {};
  // Integer range, when max > min; without one, at most `any_integer` either way.
  std::int64_t min = 0;
  std::int64_t max = 0;
  char short_name = 0;  // -x alias of a flag
  bool repeatable = false;
};

// What running a verb does with the store, which decides where and how the bot runs it.
enum class Access : std::uint8_t {
  reads,         // reads a few records (show, help, whoami): on the I/O thread
  writes,        // may change something: keeps a read set (a change made meanwhile is seen and
                 // the command runs again), and its errors say that nothing was saved
  reads_page,    // one page of a list, found through an index: on the I/O thread within a budget
                 // of rows read (storage::Store::ReadBudget), on the worker when it needs more
  reads_widely,  // reports, KPIs, histories, searches, agendas: on the worker, under a read view
};

struct VerbSpec {
  std::string_view name;  // empty: the area itself takes the arguments (`kpi`, `audit <id>`)
  std::vector<std::string_view> aliases;
  std::string_view summary;
  std::vector<ArgSpec> positionals;
  std::vector<ArgSpec> flags;
  Handler handler = nullptr;
  Access access = Access::reads;
};

struct AreaSpec {
  std::string_view name;
  std::vector<std::string_view> aliases;
  std::string_view summary;
  std::string_view default_verb;  // used when the verb is omitted
  std::vector<VerbSpec> verbs;
};

// A whole grammar: its areas in the order help lists them (command_table.hpp has `/itpm`'s).
using Grammar = std::vector<AreaSpec>;

// Finds an area or verb by name or alias, case-insensitively; nullptr when absent.
const AreaSpec* find_area(const Grammar& grammar, std::string_view word);
const VerbSpec* find_verb(const AreaSpec& area, std::string_view word);

// True for verbs that may change something (add, update, close, ...): their errors say that
// nothing was saved.
inline bool mutates(const VerbSpec& verb) {
  return verb.access == Access::writes;
}

// "/itpm risk add "<title>" --program <key> ... [--owner @u]", generated from the table.
std::string usage(const AreaSpec& area, const VerbSpec& verb);

}  // namespace itpm::commands
