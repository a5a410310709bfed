// Availability read from Prometheus (commands.md §7), the pure half: the request the bot sends,
// how an answer of the HTTP API is read, when the month-end run measures, what a reading
// stores, and the commands and setting around it. The bot's half is tested against the
// simulator's fake Prometheus in tests/integration/availability_e2e_test.cpp.
#include "commands/areas/availability.hpp"
#include "commands/areas/config_commands.hpp"
#include "commands/areas/handler_support.hpp"
#include "tests/support/command_fixture.hpp"

#include <catch2/catch.hpp>

using namespace itpm::commands;
using itpm::test::contains;

namespace {

std::string vector_of(const std::vector<std::string>& values) {
  nlohmann::json result = nlohmann::json::array();
  int n = 0;
  for (const auto& v : values) {
    result.push_back({{"metric", {{"job", "probe"}, {"instance", "i" + std::to_string(++n)}}},
                      {"value", {1796083200, v}}});
  }
  return nlohmann::json{{"status", "success"},
                        {"data", {{"resultType", "vector"}, {"result", result}}}}
      .dump();
}

std::string form_value(const PrometheusRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.form)
    if (k == name) return v;
  return "<absent>";
}

struct ProbeFixture : itpm::test::CommandFixture {
  ProbeFixture() {
    base.prometheus_url = "http://prometheus:9090";
    base.availability_query = "avg_over_time(probe_success[$range]) * 100";
  }
  Context context() {
    return make_context(repos, Settings{base, {"UADMIN", "UADMIN2"}}, now, "UTC");
  }
};

}  // namespace

TEST_CASE("the query is evaluated at the month's end over the month's length") {
  auto utc = prometheus_request("http://prometheus:9090/", "avg_over_time(up[$range]) * 100",
                                "2026-11", "UTC");
  CHECK(utc.url == "http://prometheus:9090/api/v1/query");
  CHECK(form_value(utc, "time") == "1796083200");  // 2026-12-01 00:00 UTC
  CHECK(form_value(utc, "query") == "avg_over_time(up[2592000s]) * 100");
  // October in Amsterdam ends at 23:00 UTC and is an hour longer (the clocks went back).
  auto ams = prometheus_request("https://mon.example.com/prometheus", "min(a[$range]) / b[$range]",
                                "2026-10", "Europe/Amsterdam");
  CHECK(ams.url == "https://mon.example.com/prometheus/api/v1/query");
  CHECK(form_value(ams, "time") == "1793487600");
  CHECK(form_value(ams, "query") == "min(a[2682000s]) / b[2682000s]");
}

TEST_CASE("an answer of Prometheus gives one percentage or says what to change") {
  auto ok = read_prometheus_answer(200, vector_of({"99.9534"}));
  REQUIRE(ok.percent);
  CHECK(*ok.percent == Approx(99.953));
  auto scalar = read_prometheus_answer(
      200, R"({"status":"success","data":{"resultType":"scalar","result":[1796083200,"100"]}})");
  REQUIRE(scalar.percent);
  CHECK(*scalar.percent == 100);
  struct Bad {
    int status;
    std::string body;
    std::string says;
  };
  for (
      const Bad& bad : std::vector<Bad>{
          {200, vector_of({"NaN"}), "The query gave NaN for the month"},
          {200, vector_of({"+Inf"}), "gave +Inf"},
          {200, vector_of({"0.9995"}), "looks like a ratio: multiply it by 100"},
          {200, vector_of({"100.2"}), "outside 0 to 100"},
          {200, vector_of({"-3"}), "outside 0 to 100"},
          {200, vector_of({"lots"}), "which is not a number"},
          {200, vector_of({}), "gave no series for the month"},
          {200, vector_of({"99.9", "99.8", "99.7"}),
           "gave 3 series ({instance=\"i1\",job=\"probe\"}, {instance=\"i2\",job=\"probe\"}, "
           "…), not one number: aggregate them"},
          {200, R"({"status":"success","data":{"resultType":"matrix","result":[]}})",
           "a range of samples, not one number"},
          {200, R"({"status":"success","data":{"resultType":"string","result":[1,"x"]}})",
           "gave string, not a number"},
          {400,
           R"({"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected <by>"})",
           "Prometheus refused the query (bad_data: 1:5: parse error: unexpected &lt;by&gt;)"},
          {422, R"({"status":"error","errorType":"execution","error":"query timed out"})",
           "(execution: query timed out)"},
          {404, "404 page not found", "answered HTTP 404 for /api/v1/query"},
          {200, "<html>Grafana</html>", "with text that is not its JSON"},
          {401, "Unauthorized", "set ITPM_PROMETHEUS_TOKEN"},
          {503, "", "answered HTTP 503 (down or overloaded?)"},
      }) {
    INFO(bad.body);
    auto got = read_prometheus_answer(bad.status, bad.body);
    CHECK_FALSE(got.percent);
    CHECK(contains(got.error, bad.says));
  }
  CHECK(unreachable("http://127.0.0.1:9", "Connection refused").error ==
        "Prometheus at http://127.0.0.1:9 did not answer (Connection refused)");
}

