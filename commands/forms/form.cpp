#include "commands/forms/form.hpp"

#include "commands/areas/handler_support.hpp"
#include "commands/language/tokenizer.hpp"
#include "commands/render/reply.hpp"
#include "commands/render/slack_text.hpp"
#include "common/utf8.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace itpm::commands {
namespace {

using nlohmann::json;

// The verbs with a form. `pinned` positionals are typed with the command and shown, not asked;
// `required` ones are optional in the grammar but asked for here.
struct FormSpec {
  std::string_view area;
  std::string_view verb;   // "" for an area that takes its arguments itself
  std::string_view title;  // at most 24 characters (Slack's limit)
  std::vector<std::string_view> pinned;
  std::vector<std::string_view> required;
};

const std::array<FormSpec, 5>& form_specs() {
  static const std::array<FormSpec, 5> specs = {{
      {"risk", "add", "Raise a risk", {}, {}},
      {"decision", "add", "Record a decision", {}, {}},
      {"milestone", "add", "Add a milestone", {}, {}},
      {"action", "add", "Add an action", {}, {}},
      {"review", "record", "Record status", {"program"}, {}},
  }};
  return specs;
}

const FormSpec* spec_of(const AreaSpec& area, const VerbSpec& verb) {
  for (const auto& s : form_specs()) {
    if (s.area == area.name && s.verb == verb.name) return &s;
  }
  return nullptr;
}

// The element's action_id in every input block (the block_id is the argument's name).
constexpr std::string_view value_action = "v";
// Flags a form never asks for: they shape a query's answer, not a change.
bool asked(const ArgSpec& spec) {
  return spec.name != "share" && spec.name != "limit" && spec.name != "page";
}
bool contains(const std::vector<std::string_view>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Fields in the order the form shows them: positionals (not pinned), then flags.
struct Field {
  const ArgSpec* spec;
  bool is_flag;
  bool required;
};
std::vector<Field> fields_of(const VerbSpec& verb, const FormSpec& form) {
  std::vector<Field> fields;
  for (const auto& p : verb.positionals) {
    if (!contains(form.pinned, p.name))
      fields.push_back({&p, false, p.required || contains(form.required, p.name)});
  }
  for (const auto& f : verb.flags) {
    if (asked(f)) fields.push_back({&f, true, f.required || contains(form.required, f.name)});
  }
  return fields;
}

json plain(std::string_view text) {
  return {{"type", "plain_text"}, {"text", std::string(text)}, {"emoji", true}};
}
json option(const std::string& text, const std::string& value) {
  return {{"text", plain(common::utf8::prefix(text, 75))}, {"value", value}};
}

std::string label_of(const ArgSpec& spec) {
  static const std::map<std::string_view, std::string_view> labels = {
      {"due", "Due date"},
      {"decided-by", "Decided by"},
      {"color", "Status"},
      {"incident", "Incident reference"},
      {"tags", "Tags (comma-separated)"},
      {"mitigation", "Mitigation plan"},
      {"alternatives", "Alternatives considered"}};
  if (auto it = labels.find(spec.name); it != labels.end()) return std::string(it->second);
  std::string label(spec.name);
  std::replace(label.begin(), label.end(), '-', ' ');
  label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
  if (spec.type == ArgType::integer && spec.max > spec.min)
    label += fmt::format(" ({}–{})", spec.min, spec.max);
  return label;
}

bool multiline(const ArgSpec& spec) {
  return spec.hint == "\"...\"" || spec.name == "summary";
}

// A static_select of `options`; `initial` selected when it is one of them.
json select(const json& options, const std::string& initial) {
  json element = {{"type", "static_select"}, {"options", options}};
  for (const auto& o : options) {
    if (o["value"] == initial) element["initial_option"] = o;
  }
  return element;
}

// The open programs (at most 100, the most a menu holds) and the one whose channel is
// `channel`; nullopt when there are more than a menu holds.
struct Programs {
  json options = json::array();
  std::string of_channel;
};
std::optional<Programs> program_options(const Context& ctx, const std::string& channel) {
  Programs out;
  bool too_many = false;
  ctx.repos.open_programs([&](std::string_view key) {
    if (out.options.size() == 100) {
      too_many = true;
      return false;
    }
    auto p = ctx.repos.find<storage::Program>(std::string(key));
    if (!p) return true;
    std::string text = p->name.empty() || p->name == p->key ? p->key : p->key + " — " + p->name;
    out.options.push_back(option(text, p->key));
    if (!channel.empty() && p->channel == channel && out.of_channel.empty())
      out.of_channel = p->key;
    return true;
  });
  if (too_many) return std::nullopt;
  return out;
}

json element_for(const ArgSpec& spec, const Context& ctx, const std::string& channel,
                 const std::string& initial) {
  json e;
  switch (spec.type) {
    case ArgType::integer:
      if (spec.max > spec.min && spec.max - spec.min < 10) {
        json options = json::array();
        for (auto n = spec.min; n <= spec.max; ++n)
          options.push_back(option(std::to_string(n), std::to_string(n)));
        e = select(options, initial);
      } else {
        e = {{"type", "number_input"}, {"is_decimal_allowed", false}};
        if (spec.max > spec.min) {
          e["min_value"] = std::to_string(spec.min);
          e["max_value"] = std::to_string(spec.max);
        }
        if (!initial.empty()) e["initial_value"] = initial;
      }
      break;
    case ArgType::choice: {
      json options = json::array();
      for (auto c : spec.choices) options.push_back(option(std::string(c), std::string(c)));
      e = select(options, initial);
      break;
    }
    case ArgType::date:
      e = {{"type", "datepicker"}};
      if (!initial.empty()) e["initial_date"] = initial;
      break;
    case ArgType::user:
      e = {{"type", "users_select"}};
      if (!initial.empty()) e["initial_user"] = initial;
      break;
    case ArgType::users:
      e = {{"type", "multi_users_select"}};
      if (!initial.empty()) e["initial_users"] = json::array({initial});
      break;
    case ArgType::channel:
      e = {{"type", "channels_select"}};
      if (!initial.empty()) e["initial_channel"] = initial;
      break;
    case ArgType::flag:
      e = {{"type", "checkboxes"}, {"options", json::array({option(label_of(spec), "on")})}};
      break;
    case ArgType::program:
      if (auto programs = program_options(ctx, channel); programs && !programs->options.empty()) {
        e = select(programs->options, initial.empty() ? programs->of_channel : initial);
        break;
      }
      [[fallthrough]];
    default:
      e = {{"type", "plain_text_input"}};
      if (multiline(spec)) e["multiline"] = true;
      if (spec.type == ArgType::program) e["placeholder"] = plain("program key, like dr-2027");
      if (spec.type == ArgType::list) e["placeholder"] = plain("a, b, c");
      if (!initial.empty()) e["initial_value"] = std::string(common::utf8::prefix(initial, 3000));
      break;
  }
  e["action_id"] = std::string(value_action);
  return e;
}

// The string at `key` (or at `key`/`inner`) of `j`; "" when absent or not a string.
std::string string_at(const json& j, std::string_view key, std::string_view inner = {}) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  if (it == j.end()) return "";
  if (!inner.empty()) return string_at(*it, inner);
  return it->is_string() ? it->get<std::string>() : std::string();
}

// The submitted value of one input (empty when none), as Slack's view state holds it.
std::string submitted(const json& state, const ArgSpec& spec) {
  auto block = state.find(std::string(spec.name));
  if (block == state.end() || !block->is_object()) return "";
  auto input = block->find(std::string(value_action));
  if (input == block->end() || !input->is_object()) return "";
  auto text = [&](const char* key) {
    auto it = input->find(key);
    return it != input->end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (auto o = input->find("selected_option"); o != input->end() && o->is_object())
    return string_at(*o, "value");
  if (auto users = input->find("selected_users"); users != input->end() && users->is_array()) {
    std::string raw;
    for (const auto& u : *users) {
      if (u.is_string()) raw += (raw.empty() ? "" : ",") + ("<@" + u.get<std::string>() + ">");
    }
    return raw;
  }
  if (auto boxes = input->find("selected_options"); boxes != input->end() && boxes->is_array())
    return boxes->empty() ? "" : "on";
  for (const char* key : {"selected_user", "selected_channel"}) {
    std::string id = text(key);
    if (!id.empty()) return std::string(key[9] == 'u' ? "<@" : "<#") + id + ">";
  }
  for (const char* key : {"selected_date", "value"}) {
    std::string v = text(key);
    if (!v.empty()) return v;
  }
  return "";
}

std::string trimmed(std::string s) {
  auto first = s.find_first_not_of(" \t\n\r");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\n\r") - first + 1);
}

// A mistake's text as a field error shows it: plain text, one paragraph, not too long.
std::string plain_message(std::string_view mrkdwn) {
  std::string text = unescape(mrkdwn);
  std::erase_if(text, [](char c) { return c == '`' || c == '*'; });
  std::string shown(common::utf8::prefix(text, 300));
  return shown.size() < text.size() ? shown + "…" : shown;
}

}  // namespace

std::optional<FormRequest> form_request(std::string_view text, const Grammar& grammar) {
  // A form is asked for by a few plain words (a quote or a flag is a command): most commands
  // have more, and are told apart by counting them, without tokenizing.
  static const std::size_t most_words = [] {
    std::size_t most = 0;
    for (const auto& form : form_specs()) most = std::max(most, 2 + form.pinned.size());
    return most;
  }();
  // Split where the tokenizer splits too (it also splits at Unicode spaces: never more words).
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  std::size_t words = 0;
  for (std::size_t i = 0; i < text.size();) {
    while (i < text.size() && space(text[i])) ++i;
    if (i == text.size()) break;
    if (++words > most_words) return std::nullopt;
    while (i < text.size() && !space(text[i])) ++i;
  }
  auto tokenized = tokenize(text);
  auto* tokens = std::get_if<std::vector<Token>>(&tokenized);
  if (tokens == nullptr || tokens->empty() || tokens->front().quoted) return std::nullopt;
  const AreaSpec* area = find_area(grammar, tokens->front().text);
  if (area == nullptr) return std::nullopt;
  for (const auto& form : form_specs()) {
    if (form.area != area->name) continue;
    std::size_t next = 1;
    const VerbSpec* verb = nullptr;
    if (form.verb.empty()) {
      verb = &area->verbs.front();
    } else if (tokens->size() > 1 && !(*tokens)[1].quoted) {
      verb = find_verb(*area, (*tokens)[1].text);
      next = 2;
    }
    if (verb == nullptr || verb->name != form.verb || tokens->size() != next + form.pinned.size())
      continue;
    FormRequest request{area, verb, {}};
    for (auto name : form.pinned) {
      const Token& t = (*tokens)[next++];
      if (t.quoted || t.text.starts_with("-")) return std::nullopt;
      request.pinned[std::string(name)] = t.text;
    }
    return request;
  }
  return std::nullopt;
}

std::optional<FormRequest> form_named(std::string_view verb_path, const Grammar& grammar) {
  auto request = form_request(verb_path, grammar);
  if (!request || !request->pinned.empty()) return std::nullopt;
  return request;
}

Prefill shortcut_prefill(std::string_view verb_path, std::string_view message_text,
                         const std::string& author, const std::string& link) {
  std::string text = unescape(text_from_slack(message_text));
  std::string first = trimmed(text.substr(0, text.find('\n')));
  Prefill out;
  std::string title(common::utf8::prefix(first, 150));
  out["title"] = title.size() < first.size() ? title + "…" : title;
  std::string from = link.empty() ? "" : "From " + link;
  if (verb_path == "decision add") {
    if (!author.empty()) out["decided-by"] = author;
    out["context"] = trimmed(text + "\n\n" + from);
  } else {
    if (!author.empty()) out["owner"] = author;
    if (!from.empty()) out["mitigation"] = from;
  }
  return out;
}

json form_view(const FormRequest& request, const Context& ctx, const std::string& channel,
               const Prefill& prefill) {
  const FormSpec& form = *spec_of(*request.area, *request.verb);
  json blocks = json::array();
  std::string path(request.area->name);
  if (!request.verb->name.empty()) path += " " + std::string(request.verb->name);
  for (const auto& [name, value] : request.pinned) {
    path += " " + value;
    if (name == "program") {
      auto program = ctx.repos.find<storage::Program>(text_from_slack(value));
      std::string now = "No status recorded yet.";
      if (program) {
        auto latest = ctx.repos.status_updates(program->key, 1);
        if (!latest.empty()) {
          now = fmt::format("Now {} — “{}” ({}, {})", latest.front().status,
                            shown_text(latest.front().summary, 200),
                            user_mention(latest.front().by), ago(latest.front().at, ctx.now));
        }
      }
      blocks.push_back(section(fmt::format("*{}*\n{}", escape(text_from_slack(value)), now)));
    }
  }
  for (const auto& field : fields_of(*request.verb, form)) {
    std::string name(field.spec->name);
    auto given = prefill.find(name);
    std::string initial = given == prefill.end() ? "" : given->second;
    json block = {{"type", "input"},
                  {"block_id", name},
                  {"label", plain(label_of(*field.spec))},
                  {"optional", !field.required},
                  {"element", element_for(*field.spec, ctx, channel, initial)}};
    blocks.push_back(std::move(block));
  }
  blocks.push_back(
      context_line(fmt::format("The same as `/itpm {}` with its flags: {}", escape(path),
                               escape(usage(*request.area, *request.verb)))));
  json metadata = {{"area", request.area->name},
                   {"verb", request.verb->name},
                   {"channel", channel},
                   {"pinned", request.pinned}};
  return {{"type", "modal"},
          {"callback_id", std::string(form_callback_id)},
          {"title", plain(form.title)},
          {"submit", plain("Save")},
          {"close", plain("Cancel")},
          {"private_metadata", metadata.dump()},
          {"blocks", std::move(blocks)}};
}

std::optional<FormSubmission> read_form(const json& view, const Grammar& grammar) {
  if (string_at(view, "callback_id") != form_callback_id) return std::nullopt;
  auto metadata = json::parse(string_at(view, "private_metadata"), nullptr, false);
  if (!metadata.is_object()) return std::nullopt;
  const AreaSpec* area = find_area(grammar, string_at(metadata, "area"));
  if (area == nullptr) return std::nullopt;
  std::string verb_name = string_at(metadata, "verb");
  const VerbSpec* verb = verb_name.empty() ? &area->verbs.front() : find_verb(*area, verb_name);
  if (verb == nullptr || verb->name != verb_name || spec_of(*area, *verb) == nullptr)
    return std::nullopt;
  std::optional<FormRequest> request = FormRequest{area, verb, {}};
  for (auto name : spec_of(*area, *verb)->pinned) {
    std::string value = string_at(metadata, "pinned", name);
    if (value.empty()) return std::nullopt;
    request->pinned[std::string(name)] = value;
  }
  const FormSpec& form = *spec_of(*request->area, *request->verb);
  FormSubmission out;
  out.channel = string_at(metadata, "channel");
  bool channel_id = out.channel.size() >= 2 &&
                    std::string_view("CGD").find(out.channel[0]) != std::string_view::npos;
  for (char c : out.channel) {
    channel_id = channel_id && (std::isupper(static_cast<unsigned char>(c)) != 0 ||
                                std::isdigit(static_cast<unsigned char>(c)) != 0);
  }
  if (!channel_id) out.channel.clear();
  out.cmd.grammar = &grammar;
  out.cmd.area = request->area;
  out.cmd.verb = request->verb;
  for (const auto& [name, value] : request->pinned) {
    ParsedValue v;
    v.raw = value;
    v.text = text_from_slack(value);
    out.cmd.positionals[name] = std::move(v);
  }
  json state = json::object();
  if (auto it = view.find("state"); it != view.end() && it->is_object()) {
    if (auto values = it->find("values"); values != it->end() && values->is_object())
      state = *values;
  }
  for (const auto& field : fields_of(*request->verb, form)) {
    const ArgSpec& spec = *field.spec;
    std::string name(spec.name);
    std::string value = trimmed(submitted(state, spec));
    if (value.empty()) {
      if (field.required) out.errors[name] = "Required.";
      continue;
    }
    ParsedValue v;
    bool reference =
        spec.type == ArgType::user || spec.type == ArgType::users || spec.type == ArgType::channel;
    // As if typed: Slack escapes what a person types, and stored text keeps only the
    // references a person made with a picker.
    v.raw = reference ? value : escape(value);
    if (reference) v.ref = parse_ref(value);
    v.text = v.ref ? v.ref->label : text_from_slack(v.raw);
    if (spec.type == ArgType::flag) v = ParsedValue{};
    if (auto error = check_value(spec, v, field.is_flag); !error.empty()) {
      out.errors[name] = plain_message(error);
      continue;
    }
    (field.is_flag ? out.cmd.flags : out.cmd.positionals)[name] = std::move(v);
  }
  return out;
}

std::map<std::string, std::string> field_errors(const FormSubmission& submission,
                                                const Reply& reply) {
  std::string message = reply.text.substr(0, reply.text.find('\n'));
  if (!reply.blocks.empty()) {
    message = reply.blocks.front().value(json::json_pointer("/text/text"), message);
  }
  const FormSpec& form = *spec_of(*submission.cmd.area, *submission.cmd.verb);
  auto fields = fields_of(*submission.cmd.verb, form);
  if (fields.empty()) return {};
  // The field the message names: as a flag or positional first, else by its bare name.
  std::string lower = " " + message;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto at = [&](const std::string& needle) {
    auto pos = lower.find(needle);
    return pos == std::string::npos ? lower.size() : pos;
  };
  const Field* best = nullptr;
  std::size_t best_at = lower.size();
  for (bool bare : {false, true}) {
    for (const auto& f : fields) {
      std::string name(f.spec->name);
      std::size_t pos =
          bare ? at(" " + name) : std::min(at("--" + name), at("&lt;" + name + "&gt;"));
      if (pos < best_at) {
        best_at = pos;
        best = &f;
      }
    }
    if (best != nullptr) break;
  }
  if (best == nullptr) best = &fields.front();
  return {{std::string(best->spec->name), plain_message(message)}};
}

}  // namespace itpm::commands
