#include "commands/areas/availability.hpp"

#include "commands/areas/absence.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/calendar/dates.hpp"
#include "commands/render/reply.hpp"
#include "commands/render/slack_text.hpp"
#include "common/iso_date.hpp"
#include "common/utf8.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace itpm::commands {
namespace {

using std::chrono::sys_days;
using std::chrono::year_month;

// After a month ends, the month-end run waits this long (late samples, rule evaluation).
constexpr auto settle = std::chrono::minutes(10);

std::optional<year_month> parse_month(std::string_view month) {
  if (month.size() != 7) return std::nullopt;
  auto day = common::parse_date(std::string(month) + "-01");
  if (!day) return std::nullopt;
  std::chrono::year_month_day ymd(*day);
  return ymd.year() / ymd.month();
}

std::string month_text(year_month ym) {
  return fmt::format("{:04}-{:02}", static_cast<int>(ym.year()), static_cast<unsigned>(ym.month()));
}

// When month `ym` begins in `zone` (ms since the Unix epoch).
std::int64_t month_start_ms(year_month ym, const std::string& zone) {
  return start_of_day_ms(sys_days(ym / 1), zone);
}

// "Nov 2026".
std::string month_and_year(std::string_view month) {
  return fmt::format("{} {}", month_name(month), month.substr(0, 4));
}

std::string whose(const std::string& service) {
  return service.empty() ? "the platform" : shown_text(service, 40);
}

// Outside text (Prometheus' own words) as mrkdwn: escaped and shortened.
std::string outside(std::string_view text, std::size_t max) {
  std::string shown(common::utf8::prefix(text, max));
  bool cut = shown.size() < text.size();
  // One line: control characters (a newline in Prometheus' error) become spaces.
  std::replace_if(
      shown.begin(), shown.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }, ' ');
  if (cut) shown += "…";
  return escape(shown);
}

