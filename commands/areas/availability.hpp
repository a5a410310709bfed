#pragma once
// A month's availability (commands.md §7), recorded by an admin or read from Prometheus:
// `kpi availability record <percent> --month YYYY-MM [--service name]` and `kpi availability
// measure [--month YYYY-MM]` (admins). The Prometheus half is pure here: this builds the
// request and reads the answer; the bot (bot/availability_probe) sends it, at each month's end
// and when an admin asks.

#include "commands/command.hpp"
#include "commands/language/parser.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace itpm::commands {

// `kpi availability record ...` and `kpi availability measure ...`.
Outcome availability_command(const ParsedCommand& cmd, const Command& command, const Context& ctx);

// "2026-11" -> "Nov" (the text itself when it is not a month).
std::string month_name(std::string_view month);

// The HTTP API call that evaluates the query for `month` (YYYY-MM): a POST of `form` to
// <base>/api/v1/query, at the instant the month ends in `zone`. `$range` in the query becomes
// the month's length in seconds ("2678400s"), so a query like
// `avg_over_time(probe_success[$range]) * 100` covers exactly that month.
struct PrometheusRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> form;  // query, time
};
PrometheusRequest prometheus_request(std::string_view base_url, std::string_view query,
                                     std::string_view month, const std::string& zone);

// What came back, read: a percentage, or one line saying why there is none.
struct PrometheusAnswer {
  std::optional<double> percent;
  std::string error;
};
// Reads an answer of the HTTP API: one sample (a one-series vector or a scalar) from 0 to 100.
// Anything else (an error status, Prometheus' own error, several series, none, NaN, a ratio
// from 0 to 1, text that is not its JSON) is an error that says what to change.
PrometheusAnswer read_prometheus_answer(int http_status, std::string_view body);
// A request that got no answer at all (`why`: the network error).
PrometheusAnswer unreachable(std::string_view base_url, std::string_view why);

// The month-end run: the latest month that has ended (in the default zone) if it has no
// platform number yet, and when to look next (the end of the current month). `month` is empty
// when there is nothing to measure now, or Prometheus is not configured.
struct MeasurePlan {
  std::string month;
  std::chrono::system_clock::time_point next;
};
MeasurePlan plan_measurement(const storage::Repositories& repos, const Policy& policy,
                             std::chrono::system_clock::time_point now);

// What a measurement of `month` leads to. A percentage: the platform's record for the month
// (marked measured, by `asked_by`, or by itpm at the month's end; audited, replacing an
// earlier record) and the reply that says so. An error: nothing stored, the reply says why and
// how to fix it; with `tell_admins`, each admin also gets it by DM in their working hours.
Outcome measured(const Context& ctx, std::string_view month, const PrometheusAnswer& answer,
                 const std::string& asked_by, bool tell_admins);

}  // namespace itpm::commands
