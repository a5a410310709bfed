#include "commands/language/parser.hpp"

#include "commands/language/suggest.hpp"
#include "commands/language/tokenizer.hpp"
#include "common/utf8.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>

namespace itpm::commands {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

template <typename Specs>
std::vector<std::string_view> names_of(const Specs& specs) {
  std::vector<std::string_view> out;
  for (const auto& s : specs) {
    if (s.name.empty()) continue;
    out.push_back(s.name);
    for (auto a : s.aliases) out.push_back(a);
  }
  return out;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates,
                         std::string_view prefix = "") {
  auto near = nearest(word, candidates);
  return near ? fmt::format(" Did you mean `{}{}`?", prefix, *near) : std::string();
}

// Shows a user's token safely inside our message.
std::string quoted(std::string_view s) {
  std::string shown(common::utf8::prefix(s, 60));
  if (shown.size() < s.size()) shown += "…";
  return "\"" + escape(unescape(shown)) + "\"";
}

// The people of a user list as typed: mentions separated by commas and/or spaces; nullopt if
// any piece is not a user mention (or there is none).
std::optional<std::vector<SlackRef>> user_list(std::string_view text) {
  std::vector<SlackRef> refs;
  std::size_t at = 0;
  while (at < text.size()) {
    if (text[at] == ',' || text[at] == ' ') {
      ++at;
      continue;
    }
    auto end = text.find_first_of(", ", at);
    if (end == std::string_view::npos) end = text.size();
    auto ref = parse_ref(text.substr(at, end - at));
    if (!ref || ref->kind != SlackRef::Kind::user) return std::nullopt;
    refs.push_back(std::move(*ref));
    at = end;
  }
  if (refs.empty()) return std::nullopt;
  return refs;
}

ParsedValue make_value(const Token& t) {
  ParsedValue v;
  v.column = t.column;
  v.raw = t.text;
  if (!t.quoted) v.ref = parse_ref(t.text);
  v.text = v.ref ? v.ref->label : text_from_slack(t.text);
  return v;
}

const ArgSpec* find_flag(const VerbSpec& verb, std::string_view name) {
  for (const auto& f : verb.flags) {
    if (lower(f.name) == lower(name)) return &f;
  }
  return nullptr;
}

const ArgSpec* find_short(const VerbSpec& verb, char c) {
  for (const auto& f : verb.flags) {
    if (f.short_name == c) return &f;
  }
  return nullptr;
}

std::string describe(const ArgSpec& spec, bool is_flag) {
  return is_flag ? "--" + std::string(spec.name) : "<" + std::string(spec.name) + ">";
}

}  // namespace

std::string check_value(const ArgSpec& spec, ParsedValue& value, bool is_flag) {
  std::string what = describe(spec, is_flag);
  switch (spec.type) {
    case ArgType::integer: {
      std::string digits = value.text;
      digits.erase(std::remove(digits.begin(), digits.end(), ','), digits.end());
      long long n = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
      if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty()) {
        return fmt::format("{} must be a whole number (got {}).", what, quoted(value.text));
      }
      if (spec.max > spec.min && (n < spec.min || n > spec.max)) {
        if (spec.max == any_integer && n < spec.min)
          return fmt::format("{} must be at least {} (got {}).", what, spec.min, n);
        return fmt::format("{} must be {}–{} (got {}).", what, spec.min, spec.max, n);
      }
      if (spec.max <= spec.min && (n < -any_integer || n > any_integer)) {
        return fmt::format("{} must be at most {} either way (got {}).", what, any_integer, n);
      }
      value.text = std::to_string(n);
      return "";
    }
    case ArgType::choice: {
      for (auto c : spec.choices) {
        if (lower(c) == lower(value.text)) {
          value.text = std::string(c);
          return "";
        }
      }
      std::string all;
      for (auto c : spec.choices) all += (all.empty() ? "" : ", ") + std::string(c);
      return fmt::format("{} must be one of {} (got {}).{}", what, all, quoted(value.text),
                         did_you_mean(value.text, spec.choices));
    }
    case ArgType::user:
      if (value.ref && value.ref->kind == SlackRef::Kind::user) return "";
      return fmt::format("{} takes a person as an @mention (got {}).", what, quoted(value.text));
    case ArgType::channel:
      if (value.ref && value.ref->kind == SlackRef::Kind::channel) return "";
      return fmt::format("{} takes a channel as a #mention (got {}).", what, quoted(value.text));
    case ArgType::users:
      if (auto refs = user_list(value.raw)) {
        value.refs = std::move(*refs);
        return "";
      }
      return fmt::format("{} takes people as @mentions separated by commas (got {}).", what,
                         quoted(value.raw));
    case ArgType::user_or_channel:
      if (value.ref &&
          (value.ref->kind == SlackRef::Kind::user || value.ref->kind == SlackRef::Kind::channel)) {
        return "";
      }
      return fmt::format("{} takes an @person or a #channel (got {}).", what, quoted(value.text));
    default:
      if (value.ref && value.ref->kind == SlackRef::Kind::special) {
        return fmt::format("{} cannot be {}.", what, quoted("<!" + value.ref->id + ">"));
      }
      return "";
  }
}

