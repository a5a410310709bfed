// A fake of Prometheus' HTTP API (`/api/v1/query`), beside the Slack simulator, for the bot's
// availability readings (commands.md §7): what a test or the demo sets is what every query
// gets, and each query is kept for the test to read. Not a PromQL engine.
#include "tools/slack_sim/sim_core.hpp"

#include <fmt/format.h>

namespace itpm::sim {

using nlohmann::json;

HttpAnswer SlackSim::Core::prometheus_api(const HttpIn& in, const std::string& path,
                                          const std::string& query) {
  HttpAnswer a;
  if (path != "/prometheus/api/v1/query") {
    a.status = 404;
    a.content_type = "text/plain; charset=utf-8";
    a.body = "404 page not found";
    return a;
  }
  json args =
      in.method == "POST" && in.content_type.starts_with("application/x-www-form-urlencoded")
          ? parse_form(in.body)
          : parse_form(query);
  args["authorization"] = in.authorization;
  a.status = prometheus_status;
  a.body = prometheus_body;
  if (a.body.empty()) {
    // One series, sampled at the query's time, as Prometheus answers an instant query.
    double at = 0;
    if (args.contains("time")) at = std::atof(args["time"].get<std::string>().c_str());
    a.body = json{{"status", "success"},
                  {"data",
                   {{"resultType", "vector"},
                    {"result", json::array({{{"metric", json::object()},
                                             {"value", json::array({at, "99.953"})}}})}}}}
                 .dump();
  }
  output(fmt::format("prometheus> {} → HTTP {}", args.value("query", std::string()), a.status));
  ApiCall call{"prometheus.query", args, in.content_type, a.status, "", Clock::now()};
  state.update([&](Snapshot& s) { s.calls.push_back(std::move(call)); });
  return a;
}

}  // namespace itpm::sim