TEST_CASE("the month-end run measures the month just ended once it has no number") {
  ProbeFixture f;
  using std::chrono::sys_days;
  auto dec1 = sys_days(std::chrono::year{2026} / 12 / 1);
  // Five minutes into December: November is left to settle until 00:10.
  auto early = plan_measurement(f.repos, f.base, dec1 + std::chrono::minutes(5));
  CHECK(early.month.empty());
  CHECK(early.next == dec1 + std::chrono::minutes(10));
  auto plan = plan_measurement(f.repos, f.base, dec1 + std::chrono::hours(3));
  CHECK(plan.month == "2026-11");
  CHECK(plan.next == sys_days(std::chrono::year{2027} / 1 / 1) + std::chrono::minutes(10));
  // In the default zone: at 00:30 UTC it is still November in Los Angeles.
  Policy west = f.base;
  west.default_zone = "America/Los_Angeles";
  CHECK(plan_measurement(f.repos, west, dec1 + std::chrono::minutes(30)).month == "2026-10");
  // Nothing without a URL or a query; nothing once the month has a number.
  Policy bare = f.base;
  bare.prometheus_url.clear();
  CHECK(plan_measurement(f.repos, bare, dec1 + std::chrono::hours(3)).month.empty());
  f.now = dec1 + std::chrono::hours(2);
  f.run("kpi availability record 99.5 --month 2026-11", "UADMIN");
  CHECK(plan_measurement(f.repos, f.base, dec1 + std::chrono::hours(3)).month.empty());
}

