// The simulator's Web API: apps.connections.open and the methods the bot uses, with Slack's
// token rules, content types, error codes and rate limits (slack-protocol.md §1, §5, §10).
#include "tools/slack_sim/sim_core.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>

namespace itpm::sim {

using nlohmann::json;

HttpAnswer slack_error(const std::string& error, int status) {
  HttpAnswer a;
  a.status = status;
  a.body = json{{"ok", false}, {"error", error}}.dump();
  return a;
}

namespace {

HttpAnswer slack_ok(json body) {
  body["ok"] = true;
  HttpAnswer a;
  a.body = body.dump();
  return a;
}

bool is_id(const std::string& s, std::string_view prefixes) {
  return s.size() >= 2 && prefixes.find(s[0]) != std::string_view::npos &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return std::isupper(static_cast<unsigned char>(c)) ||
                  std::isdigit(static_cast<unsigned char>(c));
         });
}

// What the app's manifest (deploy/manifest.yaml) grants the bot token.
const std::vector<std::string> manifest_scopes = {
    "commands",         "chat:write",     "chat:write.public", "channels:join",
    "im:write",         "im:history",     "users:read",        "app_mentions:read",
    "channels:history", "groups:history", "files:write"};

const std::set<std::string> write_methods = {
    "chat.postMessage",   "chat.postEphemeral", "chat.update",
    "conversations.open", "conversations.join", "views.open",
    "views.update",       "views.publish",      "files.completeUploadExternal"};

}  // namespace

std::string url_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() &&
               std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

