#include "commands/grammar.hpp"

#include <algorithm>
#include <cctype>

namespace itpm::commands {
namespace {

using T = ArgType;

ArgSpec arg(std::string_view name, T type, std::string_view hint, bool required) {
  ArgSpec a;
  a.name = name;
  a.type = type;
  a.hint = hint;
  a.required = required;
  return a;
}
ArgSpec req(std::string_view name, T type, std::string_view hint) {
  return arg(name, type, hint, true);
}
ArgSpec opt(std::string_view name, T type, std::string_view hint) {
  return arg(name, type, hint, false);
}
ArgSpec range(std::string_view name, int lo, int hi, bool required) {
  ArgSpec a = arg(name, T::integer, "", required);
  a.min = lo;
  a.max = hi;
  return a;
}
ArgSpec choice(std::string_view name, std::vector<std::string_view> choices, bool required) {
  ArgSpec a = arg(name, T::choice, "", required);
  a.choices = std::move(choices);
  return a;
}
ArgSpec sw(std::string_view name) {
  return arg(name, T::flag, "", false);
}
ArgSpec with_short(ArgSpec a, char s) {
  a.short_name = s;
  return a;
}

const ArgSpec program_flag = with_short(opt("program", T::program, "<key>"), 'p');
const ArgSpec required_program_flag = with_short(req("program", T::program, "<key>"), 'p');
const ArgSpec owner_flag = with_short(opt("owner", T::user, "@u"), 'o');
const ArgSpec share_flag = sw("share");
const ArgSpec limit_flag = opt("limit", T::integer, "N");

std::vector<AreaSpec> build() {
  std::vector<ArgSpec> program_fields = {
      owner_flag,
      opt("sponsor", T::user, "@u"),
      opt("channel", T::channel, "#c"),
      opt("start", T::date, "DATE"),
      opt("due", T::date, "DATE"),
      opt("budget", T::integer, "N"),
      opt("tags", T::list, "a,b"),
      opt("description", T::text, "\"...\""),
  };
  std::vector<ArgSpec> program_add_positionals = {req("key", T::program, "<key>"),
                                                  req("name", T::text, "\"<name>\"")};
  return {
      {"help",
       {"h", "?"},
       "Show commands, or the verbs of one area",
       "",
       {{"", {}, "Show commands, or the verbs of one area", {opt("area", T::text, "[area]")}, {}}}},
      {"program",
       {"prog", "p", "programs"},
       "Programs: the container for everything else",
       "list",
       {
           {"add", {"new", "create"}, "Create a program", program_add_positionals, program_fields},
           {"list", {"ls"}, "List open programs", {}, {sw("all"), share_flag}},
           {"show", {"get"}, "Show one program", {req("key", T::program, "<key>")}, {share_flag}},
           {"update",
            {"edit", "set"},
            "Change a program's fields",
            {req("key", T::program, "<key>")},
            program_fields},
           {"close",
            {"done"},
            "Close a program",
            {req("key", T::program, "<key>")},
            {opt("note", T::text, "\"...\"")}},
       }},
      {"risk",
       {"r", "risks"},
       "Risk register with scoring and an escalation ladder",
       "list",
       {
           {"add",
            {"new"},
            "Raise a risk",
            {req("title", T::text, "\"<title>\"")},
            {required_program_flag, with_short(range("likelihood", 1, 5, true), 'l'),
             with_short(range("impact", 1, 5, true), 'i'), owner_flag, opt("due", T::date, "DATE"),
             opt("mitigation", T::text, "\"...\"")}},
           {"list",
            {"ls"},
            "List risks, highest score first",
            {},
            {program_flag,
             choice("status", {"open", "mitigating", "escalated", "accepted", "closed", "all"},
                    false),
             range("min-score", 1, 25, false), owner_flag, limit_flag, share_flag}},
           {"show",
            {"get"},
            "Show a risk with its history",
            {req("id", T::item_id, "R-n")},
            {share_flag}},
           {"update",
            {"edit", "set"},
            "Change a risk",
            {req("id", T::item_id, "R-n")},
            {with_short(range("likelihood", 1, 5, false), 'l'),
             with_short(range("impact", 1, 5, false), 'i'), owner_flag, opt("due", T::date, "DATE"),
             opt("mitigation", T::text, "\"...\""),
             choice("status", {"mitigating", "accepted"}, false)}},
           {"ack",
            {"acknowledge"},
            "Acknowledge an escalation",
            {req("id", T::item_id, "R-n")},
            {}},
           {"escalate",
            {},
            "Escalate a risk by hand",
            {req("id", T::item_id, "R-n")},
            {opt("to", T::user_or_channel, "@u|#c"), req("reason", T::text, "\"...\"")}},
           {"close",
            {"done"},
            "Close a risk",
            {req("id", T::item_id, "R-n")},
            {opt("note", T::text, "\"...\"")}},
           {"heatmap",
            {"heat"},
            "Likelihood x impact grid of counts",
            {},
            {program_flag, share_flag}},
       }},
      {"decision",
       {"dec", "d", "decisions"},
       "The decision log",
       "list",
       {
           {"add",
            {"new", "record"},
            "Record a decision",
            {req("title", T::text, "\"<title>\"")},
            {required_program_flag, opt("decided-by", T::users, "@u,@v"),
             opt("context", T::text, "\"...\""), opt("alternatives", T::text, "\"...\""),
             opt("tags", T::list, "a,b"), opt("date", T::date, "DATE")}},
           {"list",
            {"ls"},
            "List decisions, newest first",
            {},
            {program_flag, opt("since", T::date, "DATE"), opt("until", T::date, "DATE"),
             opt("tag", T::text, "t"), opt("by", T::user, "@u"), limit_flag, share_flag}},
           {"search",
            {"find"},
            "Full-text search over decisions",
            {req("words", T::words, "<words ...>")},
            {program_flag, limit_flag, share_flag}},
           {"show", {"get"}, "Show one decision", {req("id", T::item_id, "D-n")}, {share_flag}},
           {"supersede",
            {},
            "Mark a decision superseded by a newer one",
            {req("id", T::item_id, "D-old")},
            {req("by", T::item_id, "D-new")}},
       }},
      {"review",
       {"rev", "reviews"},
       "The review cadence and agendas",
       "list",
       {
           {"schedule",
            {"add"},
            "Schedule a recurring review",
            {req("program", T::program, "<program>")},
            {req("every", T::text, "\"<spec>\""), opt("tz", T::text, "Area/City"),
             opt("channel", T::channel, "#c"), opt("remind", T::list, "1h[,10m]")}},
           {"list", {"ls"}, "List review cadences", {}, {program_flag, share_flag}},
           {"cancel", {}, "Cancel a cadence", {req("id", T::item_id, "V-n")}, {}},
           {"skip",
            {},
            "Skip the next or a given occurrence",
            {req("id", T::item_id, "V-n")},
            {opt("date", T::date, "DATE")}},
           {"now", {}, "Post the agenda now", {req("program", T::program, "<program>")}, {}},
           {"record",
            {},
            "Record a status update",
            {req("program", T::program, "<program>"), req("summary", T::text, "\"<summary>\"")},
            {choice("status", {"green", "amber", "red"}, true)}},
       }},
      {"status",
       {"st"},
       "Show or record program status",
       "",
       {{"",
         {},
         "Show the latest status, or record one",
         {opt("program", T::program, "[program]"),
          choice("color", {"green", "amber", "red"}, false),
          opt("summary", T::text, "[\"<summary>\"]")},
         {share_flag}}}},
      {"milestone",
       {"ms", "milestones"},
       "Milestones and their due dates",
       "list",
       {
           {"add",
            {"new"},
            "Add a milestone",
            {req("program", T::program, "<program>"), req("title", T::text, "\"<title>\"")},
            {req("due", T::date, "DATE"), owner_flag}},
           {"done",
            {"complete"},
            "Mark a milestone done",
            {req("id", T::item_id, "M-n")},
            {opt("date", T::date, "DATE")}},
           {"slip",
            {},
            "Move a milestone's due date",
            {req("id", T::item_id, "M-n")},
            {req("due", T::date, "DATE"), req("reason", T::text, "\"...\"")}},
           {"list", {"ls"}, "List milestones", {}, {program_flag, sw("overdue"), share_flag}},
       }},
      {"dep",
       {"dependency", "dependencies", "deps", "x"},
       "Cross-team dependencies",
       "list",
       {
           {"add",
            {"new"},
            "Add a dependency",
            {req("program", T::program, "<program>"), req("what", T::text, "\"<what>\"")},
            {req("on", T::target, "<program-key|@u|#c|\"team\">"),
             req("need-by", T::date, "DATE")}},
           {"resolve",
            {"done", "close"},
            "Resolve a dependency",
            {req("id", T::item_id, "X-n")},
            {}},
           {"list", {"ls"}, "List dependencies", {}, {program_flag, share_flag}},
       }},
      {"action",
       {"actions", "ca", "a"},
       "Corrective actions from incidents",
       "list",
       {
           {"add",
            {"new"},
            "Add a corrective action",
            {req("title", T::text, "\"<title>\"")},
            {choice("severity", {"S1", "S2", "S3", "S4"}, true), opt("incident", T::text, "REF"),
             owner_flag, program_flag}},
           {"done",
            {"complete", "close"},
            "Mark an action done",
            {req("id", T::item_id, "A-n")},
            {}},
           {"list", {"ls"}, "List corrective actions", {}, {sw("overdue"), owner_flag, share_flag}},
       }},
      {"staff",
       {"staffing"},
       "Staffing allocations",
       "list",
       {
           {"assign",
            {"set"},
            "Allocate a person to a program",
            {req("user", T::user, "@u"), req("program", T::program, "<program>"),
             range("percent", 0, 100, true)},
            {}},
           {"list",
            {"ls"},
            "List allocations, flagging anyone over 100%",
            {},
            {program_flag, opt("user", T::user, "@u"), share_flag}},
       }},
      {"survey",
       {"surveys"},
       "Stakeholder satisfaction polls",
       "results",
       {
           {"send",
            {"post"},
            "Post a 1-5 satisfaction poll",
            {req("program", T::program, "<program>")},
            {opt("channel", T::channel, "#c")}},
           {"results",
            {"show"},
            "Show poll results",
            {req("program", T::program, "<program>")},
            {share_flag}},
       }},
      {"report",
       {"rep"},
       "The status report",
       "",
       {{"",
         {},
         "Programs with status and what changed",
         {opt("program", T::program, "[program]")},
         {opt("since", T::date, "DATE"), share_flag}}}},
      {"kpi",
       {"kpis"},
       "Program KPIs for a quarter",
       "",
       {{"",
         {},
         "On-time completion, SLO attainment, satisfaction, escalations",
         {},
         {opt("quarter", T::text, "2026Q4"), share_flag}}}},
      {"audit",
       {"history"},
       "Every change to an item",
       "",
       {{"", {}, "Every change to an item: who, when, what", {req("id", T::item_id, "<id>")}, {}}}},
      {"config",
       {"cfg"},
       "Bot settings (admins)",
       "show",
       {
           {"show", {"get"}, "Show settings", {}, {}},
           {"set",
            {},
            "Change a setting",
            {req("key", T::text, "<key>"), req("value", T::text, "<value>")},
            {}},
       }},
      {"whoami",
       {"me"},
       "Who the bot thinks you are",
       "",
       {{"", {}, "Your user, channel and rights", {}, {}}}},
  };
}

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

const std::vector<AreaSpec>& grammar() {
  static const std::vector<AreaSpec> areas = build();
  return areas;
}

const AreaSpec* find_area(std::string_view word) {
  for (const auto& area : grammar()) {
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

bool mutates(const VerbSpec& verb) {
  static const std::vector<std::string_view> writers = {
      "add",  "update", "close", "ack",  "escalate", "supersede", "schedule", "cancel",
      "skip", "record", "done",  "slip", "resolve",  "assign",    "send",     "set"};
  return std::find(writers.begin(), writers.end(), verb.name) != writers.end();
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