namespace {

const ArgSpec* declared_in(const std::vector<ArgSpec>& specs, std::string_view name) {
  auto it = std::find_if(specs.begin(), specs.end(),
                         [&](const ArgSpec& spec) { return spec.name == name; });
  return it == specs.end() ? nullptr : &*it;
}

}  // namespace

const ParsedValue* ParsedCommand::given(std::string_view name, ArgType type) const {
  const ArgSpec* spec = nullptr;
  const std::map<std::string, ParsedValue, std::less<>>* values = nullptr;
  if (verb != nullptr) {
    if ((spec = declared_in(verb->positionals, name)) != nullptr) {
      values = &positionals;
    } else if ((spec = declared_in(verb->flags, name)) != nullptr) {
      values = &flags;
    } else {
      throw std::logic_error("the handler reads " + std::string(name) + ", which `" +
                             std::string(area->name) + " " + std::string(verb->name) +
                             "` does not declare");
    }
    if (spec->type != type)
      throw std::logic_error("the handler reads " + std::string(name) + " of `" +
                             std::string(area->name) + " " + std::string(verb->name) +
                             "` as another type than it is declared");
  }
  if (values == nullptr) values = positionals.contains(name) ? &positionals : &flags;
  auto it = values->find(name);
  return it == values->end() ? nullptr : &it->second;
}

std::int64_t ParsedCommand::integer_of(const ParsedValue& value) {
  std::int64_t n = 0;
  const char* end = value.text.data() + value.text.size();
  auto [ptr, ec] = std::from_chars(value.text.data(), end, n);
  if (ec != std::errc() || ptr != end)
    throw std::logic_error("an integer argument the parser let through: " + value.text);
  return n;
}

