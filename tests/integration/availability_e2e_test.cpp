// Availability read from Prometheus (commands.md §7) by the real binary, against the
// simulator's fake of Prometheus' HTTP API: the month-end run for the month just ended once a
// query is set, an admin's `kpi availability measure`, and the failures (a refused query, NaN,
// nobody listening) as one clear line with nothing stored.
#include "tests/support/bot_run.hpp"
#include "tests/support/command_fixture.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using itpm::sim::ApiCall;
using itpm::sim::Snapshot;
using itpm::test::BotRun;
using itpm::test::contains;

namespace {

// The month before this one (UTC, the bot's default zone here): "2026-11", and its quarter.
struct LastMonth {
  std::string month;
  std::string quarter;
  std::chrono::sys_seconds ended;
};

LastMonth last_month() {
  auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  std::chrono::year_month_day ymd(today);
  auto ym = ymd.year() / ymd.month() - std::chrono::months(1);
  return {
      fmt::format("{:04}-{:02}", static_cast<int>(ym.year()), static_cast<unsigned>(ym.month())),
      fmt::format("{}Q{}", static_cast<int>(ym.year()),
                  (static_cast<unsigned>(ym.month()) - 1) / 3 + 1),
      std::chrono::sys_days(ymd.year() / ymd.month() / 1)};
}

std::vector<ApiCall> queries(const Snapshot& s) {
  std::vector<ApiCall> out;
  for (const auto& call : s.calls)
    if (call.method == "prometheus.query") out.push_back(call);
  return out;
}

// The text of the last response_url answer that holds `part`, once one does.
std::string answered(itpm::sim::SlackSim& sim, const std::string& part) {
  std::string text;
  sim.wait_for(
      [&](const Snapshot& s) {
        for (const auto& call : s.calls) {
          if (call.method == "response_url" && contains(call.args.value("text", ""), part)) {
            text = call.args.value("text", "");
            return true;
          }
        }
        return false;
      },
      15s);
  return text;
}

}  // namespace

TEST_CASE("the bot reads the month just ended from Prometheus once a query is set",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim, {{"ITPM_ADMINS", "U0DEMO1"},
                    {"ITPM_PROMETHEUS_URL", sim->prometheus_url()},
                    {"ITPM_PROMETHEUS_TOKEN", "prom-secret-token"}});
  REQUIRE(bot.wait_hellos(1));
  REQUIRE(bot.process().wait_for_output("availability is read from Prometheus", 10s));
  CHECK(queries(sim->snapshot()).empty());  // no query yet: nothing is asked
  std::string set =
      bot.command("config set availability-query 'avg_over_time(probe_success[$range]) * 100'");
  INFO(set);
  CHECK(contains(set, "try it now with `/itpm kpi availability measure`"));
  auto last = last_month();
  REQUIRE(bot.process().wait_for_output(
      fmt::format("availability of {} read from Prometheus: 99.953%", last.month), 15s));
  auto asked = queries(sim->snapshot());
  REQUIRE(asked.size() == 1);
  // At the instant the month ended, over exactly that month, with the bearer token.
  CHECK(asked[0].args.value("time", "") == std::to_string(last.ended.time_since_epoch().count()));
  CHECK(contains(asked[0].args.value("query", ""), "avg_over_time(probe_success["));
  CHECK_FALSE(contains(asked[0].args.value("query", ""), "$range"));
  CHECK(asked[0].args.value("authorization", "") == "Bearer prom-secret-token");
  std::string kpi = bot.command("kpi --quarter " + last.quarter);
  INFO(kpi);
  CHECK(contains(kpi, "99.953% measured"));
  // Once the month has its number, it is not asked again (a restart included).
  REQUIRE(bot.terminate() == std::optional<int>(0));
  CHECK(queries(sim->snapshot()).size() == 1);
}

TEST_CASE("a reading that fails says why in one line and stores nothing", "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim, {{"ITPM_ADMINS", "U0DEMO1"}, {"ITPM_PROMETHEUS_URL", sim->prometheus_url()}});
  REQUIRE(bot.wait_hellos(1));
  sim->answer_prometheus(
      400,
      R"({"status":"error","errorType":"bad_data","error":"1:15: parse error: unexpected \"]\""})");
  bot.command("config set availability-query 'avg_over_time(up[$range]) * 100'");
  auto last = last_month();
  // The month-end run fails first: logged, and tried again later.
  REQUIRE(bot.process().wait_for_output(
      fmt::format("availability of {} not read from Prometheus (nothing stored)", last.month),
      15s));
  CHECK(contains(bot.command("kpi availability measure"), "Asking Prometheus"));
  std::string refused = answered(*sim, "Prometheus refused the query");
  INFO(refused);
  CHECK(contains(refused,
                 "nothing was stored. Prometheus refused the query (bad_data: 1:15: "
                 "parse error: unexpected \"]\")"));
  CHECK(contains(refused, "`/itpm config set availability-query"));

  sim->answer_prometheus(200, R"({"status":"success","data":{"resultType":"vector","result":[
      {"metric":{},"value":[1,"NaN"]}]}})");
  bot.command("kpi availability measure");
  CHECK(contains(answered(*sim, "gave NaN"), "was not measured; nothing was stored"));
  sim->answer_prometheus(200, R"({"status":"success","data":{"resultType":"vector","result":[
      {"metric":{"service":"api"},"value":[1,"99.9"]},{"metric":{"service":"git"},"value":[1,"99.8"]}]}})");
  bot.command("kpi availability measure");
  CHECK(contains(answered(*sim, "series"), "gave 2 series"));
  CHECK(contains(bot.command("kpi --quarter " + last.quarter), "(target 99.9%) ⚪ no data"));
  CHECK(contains(bot.command("audit availability"), "No history for"));
  REQUIRE(bot.terminate() == std::optional<int>(0));
}

TEST_CASE("a Prometheus nobody answers at is named in the reply", "[integration]") {
  auto sim = itpm::test::make_sim();
  // Port 1 on loopback: nothing listens there.
  BotRun bot(*sim, {{"ITPM_ADMINS", "U0DEMO1"},
                    {"ITPM_PROMETHEUS_URL", "http://127.0.0.1:1"},
                    {"ITPM_AVAILABILITY_QUERY", "avg(up) * 100"}});
  REQUIRE(bot.wait_hellos(1));
  bot.command("kpi availability measure");
  std::string line = answered(*sim, "did not answer");
  INFO(line);
  CHECK(contains(line, "Prometheus at http://127.0.0.1:1 did not answer ("));
  CHECK(contains(line, "nothing was stored"));
  REQUIRE(bot.terminate() == std::optional<int>(0));
}
