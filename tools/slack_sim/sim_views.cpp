// The simulator's views: views.open, views.update and views.publish with Slack's limits on
// views, a person filling in and submitting a modal (view_submission), message shortcuts and
// the App Home tab (app_home_opened), and how a terminal shows them.
#include "tools/slack_sim/sim_core.hpp"

#include <fmt/format.h>

namespace itpm::sim {
namespace {

using nlohmann::json;

std::string text_at(const json& j, const char* pointer) {
  auto p = json::json_pointer(pointer);
  return j.contains(p) && j.at(p).is_string() ? j.at(p).get<std::string>() : std::string();
}

std::size_t chars(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0U) != 0x80U ? 1 : 0;
  return n;
}

// What Slack would refuse in `view` (its documented limits), or "".
std::string view_problem(const json& view, const std::string& type) {
  if (!view.is_object() || view.value("type", "") != type) return "view type must be " + type;
  const json& blocks = view.value("blocks", json());
  if (!blocks.is_array()) return "blocks must be an array";
  if (blocks.size() > 100) return "no more than 100 blocks";
  if (type == "modal") {
    std::string title = text_at(view, "/title/text");
    if (title.empty() || chars(title) > 24) return "title must be 1-24 characters";
    if (chars(view.value("private_metadata", "")) > 3000) return "private_metadata over 3000";
    if (chars(view.value("callback_id", "")) > 255) return "callback_id over 255";
  }
  bool inputs = false;
  for (const auto& block : blocks) {
    if (block.value("type", "") != "input") continue;
    inputs = true;
    std::string label = text_at(block, "/label/text");
    if (label.empty() || chars(label) > 2000) return "an input needs a label of 1-2000 characters";
    const json& element = block.value("element", json::object());
    if (auto options = element.find("options"); options != element.end()) {
      if (!options->is_array() || options->empty() || options->size() > 100)
        return "a menu holds 1-100 options";
      for (const auto& o : *options) {
        if (chars(text_at(o, "/text/text")) > 75)
          return "an option's text is at most 75 characters";
      }
    }
  }
  if (type == "modal" && inputs && text_at(view, "/submit/text").empty())
    return "a modal with inputs needs a submit button";
  return "";
}

// One line per block, as a terminal shows a view.
std::vector<std::string> view_lines(const json& view) {
  std::vector<std::string> lines;
  for (const auto& block : view.value("blocks", json::array())) {
    std::string type = block.value("type", "");
    if (type == "section" || type == "header") {
      lines.push_back("  " + text_at(block, "/text/text"));
    } else if (type == "context") {
      for (const auto& e : block.value("elements", json::array()))
        lines.push_back("  (" + e.value("text", "") + ")");
    } else if (type == "input") {
      const json& e = block.value("element", json::object());
      std::string what = e.value("type", "");
      if (e.contains("options")) {
        what = "one of";
        for (const auto& o : e["options"]) what += " " + o.value("value", "");
      }
      std::string initial = text_at(e, "/initial_option/value");
      for (const char* key : {"initial_value", "initial_date", "initial_user"}) {
        if (initial.empty()) initial = e.value(key, "");
      }
      if (e.contains("initial_user")) initial = "<@" + initial + ">";
      lines.push_back(fmt::format("  {}{} = {} [{}]{}", block.value("block_id", ""),
                                  block.value("optional", false) ? "" : "*",
                                  initial.empty() ? "…" : initial, what,
                                  "  — " + text_at(block, "/label/text")));
    } else if (type == "actions") {
      std::string buttons;
      for (const auto& e : block.value("elements", json::array()))
        buttons += " [" + text_at(e, "/text/text") + "]";
      lines.push_back("  buttons:" + buttons);
    } else if (type == "divider") {
      lines.emplace_back("  ---");
    }
  }
  return lines;
}

// The state Slack sends for an input `block` given `typed` (or its initial value).
json input_state(const json& block, const std::string& typed) {
  const json& e = block.value("element", json::object());
  std::string type = e.value("type", "");
  json state = {{"type", type}};
  bool given = !typed.empty();
  if (type == "static_select") {
    json chosen = e.value("initial_option", json());
    if (given) {
      chosen = json();
      for (const auto& o : e.value("options", json::array())) {
        if (o.value("value", "") == typed) chosen = o;
      }
    }
    state["selected_option"] = chosen;
  } else if (type == "users_select") {
    state["selected_user"] = given ? json(typed) : e.value("initial_user", json());
  } else if (type == "multi_users_select") {
    json users = e.value("initial_users", json::array());
    if (given) {
      users = json::array();
      std::size_t at = 0;
      while (at <= typed.size()) {
        auto comma = typed.find(',', at);
        std::string one = typed.substr(at, comma == std::string::npos ? comma : comma - at);
        if (!one.empty()) users.push_back(one);
        if (comma == std::string::npos) break;
        at = comma + 1;
      }
    }
    state["selected_users"] = users;
  } else if (type == "datepicker") {
    state["selected_date"] = given ? json(typed) : e.value("initial_date", json());
  } else if (type == "channels_select") {
    state["selected_channel"] = given ? json(typed) : e.value("initial_channel", json());
  } else if (type == "checkboxes") {
    state["selected_options"] =
        given && typed != "no" ? e.value("options", json::array()) : json::array();
  } else {
    state["value"] = given ? json(typed) : e.value("initial_value", json());
  }
  return state;
}

}  // namespace