// A string field of an answer ("" when absent or of another type).
std::string text_field(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// `error` as a sentence: with a full stop unless it ends in one (or a question mark).
std::string sentence(const std::string& error) {
  return error.ends_with('.') || error.ends_with('?') ? error : error + ".";
}

// "🟢 meets the target 99.9% · replaces 99.5% (recorded by <@U1>)": a month's new number
// against the target, and the record it replaces.
std::string against_target(double percent, const Policy& policy,
                           const std::optional<storage::Availability>& before) {
  return fmt::format(
      "{} target {}{}", percent >= policy.availability_target ? "🟢 meets the" : "🔴 below the",
      show_percent(policy.availability_target),
      before
          ? fmt::format(" · replaces {} ({} by {})", show_percent(before->milli_percent / 1000.0),
                        before->source, actor_mention(before->by))
          : std::string());
}

PrometheusAnswer failed(std::string error) {
  return PrometheusAnswer{std::nullopt, std::move(error)};
}

// `{job="api",instance="a"}` for a series' labels.
std::string labels(const nlohmann::json& metric) {
  std::string out;
  if (metric.is_object()) {
    for (const auto& [name, value] : metric.items()) {
      out += (out.empty() ? "" : ",") + name + "=\"" +
             (value.is_string() ? value.get<std::string>() : value.dump()) + "\"";
    }
  }
  return "{" + out + "}";
}

// One sample, [time, "value"], read as a percentage.
PrometheusAnswer sample_value(const nlohmann::json& sample) {
  if (!sample.is_array() || sample.size() != 2 || !sample[1].is_string())
    return failed("Prometheus answered with a sample this bot cannot read");
  std::string text = sample[1].get<std::string>();
  if (text == "NaN")
    return failed(
        "The query gave NaN for the month: it had no samples then, or divided by zero. Check it "
        "over that month in Prometheus");
  if (text == "+Inf" || text == "-Inf")
    return failed(fmt::format("The query gave {} for the month (a division by zero?)", text));
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
    return failed(
        fmt::format("Prometheus answered \"{}\", which is not a number", outside(text, 40)));
  double rounded = std::round(value * 1000) / 1000;
  if (value < 0 || rounded > 100) {
    return failed(
        fmt::format("The query gave {}, outside 0 to 100: it must give a percentage, like 99.95",
                    outside(text, 40)));
  }
  if (rounded <= 1) {
    return failed(fmt::format(
        "The query gave {}, which looks like a ratio: multiply it by 100 so that it gives a "
        "percentage",
        outside(text, 40)));
  }
  return PrometheusAnswer{rounded, ""};
}

// `kpi availability record <percent> --month YYYY-MM [--service name]`: a month's
// availability, replacing an earlier record for the same month and service (both audited).
Outcome record(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  std::string this_month = iso_date(today_in(ctx.now, ctx.zone)).substr(0, 7);
  auto typed = cmd.get(arg::availability);
  if (!typed) {
    return mistake(cmd, fmt::format("`record` takes the percentage, like `/itpm kpi availability "
                                    "record 99.95 --month {}`.",
                                    this_month));
  }
  auto percent = parse_percent(*typed);
  if (!percent) {
    return mistake(cmd, fmt::format("<percent> takes a percentage from 0 to 100 with at most three "
                                    "decimals, like 99.95 (got \"{}\").",
                                    shown_text(*typed, 20)));
  }
  auto month = cmd.get(arg::month);
  if (!month) {
    return mistake(cmd, fmt::format("`record` needs the month it is for: --month {}.", this_month));
  }
  if (!parse_month(*month)) {
    return mistake(cmd, fmt::format("--month takes a month like {} (got \"{}\").", this_month,
                                    shown_text(*month, 20)));
  }
  if (*month > this_month) {
    return mistake(cmd, fmt::format("--month {} is in the future; record a month once it has "
                                    "begun (this month is {}).",
                                    *month, this_month));
  }
  std::string service = cmd.get(arg::service).value_or("");
  if (auto err = length_error("service", service, 40); !err.empty()) return mistake(cmd, err);
  auto before = ctx.repos.find<storage::Availability>(*month, service);
  storage::Availability after{*month,     service,         std::llround(*percent * 1000),
                              "recorded", command.user_id, millis(ctx.now)};
  Outcome out;
  ctx.repos.save(out.writes, after, before ? &*before : nullptr,
                 storage::Change{command.user_id, after.at, "record"},
                 fmt::format("{}{}: {}", *month, service.empty() ? "" : " " + service,
                             show_percent(*percent)));
  std::vector<std::string> paragraphs = {
      fmt::format("📶 Availability of {} in {}: *{}* recorded by {}", whose(service),
                  month_and_year(*month), show_percent(*percent), user_mention(command.user_id)),
      against_target(*percent, ctx.policy, before)};
  out.reply = text_reply(Visibility::in_channel, paragraphs);
  return out;
}

// `kpi availability measure [--month YYYY-MM]`: asks Prometheus now; the answer follows.
Outcome measure(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  auto today = today_in(ctx.now, ctx.policy.default_zone);
  std::chrono::year_month_day ymd(today);
  std::string last_month = month_text(ymd.year() / ymd.month() - std::chrono::months(1));
  if (cmd.get(arg::availability)) {
    return mistake(cmd, fmt::format("`measure` asks Prometheus and takes no percentage; to type it "
                                    "yourself: `/itpm kpi availability record 99.95 --month {}`.",
                                    last_month));
  }
  if (cmd.get(arg::service)) {
    return mistake(cmd,
                   "`measure` reads the platform's availability; --service goes with "
                   "`record`.");
  }
  if (ctx.policy.prometheus_url.empty()) {
    return reply_only(error_reply(
        fmt::format("Availability is not read from Prometheus here: ITPM_PROMETHEUS_URL is not "
                    "set on the bot (its operator sets it, like http://prometheus:9090). Record "
                    "the number instead: `/itpm kpi availability record 99.95 --month {}`.",
                    last_month),
        ""));
  }
  if (ctx.policy.availability_query.empty()) {
    return reply_only(error_reply(
        "There is no availability query yet. Set one first, like `/itpm config set "
        "availability-query 'avg_over_time(probe_success{job=\"gitlab\"}[$range]) * 100'` "
        "($range is the month's length).",
        ""));
  }
  std::string month = cmd.get(arg::month).value_or(last_month);
  if (!parse_month(month)) {
    return mistake(cmd, fmt::format("--month takes a month like {} (got \"{}\").", last_month,
                                    shown_text(month, 20)));
  }
  if (month > last_month) {
    return mistake(cmd, fmt::format("--month {} has not ended yet; a month is measured once it "
                                    "is over (the last one was {}).",
                                    month, last_month));
  }
  Outcome out;
  out.reply = text_reply(Visibility::ephemeral,
                         {fmt::format("📶 Asking Prometheus for the platform's availability in {}…",
                                      month_and_year(month))});
  out.effects.emplace_back(MeasureAvailability{month, command.user_id, command.response_url});
  return out;
}

}  // namespace