std::variant<ParsedCommand, ParseError> parse(std::string_view text, const Grammar& grammar) {
  auto tokenized = tokenize(text);
  if (auto* err = std::get_if<TokenizeError>(&tokenized)) return ParseError{err->message, ""};
  auto& tokens = std::get<std::vector<Token>>(tokenized);

  ParsedCommand cmd;
  cmd.grammar = &grammar;
  std::size_t next = 0;
  if (tokens.empty()) {
    cmd.area = find_area(grammar, "help");
    cmd.verb = &cmd.area->verbs.front();
    return cmd;
  }
  cmd.area = tokens[0].quoted ? nullptr : find_area(grammar, tokens[0].text);
  if (cmd.area == nullptr) {
    return ParseError{fmt::format("Unknown area {}.{} Try: /itpm help", quoted(tokens[0].text),
                                  did_you_mean(tokens[0].text, names_of(grammar))),
                      ""};
  }
  next = 1;
  const AreaSpec& area = *cmd.area;
  // An area whose first verb has no name (`status`, `kpi`) runs it unless a named verb follows
  // (`kpi availability`).
  bool bare = area.verbs.front().name.empty();
  if (next < tokens.size() && (cmd.verb = find_verb(area, tokens[next].text)) != nullptr) {
    ++next;
  } else if (bare) {
    cmd.verb = &area.verbs.front();
  } else if (next >= tokens.size() || tokens[next].text.starts_with("-")) {
    cmd.verb = area.default_verb.empty() ? nullptr : find_verb(area, area.default_verb);
    if (cmd.verb == nullptr) {
      return ParseError{
          fmt::format("`/itpm {}` needs a verb. Try: /itpm help {}", area.name, area.name), ""};
    }
  } else {
    return ParseError{
        fmt::format(
            "Unknown {} verb {}.{} Try: /itpm help {}", area.name, quoted(tokens[next].text),
            did_you_mean(tokens[next].text, names_of(area.verbs), std::string(area.name) + " "),
            area.name),
        ""};
  }
  const VerbSpec& verb = *cmd.verb;
  auto fail = [&](std::string message) {
    if (mutates(verb)) message += " Nothing was saved.";
    return ParseError{std::move(message), usage(area, verb)};
  };

  std::size_t positional_index = 0;
  for (; next < tokens.size(); ++next) {
    const Token& tok = tokens[next];
    bool looks_like_flag = !tok.quoted && tok.text.size() >= 2 && tok.text[0] == '-' &&
                           !std::isdigit(static_cast<unsigned char>(tok.text[1]));
    if (looks_like_flag) {
      const ArgSpec* spec = nullptr;
      std::string name;
      std::optional<ParsedValue> inline_value;
      if (tok.text.starts_with("--")) {
        std::string_view body = std::string_view(tok.text).substr(2);
        if (auto eq = body.find('='); eq != std::string_view::npos) {
          Token value_token{std::string(body.substr(eq + 1)), tok.column + 3 + eq, tok.quoted};
          inline_value = make_value(value_token);
          body = body.substr(0, eq);
        }
        name = std::string(body);
        spec = find_flag(verb, name);
      } else if (tok.text.size() == 2) {
        name = tok.text.substr(1);
        spec = find_short(verb, tok.text[1]);
      } else {
        name = tok.text.substr(1);
      }
      if (spec == nullptr) {
        std::vector<std::string_view> flag_names;
        for (const auto& f : verb.flags) flag_names.push_back(f.name);
        return fail(fmt::format("Unknown flag {}{} for `/itpm {}{}`.{}",
                                tok.text.starts_with("--") ? "--" : "-",
                                escape(common::utf8::prefix(name, 40)), area.name,
                                verb.name.empty() ? "" : " " + std::string(verb.name),
                                did_you_mean(name, flag_names, "--")));
      }
      std::string flag_name(spec->name);
      if (cmd.flags.contains(flag_name) && !spec->repeatable) {
        return fail(fmt::format("--{} was given twice; give it once.", flag_name));
      }
      ParsedValue value;
      if (spec->type == ArgType::flag) {
        if (inline_value) return fail(fmt::format("--{} takes no value.", flag_name));
        value.column = tok.column;
      } else if (inline_value) {
        value = *inline_value;
      } else {
        if (next + 1 >= tokens.size()) {
          return fail(
              fmt::format("--{} needs a value ({}).", flag_name,
                          spec->hint.empty() ? describe(*spec, false) : std::string(spec->hint)));
        }
        value = make_value(tokens[++next]);
      }
      // `--decided-by @carol, @alice`: the people after the first belong to the same list.
      while (spec->type == ArgType::users && next + 1 < tokens.size() && !tokens[next + 1].quoted &&
             user_list(tokens[next + 1].text)) {
        value.raw += "," + tokens[++next].text;
      }
      if (spec->type != ArgType::flag) {
        if (auto err = check_value(*spec, value, true); !err.empty()) return fail(err);
      }
      cmd.flags[flag_name] = std::move(value);
      continue;
    }
    if (positional_index >= verb.positionals.size()) {
      return fail(fmt::format("Unexpected {} at column {}. (Quote text that has spaces.)",
                              quoted(tok.text), tok.column));
    }
    ParsedValue value = make_value(tok);
    const ArgSpec* spec = &verb.positionals[positional_index];
    if (spec->type == ArgType::words) {
      auto [it, fresh] = cmd.positionals.try_emplace(std::string(spec->name), value);
      if (!fresh) it->second.text += " " + value.text;
      continue;
    }
    // An optional choice that does not match gives its place to the next positional when
    // nothing follows it (`status dr-2027 "summary"` has no color); followed by more words
    // (`status dr-2027 purple "x"`), it was meant as the choice and is checked as one.
    bool last_word = true;
    for (std::size_t k = next + 1; k < tokens.size(); ++k) {
      if (!tokens[k].quoted && tokens[k].text.starts_with('-') && tokens[k].text.size() > 1)
        continue;  // a flag, not a positional
      last_word = false;
      break;
    }
    if (spec->type == ArgType::choice && !spec->required && last_word &&
        positional_index + 1 < verb.positionals.size()) {
      ParsedValue probe = value;
      if (!check_value(*spec, probe, false).empty()) spec = &verb.positionals[++positional_index];
    }
    ++positional_index;
    if (auto err = check_value(*spec, value, false); !err.empty()) return fail(err);
    cmd.positionals[std::string(spec->name)] = std::move(value);
  }
  for (const auto& p : verb.positionals) {
    if (p.required && !cmd.positionals.contains(std::string(p.name))) {
      return fail(
          fmt::format("Missing {}.", p.hint.empty() ? describe(p, false) : std::string(p.hint)));
    }
  }
  for (const auto& f : verb.flags) {
    if (f.required && !cmd.flags.contains(std::string(f.name))) {
      return fail(fmt::format("Missing --{}.", f.name));
    }
  }
  return cmd;
}

}  // namespace itpm::commands