json parse_form(std::string_view s) {
  json out = json::object();
  while (!s.empty()) {
    auto amp = s.find('&');
    std::string_view pair = s.substr(0, amp);
    auto eq = pair.find('=');
    if (!pair.empty()) {
      out[url_decode(pair.substr(0, eq))] =
          eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    s.remove_prefix(amp + 1);
  }
  return out;
}

std::string SlackSim::Core::user_name(const std::string& id) const {
  std::lock_guard lock(directory_mutex);
  for (const auto& [name, uid] : user_ids) {
    if (uid == id) return name;
  }
  return id;
}

std::string SlackSim::Core::channel_name(const std::string& id) const {
  std::lock_guard lock(directory_mutex);
  for (const auto& [name, cid] : channel_ids) {
    if (cid == id) return name;
  }
  return id;
}

std::string SlackSim::Core::user_id(const std::string& name) {
  std::lock_guard lock(directory_mutex);
  auto [it, fresh] = user_ids.try_emplace(name, fmt::format("U0X{:05}", user_ids.size() + 1));
  return it->second;
}

std::string SlackSim::Core::channel_id(const std::string& name) {
  std::lock_guard lock(directory_mutex);
  auto [it, fresh] = channel_ids.try_emplace(name, fmt::format("C0X{:05}", channel_ids.size() + 1));
  return it->second;
}

std::string SlackSim::Core::base_url() const {
  return fmt::format("{}://127.0.0.1:{}", options.tls ? "https" : "http", port);
}

std::string SlackSim::Core::new_id() {
  std::uint64_t n = ++id_seq;
  return fmt::format("{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}", 0x51ac0000U + (n >> 32U), n & 0xffffU,
                     (n >> 16U) & 0xfffU, n & 0xfffU, n * 2654435761ULL & 0xffffffffffffULL);
}

std::string SlackSim::Core::next_ts() {
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  return fmt::format("{}.{:06}", secs, ++ts_seq % 1000000);
}

void SlackSim::Core::output(const std::string& line) const {
  if (options.on_output) options.on_output(line);
}

bool SlackSim::Core::take_ticket(const std::string& target) {
  auto q = target.find("ticket=");
  if (q == std::string::npos) return false;
  std::string ticket =
      target.substr(q + 7, target.find('&', q) == std::string::npos ? std::string::npos
                                                                    : target.find('&', q) - q - 7);
  return tickets.erase(ticket) == 1;
}

HttpAnswer SlackSim::Core::handle_http(const HttpIn& in) {
  std::string path = in.target.substr(0, in.target.find('?'));
  std::string query =
      in.target.find('?') == std::string::npos ? "" : in.target.substr(in.target.find('?') + 1);
  auto now = Clock::now();

  if (path == "/health") {
    HttpAnswer a;
    a.content_type = "text/plain";
    a.body = "ok";
    return a;
  }
  if (path.starts_with("/commands/") || path.starts_with("/actions/")) {
    // response_url (of a slash command or an interaction): no token, JSON body, at most 5
    // uses (slack-protocol.md §5.6).
    json body = json::parse(in.body, nullptr, false);
    int uses = ++response_url_uses[path];
    ApiCall call{
        "response_url", body.is_discarded() ? json() : body, in.content_type, 200, "", now};
    HttpAnswer a;
    a.content_type = "text/plain";
    if (in.method != "POST" || body.is_discarded() || !body.is_object()) {
      call.status = a.status = 400;
      call.error = "invalid_payload";
      a.body = "invalid_payload";
    } else if (uses > 5) {
      call.status = a.status = 404;
      call.error = "used_url";
      a.body = "used_url";
    } else {
      a.body = "ok";
      std::string text = body.value("text", "");
      bool in_channel = body.value("response_type", "") == "in_channel";
      output(fmt::format("itpm{}> {}", in_channel ? "" : " (only you)", text));
    }
    state.update([&](Snapshot& s) { s.calls.push_back(call); });
    return a;
  }
  if (path.starts_with("/prometheus/")) return prometheus_api(in, path, query);
  if (path.starts_with("/upload/v1/")) return upload_bytes(in, path);
  if (!path.starts_with("/api/")) {
    HttpAnswer a;
    a.status = 404;
    a.content_type = "text/plain";
    a.body = "not found";
    return a;
  }
  std::string method = path.substr(5);
  json args = json::object();
  bool json_body = in.content_type.starts_with("application/json");
  if (json_body) {
    args = json::parse(in.body, nullptr, false);
  } else if (in.content_type.starts_with("application/x-www-form-urlencoded")) {
    args = parse_form(in.body);
  }
  json query_args = parse_form(query);
  for (auto& [k, v] : query_args.items()) {
    if (args.is_object()) args[k] = v;
  }
  ApiCall call{method, args.is_discarded() ? json() : args, in.content_type, 200, "", now};
  auto answer = [&](HttpAnswer a) {
    call.status = a.status;
    auto parsed = json::parse(a.body, nullptr, false);
    if (!parsed.is_discarded() && parsed.is_object() && !parsed.value("ok", true))
      call.error = parsed.value("error", "");
    state.update([&](Snapshot& s) { s.calls.push_back(call); });
    // The call took effect; its answer is lost on the way back (the connection drops).
    if (auto lost = lost_answers.find(method); lost != lost_answers.end() && lost->second > 0) {
      --lost->second;
      a.drop_connection = true;
    }
    return a;
  };

  std::string bearer = in.authorization.starts_with("Bearer ") ? in.authorization.substr(7) : "";
  if (method == "apps.connections.open") {
    if (in.method != "POST") return answer(slack_error("insecure_request"));
    if (args.is_object() && args.contains("token")) return answer(slack_error("invalid_auth"));
    if (bearer.empty()) return answer(slack_error("not_authed"));
    if (bearer.starts_with("xoxb-") || bearer.starts_with("xoxp-"))
      return answer(slack_error("not_allowed_token_type"));
    if (bearer != options.app_token) return answer(slack_error("invalid_auth"));
    if (open_error_times > 0) {
      --open_error_times;
      if (open_error == "ratelimited") {
        HttpAnswer a = slack_error("ratelimited", 429);
        a.retry_after = "1";
        return answer(a);
      }
      return answer(slack_error(open_error));
    }
    std::string ticket = new_id();
    tickets.insert(ticket);
    state.update([](Snapshot& s) { ++s.tickets_issued; });
    std::string url = fmt::format("{}://127.0.0.1:{}/link/?ticket={}&app_id=A0SIM0001",
                                  options.tls ? "wss" : "ws", port, ticket);
    HttpAnswer a = slack_ok({{"url", url}});
    // Slack escapes slashes in JSON strings; a client must unescape them.
    std::string escaped;
    for (char c : a.body) escaped += c == '/' ? std::string("\\/") : std::string(1, c);
    a.body = escaped;
    return answer(a);
  }

  if (bearer.empty()) return answer(slack_error("not_authed"));
  if (bearer.starts_with("xapp-")) return answer(slack_error("not_allowed_token_type"));
  if (bearer != options.bot_token) return answer(slack_error("invalid_auth"));
  if (bot_token_revoked) return answer(slack_error("token_revoked"));
  if (args.is_discarded()) return answer(slack_error("invalid_json"));
  if (!args.is_object()) return answer(slack_error("json_not_object"));
  if (json_body && !write_methods.contains(method)) return answer(slack_error("invalid_arguments"));
  if (auto forced = forced_429.find(method);
      forced != forced_429.end() && forced->second.first > 0) {
    --forced->second.first;
    HttpAnswer a = slack_error("ratelimited", 429);
    a.retry_after = std::to_string(forced->second.second);
    return answer(a);
  }
  json extra = json::object();
  if (json_body && in.content_type.find("charset") == std::string::npos) {
    extra = {{"warning", "missing_charset"},
             {"response_metadata", {{"warnings", {"missing_charset"}}}}};
  }
  // A success as Slack answers it (warnings, granted scopes), not yet recorded.
  auto success = [&](json body) {
    for (auto& [k, v] : extra.items()) body[k] = v;
    HttpAnswer a = slack_ok(std::move(body));
    for (const auto& scope : manifest_scopes) {
      if (revoked_scopes.contains(scope)) continue;
      a.oauth_scopes += (a.oauth_scopes.empty() ? "" : ",") + scope;
    }
    return a;
  };
  auto ok = [&](json body) { return answer(success(std::move(body))); };
  auto text_of = [&](const json& a) {
    std::string text = a.value("text", "");
    if (text.empty() && a.contains("blocks")) text = "(blocks)";
    return text;
  };

  if (method == "auth.test") {
    return ok({{"url", "https://sim.slack.local/"},
               {"team", "Simulated"},
               {"user", "itpm"},
               {"team_id", "T0SIM0001"},
               {"user_id", "U0BOT0001"},
               {"bot_id", "B0BOT0001"}});
  }
  // Scopes (slack-protocol.md §5): the one a method needs, for this channel.
  auto setup_of = [&](const std::string& channel) {
    auto it = channels.find(channel);
    return it == channels.end() ? ChannelSetup{} : it->second;
  };
  auto missing = [&](const std::string& scope) -> std::optional<HttpAnswer> {
    if (!revoked_scopes.contains(scope)) return std::nullopt;
    HttpAnswer a = slack_error("missing_scope");
    auto body = json::parse(a.body);
    body["needed"] = scope;
    a.body = body.dump();
    return a;
  };
  if (method == "conversations.join") {
    std::string channel = args.value("channel", "");
    if (auto refused = missing("channels:join")) return answer(*refused);
    ChannelSetup setup = setup_of(channel);
    if (!is_id(channel, "CG") || setup.deleted) return answer(slack_error("channel_not_found"));
    if (setup.archived) return answer(slack_error("is_archived"));
    if (setup.is_private) return answer(slack_error("method_not_supported_for_channel_type"));
    json body = {{"channel", {{"id", channel}, {"is_channel", true}}}};
    if (setup.bot_member) {
      body["warning"] = "already_in_channel";
      body["response_metadata"] = {{"warnings", {"already_in_channel"}}};
    }
    channels[channel] = setup;
    channels[channel].bot_member = true;
    return ok(std::move(body));
  }
  if (method == "chat.postMessage") {
    std::string channel = args.value("channel", "");
    if (!is_id(channel, "CGDU")) return answer(slack_error("channel_not_found"));
    if (auto refused = missing("chat:write")) return answer(*refused);
    if (ChannelSetup setup = setup_of(channel); channel[0] == 'C' || channel[0] == 'G') {
      if (setup.deleted || (setup.is_private && !setup.bot_member))
        return answer(slack_error("channel_not_found"));
      if (setup.archived) return answer(slack_error("is_archived"));
      if (!setup.bot_member) {
        if (auto refused = missing("chat:write.public")) return answer(*refused);
      }
    }
    if (text_of(args).empty()) return answer(slack_error("no_text"));
    // Slack's limits: 50 blocks a message, 40,000 characters of text (slack-protocol.md §5).
    if (auto blocks = args.find("blocks"); blocks != args.end()) {
      if (refused_blocks > 0) {
        --refused_blocks;
        return answer(slack_error("invalid_blocks"));
      }
      if (blocks->is_array() && blocks->size() > 50) return answer(slack_error("invalid_blocks"));
    }
    if (args.value("text", "").size() > 40000) return answer(slack_error("msg_too_long"));
    if (options.channel_rate_limit) {
      auto& [tokens, last] = buckets.try_emplace(channel, 5.0, now).first->second;
      tokens = std::min(5.0, tokens + std::chrono::duration<double>(now - last).count());
      last = now;
      if (tokens < 1.0) {
        HttpAnswer a = slack_error("ratelimited", 429);
        a.retry_after = "1";
        return answer(a);
      }
      tokens -= 1.0;
    }
    std::string ts = next_ts();
    std::string where =
        channel[0] == 'D' || channel[0] == 'U'
            ? "DM to @" + user_name(channel[0] == 'D' ? "U" + channel.substr(1) : channel)
            : "#" + channel_name(channel);
    output(fmt::format("itpm in {}{}> {}", where, args.contains("thread_ts") ? " (thread)" : "",
                       text_of(args)));
    json stored = {{"type", "message"},
                   {"subtype", "bot_message"},
                   {"bot_id", "B0BOT0001"},
                   {"text", args.value("text", "")},
                   {"ts", ts}};
    if (auto blocks = args.find("blocks"); blocks != args.end()) {
      // A form-encoded post sends blocks as a JSON string.
      stored["blocks"] =
          blocks->is_string() ? json::parse(blocks->get<std::string>(), nullptr, false) : *blocks;
    }
    // Slack keeps `metadata` ({event_type, event_payload}) with the message; a form-encoded
    // post sends it as a JSON string.
    if (auto it = args.find("metadata"); it != args.end()) {
      json meta = it->is_string() ? json::parse(it->get<std::string>(), nullptr, false) : *it;
      if (meta.is_object() && meta.contains("event_type")) stored["metadata"] = meta;
    }
    if (auto& [user, times] = posts_stored_as; times > 0) {
      --times;
      stored.erase("subtype");
      stored.erase("bot_id");
      stored["user"] = user;
    }
    history[channel[0] == 'U' ? "D" + channel.substr(1) : channel].push_back(stored);
    return ok({{"channel", channel},
               {"ts", ts},
               {"message",
                {{"type", "message"},
                 {"subtype", "bot_message"},
                 {"text", args.value("text", "")},
                 {"ts", ts}}}});
  }
  if (method == "chat.postEphemeral") {
    std::string channel = args.value("channel", "");
    std::string user = args.value("user", "");
    if (!is_id(channel, "CGD")) return answer(slack_error("channel_not_found"));
    if (!is_id(user, "UW")) return answer(slack_error("user_not_in_channel"));
    if (text_of(args).empty()) return answer(slack_error("no_text"));
    output(fmt::format("itpm (only @{})> {}", user_name(user), text_of(args)));
    return ok({{"message_ts", next_ts()}});
  }
  if (method == "chat.update") {
    // Only a message the bot posted, found by channel and ts; text and blocks are replaced.
    std::string channel = args.value("channel", "");
    if (!is_id(channel, "CGD")) return answer(slack_error("channel_not_found"));
    auto& messages = history[channel];
    auto message = std::find_if(messages.begin(), messages.end(), [&](const json& m) {
      return m.value("ts", "") == args.value("ts", "");
    });
    if (message == messages.end()) return answer(slack_error("message_not_found"));
    if (text_of(args).empty()) return answer(slack_error("no_text"));
    (*message)["text"] = args.value("text", "");
    if (args.contains("blocks")) (*message)["blocks"] = args["blocks"];
    (*message)["edited"] = {{"user", "U0BOT0001"}, {"ts", next_ts()}};
    output(fmt::format("itpm updated a message in #{}> {}", channel_name(channel), text_of(args)));
    return ok(
        {{"channel", channel}, {"ts", args.value("ts", "")}, {"text", args.value("text", "")}});
  }
  if (method == "conversations.open") {
    std::string users = args.value("users", "");
    if (users.empty()) return answer(slack_error("users_list_not_supplied"));
    if (users.find(',') != std::string::npos) return answer(slack_error("not_enough_users"));
    if (!is_id(users, "UW")) return answer(slack_error("user_not_found"));
    return ok({{"channel", {{"id", "D" + users.substr(1)}}}});
  }
  if (method == "conversations.history") {
    // Newest first; `oldest` excludes earlier messages; `limit` pages with a cursor that is
    // the offset; metadata only with include_all_metadata (as Slack documents).
    std::string channel = args.value("channel", "");
    if (!is_id(channel, "CGD")) return answer(slack_error("channel_not_found"));
    if (ChannelSetup setup = setup_of(channel); channel[0] != 'D') {
      if (setup.deleted || (setup.is_private && !setup.bot_member))
        return answer(slack_error("channel_not_found"));
      if (auto refused = missing(setup.is_private ? "groups:history" : "channels:history"))
        return answer(*refused);
      if (!setup.bot_member) return answer(slack_error("not_in_channel"));
    }
    auto number = [&](const char* name, double fallback) {
      auto it = args.find(name);
      if (it == args.end()) return fallback;
      if (it->is_number()) return it->get<double>();
      try {
        return std::stod(it->get<std::string>());
      } catch (const std::exception&) {
        return fallback;
      }
    };
    double oldest = number("oldest", 0);
    auto limit = static_cast<std::size_t>(std::clamp(number("limit", 100), 1.0, 999.0));
    auto offset = static_cast<std::size_t>(std::max(0.0, number("cursor", 0)));
    std::string all_metadata = args.contains("include_all_metadata")
                                   ? (args["include_all_metadata"].is_boolean()
                                          ? (args["include_all_metadata"].get<bool>() ? "true" : "")
                                          : args.value("include_all_metadata", ""))
                                   : "";
    bool with_metadata = all_metadata == "true" || all_metadata == "1";
    json messages = json::array();
    const auto& all = history[channel];
    std::size_t seen = 0;
    bool more = false;
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
      if (std::stod(it->value("ts", "0")) <= oldest) continue;
      if (seen++ < offset) continue;
      if (messages.size() == limit) {
        more = true;
        break;
      }
      json m = *it;
      if (!with_metadata) m.erase("metadata");
      messages.push_back(std::move(m));
    }
    json body = {{"messages", messages}, {"has_more", more}};
    body["response_metadata"] = {{"next_cursor", more ? std::to_string(offset + limit) : ""}};
    return ok(std::move(body));
  }
  if (method == "chat.getPermalink") {
    std::string channel = args.value("channel", "");
    std::string ts = args.value("message_ts", "");
    if (!is_id(channel, "CGD")) return answer(slack_error("channel_not_found"));
    if (ts.empty()) return answer(slack_error("message_not_found"));
    std::string compact = ts;
    compact.erase(std::remove(compact.begin(), compact.end(), '.'), compact.end());
    return ok(
        {{"channel", channel},
         {"permalink", fmt::format("https://sim.slack.local/archives/{}/p{}", channel, compact)}});
  }
  if (method == "users.info") {
    std::string user = args.value("user", "");
    if (!is_id(user, "UW")) return answer(slack_error("user_not_found"));
    std::string name = user_name(user);
    std::string tz = name == "alice" || name == "carol" ? "Europe/Amsterdam"
                     : name == "bob"                    ? "America/Los_Angeles"
                                                        : "UTC";
    return ok({{"user",
                {{"id", user},
                 {"team_id", team_of(user)},
                 {"name", name},
                 {"deleted", false},
                 {"real_name", name},
                 {"tz", tz},
                 {"is_bot", false},
                 {"profile", {{"display_name", name}, {"real_name", name}}}}}});
  }
  if (auto viewed = views_api(method, args, success)) return answer(*viewed);
  if (auto filed = files_api(method, args, success, missing)) return answer(*filed);
  return answer(slack_error("unknown_method"));
}