Outcome availability_command(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  bool measuring = cmd.required(arg::operation) == "measure";
  if (!ctx.is_admin(command.user_id)) {
    return reply_only(error_reply(
        fmt::format("Only itpm admins can {} availability (their Slack IDs are in the bot's "
                    "ITPM_ADMINS). Nothing was saved.",
                    measuring ? "measure" : "record"),
        ""));
  }
  return measuring ? measure(cmd, command, ctx) : record(cmd, command, ctx);
}

std::string month_name(std::string_view month) {
  static constexpr std::array<std::string_view, 12> names = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int number = month.size() == 7 ? std::atoi(std::string(month.substr(5)).c_str()) : 0;
  return number >= 1 && number <= 12 ? std::string(names[static_cast<std::size_t>(number - 1)])
                                     : std::string(month);
}

PrometheusRequest prometheus_request(std::string_view base_url, std::string_view query,
                                     std::string_view month, const std::string& zone) {
  auto ym = parse_month(month).value_or(year_month{});
  std::int64_t start = month_start_ms(ym, zone);
  std::int64_t end = month_start_ms(ym + std::chrono::months(1), zone);
  std::string range = fmt::format("{}s", (end - start) / 1000);
  std::string expanded(query);
  for (auto at = expanded.find("$range"); at != std::string::npos;
       at = expanded.find("$range", at + range.size())) {
    expanded.replace(at, 6, range);
  }
  std::string base(base_url);
  while (base.ends_with('/')) base.pop_back();
  return PrometheusRequest{base + "/api/v1/query",
                           {{"query", std::move(expanded)}, {"time", std::to_string(end / 1000)}}};
}

PrometheusAnswer read_prometheus_answer(int http_status, std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  bool prometheus_json = j.is_object() && j.contains("status") && j["status"].is_string();
  if (!prometheus_json) {
    if (http_status == 401 || http_status == 403) {
      return failed(
          fmt::format("Prometheus refused the bot (HTTP {}): if it needs a bearer token, set "
                      "ITPM_PROMETHEUS_TOKEN",
                      http_status));
    }
    if (http_status == 404 || http_status == 200) {
      return failed(fmt::format(
          "Prometheus answered {} for /api/v1/query: is ITPM_PROMETHEUS_URL the server's base "
          "URL, like http://prometheus:9090 (without /api/v1)?",
          http_status == 404 ? std::string("HTTP 404")
                             : std::string("with text that is not its JSON")));
    }
    return failed(fmt::format("Prometheus answered HTTP {}{}", http_status,
                              http_status >= 500 ? " (down or overloaded?)" : ""));
  }
  if (j["status"] != "success") {
    std::string type = text_field(j, "errorType");
    std::string error = text_field(j, "error");
    return failed(fmt::format("Prometheus refused the query ({}: {})",
                              type.empty() ? std::string("error") : outside(type, 40),
                              outside(error, 240)));
  }
  auto data = j.find("data");
  bool has_data = data != j.end() && data->is_object();
  std::string type = has_data ? text_field(*data, "resultType") : "";
  nlohmann::json result = has_data ? data->value("result", nlohmann::json()) : nullptr;
  if (type == "scalar") return sample_value(result);
  if (type == "matrix") {
    return failed(
        "The query gave a range of samples, not one number: wrap it in a function over the "
        "month, like avg_over_time(...[$range])");
  }
  if (type != "vector" || !result.is_array()) {
    return failed(fmt::format("The query gave {}, not a number",
                              type.empty() ? std::string("no result") : outside(type, 20)));
  }
  if (result.empty()) {
    return failed(
        "The query gave no series for the month: check its metric names and labels over that "
        "month in Prometheus");
  }
  if (result.size() > 1) {
    std::string some;
    for (std::size_t i = 0; i < 2; ++i) {
      const auto& series = result[i];
      some +=
          (i == 0 ? "" : ", ") +
          outside(labels(series.is_object() ? series.value("metric", nlohmann::json()) : nullptr),
                  80);
    }
    return failed(fmt::format(
        "The query gave {} series ({}{}), not one number: aggregate them, like avg(...) or "
        "min(...)",
        result.size(), some, result.size() > 2 ? ", …" : ""));
  }
  const auto& series = result[0];
  return sample_value(series.is_object() ? series.value("value", nlohmann::json()) : nullptr);
}