std::optional<HttpAnswer> SlackSim::Core::views_api(const std::string& method, const json& args,
                                                    const std::function<HttpAnswer(json)>& ok) {
  auto refuse = [](const std::string& error, const std::string& why) {
    HttpAnswer a;
    a.body = json{{"ok", false},
                  {"error", error},
                  {"response_metadata", {{"messages", {"[ERROR] " + why}}}}}
                 .dump();
    return a;
  };
  json view = args.value("view", json());
  if (view.is_string()) view = json::parse(view.get<std::string>(), nullptr, false);
  if (method == "views.publish") {
    std::string user = args.value("user_id", "");
    if (user.empty() || user[0] != 'U') return refuse("invalid_arguments", "user_id is required");
    if (auto why = view_problem(view, "home"); !why.empty())
      return refuse("invalid_arguments", why);
    view["id"] = "VH" + user.substr(1);
    homes[user] = view;
    output("itpm published the home tab of @" + user_name(user) + ":");
    for (const auto& line : view_lines(view)) output(line);
    state.update([&](Snapshot& s) { s.homes[user] = view; });
    return ok({{"view", view}});
  }
  if (method != "views.open" && method != "views.update") return std::nullopt;
  if (auto why = view_problem(view, "modal"); !why.empty()) return refuse("invalid_arguments", why);
  std::string user;
  if (method == "views.open") {
    std::string trigger = args.value("trigger_id", "");
    auto it = triggers.find(trigger);
    if (it == triggers.end()) return refuse("invalid_trigger_id", "no such trigger");
    bool expired = Clock::now() - it->second > std::chrono::seconds(3);
    triggers.erase(it);
    user = trigger_users[trigger];
    trigger_users.erase(trigger);
    if (expired) return refuse("expired_trigger_id", "the trigger is older than 3 s");
    view["id"] = fmt::format("V0{:08}", ++ts_seq);
  } else {
    std::string id = args.value("view_id", "");
    for (const auto& [who, open] : open_views) {
      if (open.value("id", "") == id) user = who;
    }
    if (user.empty()) return refuse("not_found", "no open view has that id");
    view["id"] = id;
  }
  open_views[user] = view;
  if (method == "views.open") typed_values.erase(user);
  output(fmt::format("itpm opened a form for @{}: “{}”", user_name(user),
                     text_at(view, "/title/text")));
  for (const auto& line : view_lines(view)) output(line);
  output("  (fill it in with :submit name=value …; a * marks a required field)");
  state.update([&](Snapshot& s) { s.views[user] = view; });
  return ok({{"view", view}});
}