std::optional<nlohmann::json> SlackSim::Core::button_envelope(const ButtonPress& press) {
  // The newest message in the channel with a button labelled `press.label`.
  auto& messages = history[press.channel];
  for (auto m = messages.rbegin(); m != messages.rend(); ++m) {
    for (const auto& block : m->value("blocks", json::array())) {
      if (block.value("type", "") != "actions") continue;
      for (const auto& element : block.value("elements", json::array())) {
        if (element.value("type", "") != "button" ||
            element.value(json::json_pointer("/text/text"), std::string()) != press.label)
          continue;
        std::string id = new_id();
        std::string trigger = fmt::format("{}.{}.{}", ++ts_seq, 43, id.substr(0, 8));
        triggers[trigger] = Clock::now();
        trigger_users[trigger] = press.user;
        json action = {{"type", "button"},
                       {"action_id", element.value("action_id", "")},
                       {"block_id", block.value("block_id", "")},
                       {"text", element.value("text", json::object())},
                       {"value", element.value("value", "")},
                       {"action_ts", next_ts()}};
        json message = *m;
        message.erase("metadata");
        return json{{"envelope_id", id},
                    {"type", "interactive"},
                    {"accepts_response_payload", false},
                    {"payload",
                     {{"type", "block_actions"},
                      {"team", {{"id", "T0SIM0001"}, {"domain", "simulated"}}},
                      {"user",
                       {{"id", press.user},
                        {"username", user_name(press.user)},
                        {"team_id", team_of(press.user)}}},
                      {"api_app_id", "A0SIM0001"},
                      {"token", "deprecated-verification-token"},
                      {"container",
                       {{"type", "message"},
                        {"message_ts", m->value("ts", "")},
                        {"channel_id", press.channel},
                        {"is_ephemeral", false}}},
                      {"trigger_id", trigger},
                      {"channel", {{"id", press.channel}, {"name", channel_name(press.channel)}}},
                      {"message", std::move(message)},
                      {"response_url", fmt::format("{}/actions/T0SIM0001/{}/{}", base_url(), ts_seq,
                                                   id.substr(0, 8))},
                      {"actions", json::array({std::move(action)})}}}};
      }
    }
  }
  return std::nullopt;
}

nlohmann::json SlackSim::Core::slash_envelope(const SlashCommand& command) {
  std::string id = new_id();
  std::string trigger = fmt::format("{}.{}.{}", ++ts_seq, 42, id.substr(0, 8));
  triggers[trigger] = Clock::now();
  trigger_users[trigger] = command.user;
  return {{"envelope_id", id},
          {"type", "slash_commands"},
          {"accepts_response_payload", command.accepts_response_payload},
          {"payload",
           {{"token", "deprecated-verification-token"},
            {"team_id", "T0SIM0001"},
            {"team_domain", "simulated"},
            {"channel_id", command.channel},
            {"channel_name", channel_name(command.channel)},
            {"user_id", command.user},
            {"user_name", user_name(command.user)},
            {"command", "/itpm"},
            {"text", command.text},
            {"api_app_id", "A0SIM0001"},
            {"is_enterprise_install", "false"},
            {"response_url",
             fmt::format("{}/commands/T0SIM0001/{}/{}", base_url(), ts_seq, id.substr(0, 8))},
            {"trigger_id", trigger}}}};
}

}  // namespace itpm::sim