TEST_CASE("a reading is stored as measured and audited and a failed one stores nothing") {
  ProbeFixture f;
  f.run("kpi availability record 99.5 --month 2026-10", "UADMIN");
  auto ok = measured(f.context(), "2026-10", PrometheusAnswer{99.953, ""}, "UADMIN", false);
  INFO(ok.reply.text);
  CHECK(contains(ok.reply.text,
                 "📶 Availability of the platform in Oct 2026: *99.953%* measured by Prometheus "
                 "for <@UADMIN>"));
  CHECK(contains(ok.reply.text,
                 "🟢 meets the target 99.9% · replaces 99.5% (recorded by <@UADMIN>)"));
  REQUIRE(f.store->commit(std::move(ok.writes)));
  auto stored = f.repos.find<itpm::storage::Availability>(std::string("2026-10"), std::string());
  REQUIRE(stored);
  CHECK(stored->milli_percent == 99'953);
  CHECK(stored->source == "measured");
  auto audit = f.repos.audit("availability");
  REQUIRE(audit.size() == 2);
  CHECK(audit[1].action == "measure");
  CHECK(contains(f.run("kpi").reply.text, "Oct 99.953% measured"));
  // The month-end run is itpm's own.
  auto own = measured(f.context(), "2026-11", PrometheusAnswer{99.2, ""}, "", false);
  CHECK(contains(own.reply.text, "measured by Prometheus at the month's end"));
  CHECK(contains(own.reply.text, "🔴 below the target 99.9%"));
  REQUIRE(f.store->commit(std::move(own.writes)));
  CHECK(f.repos.find<itpm::storage::Availability>(std::string("2026-11"), std::string())->by ==
        "itpm");

  // A failure: nothing stored, the reason and the fix; admins told by DM in their hours.
  auto bad = measured(f.context(), "2026-09", PrometheusAnswer{std::nullopt, "The query gave NaN"},
                      "", true);
  INFO(bad.reply.text);
  CHECK(contains(bad.reply.text,
                 "⚠️ Sep 2026's availability was not measured; nothing was stored. The query "
                 "gave NaN."));
  CHECK(contains(bad.reply.text, "`/itpm kpi availability record 99.95 --month 2026-09`"));
  std::vector<std::string> told;
  for (const auto& effect : bad.effects) {
    const auto& dm = std::get<PostMessage>(effect);
    CHECK(dm.working_hours);
    CHECK(contains(dm.text, "The month-end reading of Sep 2026's availability"));
    told.push_back(dm.to_user);
  }
  CHECK(told == std::vector<std::string>{"UADMIN", "UADMIN2"});
  REQUIRE(f.store->commit(std::move(bad.writes)));
  CHECK_FALSE(f.repos.find<itpm::storage::Availability>(std::string("2026-09"), std::string()));
  CHECK(measured(f.context(), "2026-09", PrometheusAnswer{std::nullopt, "x"}, "UADMIN", false)
            .effects.empty());
}

TEST_CASE("kpi availability measure asks Prometheus for a month that has ended") {
  ProbeFixture f;  // Fri 2026-11-27
  auto asked = f.run("kpi availability measure", "UADMIN");
  INFO(asked.reply.text);
  CHECK(
      contains(asked.reply.text, "Asking Prometheus for the platform's availability in Oct 2026"));
  REQUIRE(asked.effects.size() == 1);
  const auto& m = std::get<MeasureAvailability>(asked.effects[0]);
  CHECK(m.month == "2026-10");
  CHECK(m.asked_by == "UADMIN");
  CHECK(m.response_url == "https://hooks.example/r");
  CHECK(std::get<MeasureAvailability>(
            f.run("kpi availability measure --month 2026-07", "UADMIN").effects.at(0))
            .month == "2026-07");
  struct Bad {
    const char* text;
    const char* says;
  };
  for (const Bad& bad : std::vector<Bad>{
           {"kpi availability measure --month 2026-11", "--month 2026-11 has not ended yet"},
           {"kpi availability measure --month 11", "--month takes a month like 2026-10"},
           {"kpi availability measure 99.9", "`measure` asks Prometheus and takes no percentage"},
           {"kpi availability measure --service api", "--service goes with `record`"},
           {"kpi availability record --month 2026-10", "`record` takes the percentage"},
       }) {
    INFO(bad.text);
    auto out = f.run(bad.text, "UADMIN");
    CHECK(out.effects.empty());
    CHECK(contains(out.reply.text, bad.says));
  }
  CHECK(contains(f.run("kpi availability measure", "UBOB").reply.text,
                 "Only itpm admins can measure availability"));
  f.base.availability_query.clear();
  CHECK(contains(f.run("kpi availability measure", "UADMIN").reply.text,
                 "There is no availability query yet"));
  f.base.prometheus_url.clear();
  CHECK(contains(f.run("kpi availability measure", "UADMIN").reply.text,
                 "ITPM_PROMETHEUS_URL is not set on the bot"));
}

TEST_CASE("config set availability-query takes PromQL as Slack sends it") {
  ProbeFixture f;
  f.base.availability_query.clear();
  // Slack turned the quotes curly and a host name into a link.
  auto set = f.run(
      "config set availability-query "
      "'avg_over_time(probe_success{instance=“<http://git.example.com|"
      "git.example.com>”}[$range]) * 100'",
      "UADMIN");
  INFO(set.reply.text);
  CHECK(contains(set.reply.text, "try it now with `/itpm kpi availability measure`"));
  auto policy = effective_policy(f.base, f.repos.settings());
  CHECK(policy.availability_query ==
        "avg_over_time(probe_success{instance=\"git.example.com\"}[$range]) * 100");
  CHECK(
      contains(f.run("config show").reply.text,
               "`availability-query` *`avg_over_time(probe_success{instance=\"git.example.com\"}"));
  struct Bad {
    const char* value;
    const char* says;
  };
  for (const Bad& bad : std::vector<Bad>{
           {"'sum(rate(x[$range])'", "availability-query is missing a )"},
           {"'sum(x))'", "unmatched ) at character 7"},
           {"'up{job=\"a}'", "unclosed \" string"},
           {"' '", "a PromQL query of up to 1,000 characters"},
       }) {
    INFO(bad.value);
    auto out = f.run(std::string("config set availability-query ") + bad.value, "UADMIN");
    CHECK(out.writes.empty());
    CHECK(contains(out.reply.text, bad.says));
  }
  // Without ITPM_PROMETHEUS_URL the query is kept but said to be unread.
  f.base.prometheus_url.clear();
  auto unread = f.run("config set availability-query 'avg(up) * 100'", "UADMIN");
  CHECK(contains(unread.reply.text, "Nothing reads it yet: ITPM_PROMETHEUS_URL is not set"));
  CHECK(contains(f.run("config show").reply.text, "(not read: ITPM_PROMETHEUS_URL is not set)"));
}
