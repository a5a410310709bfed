#include "commands/areas/config_commands.hpp"

#include "commands/areas/handler_support.hpp"
#include "commands/calendar/dates.hpp"
#include "commands/language/arg_builders.hpp"
#include "commands/language/suggest.hpp"
#include "commands/render/reply.hpp"
#include "commands/render/slack_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>

namespace itpm::commands {
namespace {

struct Setting {
  std::string_view key;
  std::string_view meaning;
};

const std::vector<Setting>& settings() {
  static const std::vector<Setting> all = {
      {"escalation-channel", "level 3 of the escalation ladder posts here"},
      {"threshold", "a risk with this score or more is critical and enters the ladder"},
      {"ladder-step", "time between escalation levels when nobody acknowledges"},
      {"timezone", "for people whose time zone Slack does not give"},
      {"grace", "after downtime, a review reminder up to this late is still posted"},
      {"working-hours", "when the bot may DM people (in their zone) and post nudges in channels"},
      {"slo-s1", "days to close an S1 corrective action"},
      {"slo-s2", "days to close an S2 corrective action"},
      {"slo-s3", "days to close an S3 corrective action"},
      {"slo-s4", "days to close an S4 corrective action"},
      {"target-on-time", "KPI target: milestones and programs done on time, percent"},
      {"target-slo", "KPI target: corrective actions closed within their SLO, percent"},
      {"target-satisfaction", "KPI target: mean stakeholder satisfaction, of 5"},
      {"availability-target", "KPI target: each month's availability, percent (like 99.95)"},
      {"availability-query",
       "PromQL read at each month's end for its availability, in percent ($range: the month)"},
  };
  return all;
}

std::optional<long long> whole(std::string_view text) {
  long long n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

// 90m, 24h, 2d -> minutes.
std::optional<long long> minutes_of(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  char unit = text.back();
  auto n = whole(text.substr(0, text.size() - 1));
  long long factor = unit == 'm' ? 1 : unit == 'h' ? 60 : unit == 'd' ? 24 * 60 : 0;
  if (!n || factor == 0 || *n < 0 || *n > 365LL * 24 * 60) return std::nullopt;
  return *n * factor;
}

// A PromQL query as typed in Slack, as Prometheus must get it: links Slack made of host names
// back to their text, curly quotes straight; or the mistake (in `error`).
std::string query_of(std::string_view typed, std::string& error) {
  std::string q;
  for (std::size_t i = 0; i < typed.size();) {
    if (typed[i] == '<') {
      auto close = typed.find('>', i);
      if (auto ref = close == std::string_view::npos ? std::nullopt
                                                     : parse_ref(typed.substr(i, close - i + 1));
          ref && ref->kind == SlackRef::Kind::link) {
        q += ref->label.empty() ? ref->id : ref->label;
        i = close + 1;
        continue;
      }
    }
    static constexpr std::array<std::pair<std::string_view, char>, 4> curly = {
        {{"\u201c", '"'}, {"\u201d", '"'}, {"\u2018", '\''}, {"\u2019", '\''}}};
    auto it = std::find_if(curly.begin(), curly.end(),
                           [&](const auto& c) { return typed.substr(i).starts_with(c.first); });
    if (it != curly.end()) {
      q += it->second;
      i += it->first.size();
      continue;
    }
    q += typed[i++];
  }
  if (q.find_first_not_of(" \t") == std::string::npos || q.size() > 1000) {
    error = fmt::format(
        "availability-query takes a PromQL query of up to 1,000 characters that gives a "
        "percentage, like 'avg_over_time(probe_success{{job=\"gitlab\"}}[$range]) * 100' (got {} "
        "characters).",
        q.size());
    return "";
  }
  // Brackets outside string literals must pair up: the one mistake worth catching before
  // Prometheus sees it (a quote that closed the value early leaves them unbalanced).
  std::string open;
  char in_string = 0;
  for (std::size_t i = 0; i < q.size(); ++i) {
    char c = q[i];
    if (in_string != 0) {
      if (c == '\\') {
        ++i;
      } else if (c == in_string) {
        in_string = 0;
      }
    } else if (c == '"' || c == '\'' || c == '`') {
      in_string = c;
    } else if (c == '(' || c == '[' || c == '{') {
      open += c == '(' ? ')' : c == '[' ? ']' : '}';
    } else if (c == ')' || c == ']' || c == '}') {
      if (open.empty() || open.back() != c) {
        error = fmt::format("availability-query has an unmatched {} at character {}.", c, i + 1);
        return "";
      }
      open.pop_back();
    }
  }
  if (in_string != 0 || !open.empty()) {
    error = in_string != 0 ? fmt::format("availability-query has an unclosed {} string.", in_string)
                           : fmt::format("availability-query is missing a {}.", open.back());
    return "";
  }
  return q;
}

// The canonical stored form of `value` for `key`, or the mistake (in `error`).
std::string canonical(std::string_view key, const ParsedValue& value, std::string& error) {
  const std::string& v = value.text;
  auto range = [&](long long lo, long long hi, std::string_view what) -> std::string {
    std::string_view digits = v;
    if (digits.ends_with('%')) digits.remove_suffix(1);
    auto n = whole(digits);
    if (!n || *n < lo || *n > hi) {
      error = fmt::format("{} takes {} from {} to {} (got \"{}\").", key, what, lo, hi,
                          shown_text(v, 40));
      return "";
    }
    return std::to_string(*n);
  };
  auto duration = [&](long long lo, long long hi) -> std::string {
    auto m = minutes_of(v);
    if (!m || *m < lo || *m > hi) {
      error = fmt::format("{} takes a time like 90m, 24h or 2d, from {} to {} (got \"{}\").", key,
                          show_duration(std::chrono::minutes(lo)),
                          show_duration(std::chrono::minutes(hi)), shown_text(v, 40));
      return "";
    }
    return std::to_string(*m);
  };
  if (key == "escalation-channel") {
    if (v == "none") return "";
    if (!value.ref || value.ref->kind != SlackRef::Kind::channel) {
      error = "escalation-channel takes a channel, like #leadership (or none).";
      return "";
    }
    return value.ref->id;
  }
  if (key == "threshold") return range(1, 25, "a score");
  if (key == "ladder-step") return duration(1, 30 * 24 * 60);
  if (key == "grace") return duration(1, 7 * 24 * 60);
  if (key == "timezone") {
    error = zone_error(v);
    if (!error.empty()) return "";
    return v;
  }
  if (key == "working-hours") {
    auto hours = parse_working_hours(v, error);
    return hours ? hours->text() : "";
  }
  if (key.starts_with("slo-s")) return range(1, 365, "a number of days");
  if (key == "target-on-time" || key == "target-slo") return range(0, 100, "a percentage");
  if (key == "availability-target") {
    auto percent = parse_percent(v);
    if (!percent) {
      error = fmt::format(
          "availability-target takes a percentage from 0 to 100 with at most three decimals, "
          "like 99.95 (got \"{}\").",
          shown_text(v, 40));
      return "";
    }
    std::string stored = show_percent(*percent);
    stored.pop_back();  // stored without the % sign
    return stored;
  }
  if (key == "availability-query") return query_of(v, error);
  // target-satisfaction: 1 to 5, one decimal.
  double d = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (ec != std::errc() || end != v.data() + v.size() || d < 1 || d > 5) {
    error = fmt::format("target-satisfaction takes a mean from 1 to 5, like 4.2 (got \"{}\").",
                        shown_text(v, 40));
    return "";
  }
  return fmt::format("{:.1f}", std::round(d * 10) / 10);
}

// How `key` reads in the effective policy.
std::string shown(std::string_view key, const Policy& p) {
  if (key == "escalation-channel")
    return p.escalation_channel.empty() ? "none (level 3 goes to the program channel)"
                                        : channel_mention(p.escalation_channel);
  if (key == "threshold") return std::to_string(p.escalation_threshold);
  if (key == "ladder-step") return show_duration(p.ladder_step);
  if (key == "grace") return show_duration(p.grace);
  if (key == "timezone") return p.default_zone;
  if (key == "working-hours") return p.working_hours.text();
  if (key.starts_with("slo-s"))
    return fmt::format("{} days", p.slo_days[static_cast<std::size_t>(key.back() - '1')]);
  if (key == "target-on-time") return fmt::format("{}%", p.target_on_time);
  if (key == "target-slo") return fmt::format("{}%", p.target_slo);
  if (key == "availability-target") return show_percent(p.availability_target);
  if (key == "availability-query") {
    if (p.availability_query.empty()) return "none (availability is typed in)";
    return fmt::format(
        "`{}`{}", escape(p.availability_query),
        p.prometheus_url.empty() ? " (not read: ITPM_PROMETHEUS_URL is not set)" : "");
  }
  return fmt::format("{:.1f}", p.target_satisfaction);
}

Outcome show(const ParsedCommand&, const Command&, const Context& ctx) {
  auto stored = ctx.repos.settings();
  std::vector<std::string> lines;
  for (const auto& s : settings()) {
    std::string line = fmt::format("• `{}` *{}* — {}", s.key, shown(s.key, ctx.policy), s.meaning);
    if (auto it = stored.find(std::string(s.key)); it != stored.end() && it->is_object()) {
      line += fmt::format(" _(set by {}, {})_", user_mention(it->value("by", "")),
                          show_time(it->value("at", std::int64_t{0}), ctx.zone));
    }
    lines.push_back(std::move(line));
  }
  return reply_only(list_reply(Visibility::ephemeral, "*itpm settings*", lines, lines.size(), ""));
}

Outcome set(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  if (!ctx.is_admin(command.user_id)) {
    return refusal(
        "Only itpm admins can change settings (their Slack IDs are in the bot's ITPM_ADMINS).");
  }
  std::string key = cmd.required(arg::setting);
  std::vector<std::string_view> keys;
  for (const auto& s : settings()) keys.push_back(s.key);
  if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
    auto near = nearest(key, keys);
    return mistake(cmd, fmt::format("Unknown setting \"{}\".{} See them with `/itpm config show`.",
                                    shown_text(key, 40),
                                    near ? fmt::format(" Did you mean `{}`?", *near) : ""));
  }
  const ParsedValue& value = *cmd.token(arg::value);
  nlohmann::json before = ctx.repos.settings();
  nlohmann::json after = before;
  std::string old_value = shown(key, ctx.policy);
  if (value.text == "default") {
    if (!after.contains(key))
      return mistake(cmd, fmt::format("{} is not set; it already has its default.", key));
    after.erase(key);
  } else {
    std::string error;
    std::string stored = canonical(key, value, error);
    if (!error.empty()) return mistake(cmd, error);
    after[key] = {{"value", stored}, {"by", command.user_id}, {"at", millis(ctx.now)}};
  }
  std::string new_value = value.text == "default" ? std::string("its default")
                                                  : shown(key, effective_policy(ctx.policy, after));
  if (after.contains(key) && before.contains(key) &&
      after[key].value("value", "") == before[key].value("value", "")) {
    return mistake(cmd, fmt::format("{} is already {}.", key, new_value));
  }
  Outcome out;
  ctx.repos.save_settings(out.writes, after, before,
                          storage::Change{command.user_id, millis(ctx.now), "set"});
  std::vector<std::string> paragraphs = {fmt::format("⚙️ `{}` {} → *{}*, set by {}.", key,
                                                     old_value, new_value,
                                                     user_mention(command.user_id))};
  if (key == "availability-query" && value.text != "default") {
    paragraphs.push_back(
        ctx.policy.prometheus_url.empty()
            ? "Nothing reads it yet: ITPM_PROMETHEUS_URL is not set on the bot (its operator "
              "sets it, like http://prometheus:9090)."
            : "Prometheus is asked at each month's end, for the month just ended; try it now "
              "with `/itpm kpi availability measure`.");
  }
  out.reply = text_reply(Visibility::in_channel, paragraphs);
  return out;
}

}  // namespace

Context make_context(storage::Repositories& repos, const Settings& settings,
                     std::chrono::system_clock::time_point now, const std::string& zone) {
  Policy policy = effective_policy(settings.base, repos.settings());
  std::string where = zone.empty() ? policy.default_zone : zone;
  return Context{now, settings.admins, repos, std::move(where), std::move(policy)};
}

Policy effective_policy(const Policy& base, const nlohmann::json& stored) {
  Policy p = base;
  if (!stored.is_object()) return p;
  for (const auto& [key, entry] : stored.items()) {
    if (!entry.is_object() || !entry.contains("value") || !entry["value"].is_string()) continue;
    std::string v = entry["value"].get<std::string>();
    auto n = whole(v);
    if (key == "escalation-channel") {
      p.escalation_channel = v;
    } else if (key == "threshold" && n) {
      p.escalation_threshold = static_cast<int>(*n);
    } else if (key == "ladder-step" && n) {
      p.ladder_step = std::chrono::minutes(*n);
    } else if (key == "grace" && n) {
      p.grace = std::chrono::minutes(*n);
    } else if (key == "timezone" && find_zone(v) != nullptr) {
      p.default_zone = v;
    } else if (key == "working-hours") {
      std::string error;
      if (auto hours = parse_working_hours(v, error)) p.working_hours = *hours;
    } else if (key.size() == 6 && key.starts_with("slo-s") && key[5] >= '1' && key[5] <= '4' && n) {
      p.slo_days[static_cast<std::size_t>(key[5] - '1')] = static_cast<int>(*n);
    } else if (key == "target-on-time" && n) {
      p.target_on_time = static_cast<int>(*n);
    } else if (key == "target-slo" && n) {
      p.target_slo = static_cast<int>(*n);
    } else if (key == "availability-target") {
      if (auto percent = parse_percent(v)) p.availability_target = *percent;
    } else if (key == "availability-query") {
      p.availability_query = v;
    } else if (key == "target-satisfaction") {
      double d = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
      if (ec == std::errc()) p.target_satisfaction = d;
    }
  }
  return p;
}

AreaSpec config_area() {
  using namespace args;
  return {"config",
          {"cfg"},
          "Bot settings (admins)",
          "show",
          {
              {"show", {"get"}, "Show settings", {}, {}, show},
              {"set",
               {},
               "Change a setting",
               {req(arg::setting, "<key>"), req(arg::value, "<value>")},
               {},
               set,
               Access::writes},
          }};
}

}  // namespace itpm::commands