PrometheusAnswer unreachable(std::string_view base_url, std::string_view why) {
  return failed(fmt::format("Prometheus at {} did not answer ({})", outside(base_url, 120),
                            outside(why, 120)));
}

MeasurePlan plan_measurement(const storage::Repositories& repos, const Policy& policy,
                             std::chrono::system_clock::time_point now) {
  const std::string& zone = policy.default_zone;
  std::chrono::year_month_day today(today_in(now, zone));
  year_month current = today.year() / today.month();
  auto at = [](std::int64_t ms) {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
  };
  MeasurePlan plan;
  auto ended_at = at(month_start_ms(current, zone));
  if (now < ended_at + settle) {
    plan.next = ended_at + settle;
    return plan;
  }
  plan.next = at(month_start_ms(current + std::chrono::months(1), zone)) + settle;
  if (policy.prometheus_url.empty() || policy.availability_query.empty()) return plan;
  std::string last = month_text(current - std::chrono::months(1));
  if (!repos.find<storage::Availability>(last, "")) plan.month = last;
  return plan;
}

Outcome measured(const Context& ctx, std::string_view month, const PrometheusAnswer& answer,
                 const std::string& asked_by, bool tell_admins) {
  Outcome out;
  std::string when = month_and_year(month);
  if (!answer.percent) {
    std::string fix = fmt::format(
        "See the query with `/itpm config show`, change it with `/itpm config set "
        "availability-query '…'`, or record the number yourself: `/itpm kpi availability record "
        "99.95 --month {}`.",
        month);
    out.reply =
        text_reply(Visibility::ephemeral,
                   {fmt::format("⚠️ {}'s availability was not measured; nothing was stored. {}",
                                when, sentence(answer.error)),
                    fix});
    if (tell_admins) {
      for (const auto& admin : ctx.admins) {
        PostMessage dm;
        dm.to_user = admin;
        dm.text = fmt::format(
            "⚠️ The month-end reading of {}'s availability from Prometheus failed; nothing was "
            "stored. {} I try again in a few hours; to try now: `/itpm kpi availability "
            "measure --month {}`. {}",
            when, sentence(answer.error), month, fix);
        send_dm(out, ctx, std::move(dm));
      }
    }
    return out;
  }
  std::string by = asked_by.empty() ? std::string(bot_actor) : asked_by;
  auto before = ctx.repos.find<storage::Availability>(std::string(month), "");
  storage::Availability after{std::string(month), "", std::llround(*answer.percent * 1000),
                              "measured",         by, millis(ctx.now)};
  ctx.repos.save(out.writes, after, before ? &*before : nullptr,
                 storage::Change{by, after.at, "measure"},
                 fmt::format("{}: {} (measured)", month, show_percent(*answer.percent)));
  out.reply =
      text_reply(Visibility::in_channel,
                 {fmt::format("📶 Availability of the platform in {}: *{}* measured by Prometheus{}",
                              when, show_percent(*answer.percent),
                              asked_by.empty() ? std::string(" at the month's end")
                                               : " for " + user_mention(asked_by)),
                  against_target(*answer.percent, ctx.policy, before)});
  return out;
}

}  // namespace itpm::commands