std::optional<json> SlackSim::Core::submission_envelope(
    const std::string& user, const std::map<std::string, std::string>& typed,
    std::string& problem) {
  auto open = open_views.find(user);
  if (open == open_views.end()) {
    problem = "no form is open for this user";
    return std::nullopt;
  }
  for (const auto& [name, value] : typed) {
    bool known_field = false;
    for (const auto& block : open->second.value("blocks", json::array()))
      known_field = known_field || block.value("block_id", "") == name;
    if (!known_field) {
      problem = "the form has no field " + name;
      return std::nullopt;
    }
  }
  // Like Slack's client, the form keeps what was typed into it since it opened.
  auto& kept = typed_values[user];
  for (const auto& [name, value] : typed) kept[name] = value;
  json values = json::object();
  for (const auto& block : open->second.value("blocks", json::array())) {
    if (block.value("type", "") != "input") continue;
    std::string id = block.value("block_id", "");
    auto it = kept.find(id);
    json input = input_state(block, it == kept.end() ? "" : it->second);
    std::string action = block.value(json::json_pointer("/element/action_id"), std::string());
    values[id] = {{action, input}};
  }
  json view = open->second;
  view["state"] = {{"values", values}};
  std::string id = new_id();
  submitting[id] = user;
  return json{{"envelope_id", id},
              {"type", "interactive"},
              {"accepts_response_payload", true},
              {"payload",
               {{"type", "view_submission"},
                {"team", {{"id", "T0SIM0001"}, {"domain", "simulated"}}},
                {"user", {{"id", user}, {"username", user_name(user)}, {"team_id", team_of(user)}}},
                {"api_app_id", "A0SIM0001"},
                {"token", "deprecated-verification-token"},
                {"trigger_id", fmt::format("{}.{}.{}", ++ts_seq, 44, id.substr(0, 8))},
                {"view", std::move(view)},
                {"response_urls", json::array()}}}};
}

void SlackSim::Core::submission_acked(const std::string& envelope_id, const json& payload) {
  auto it = submitting.find(envelope_id);
  if (it == submitting.end()) return;
  std::string user = it->second;
  submitting.erase(it);
  if (payload.is_object() && payload.value("response_action", "") == "errors") {
    json errors = payload.value("errors", json::object());
    for (const auto& [field, error] : errors.items()) {
      output(fmt::format("form error at {}: {}", field,
                         error.is_string() ? error.get<std::string>() : error.dump()));
    }
    return;  // the form stays open
  }
  open_views.erase(user);
  typed_values.erase(user);
  state.update([&](Snapshot& s) { s.views.erase(user); });
  output("(form closed)");
}

std::optional<json> SlackSim::Core::shortcut_envelope(const MessageShortcut& use) {
  auto& messages = history[use.channel];
  if (messages.empty()) return std::nullopt;
  const json& message = messages.back();
  std::string id = new_id();
  std::string trigger = fmt::format("{}.{}.{}", ++ts_seq, 45, id.substr(0, 8));
  triggers[trigger] = Clock::now();
  trigger_users[trigger] = use.user;
  json shown = message;
  shown.erase("metadata");
  return json{
      {"envelope_id", id},
      {"type", "interactive"},
      {"accepts_response_payload", false},
      {"payload",
       {{"type", "message_action"},
        {"callback_id", use.callback_id},
        {"team", {{"id", "T0SIM0001"}, {"domain", "simulated"}}},
        {"user",
         {{"id", use.user}, {"username", user_name(use.user)}, {"team_id", team_of(use.user)}}},
        {"channel", {{"id", use.channel}, {"name", channel_name(use.channel)}}},
        {"api_app_id", "A0SIM0001"},
        {"token", "deprecated-verification-token"},
        {"trigger_id", trigger},
        {"message_ts", message.value("ts", "")},
        {"message", std::move(shown)},
        {"response_url",
         fmt::format("{}/actions/T0SIM0001/{}/{}", base_url(), ts_seq, id.substr(0, 8))}}}};
}

}  // namespace itpm::sim
