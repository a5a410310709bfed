#include "bot/ops/metrics.hpp"

#include <catch2/catch.hpp>

using itpm::bot::Metrics;

TEST_CASE("metrics render in Prometheus text format with escaped labels") {
  Metrics m;
  m.add("itpm_web_api_calls_total", {{"method", "chat.postMessage"}, {"result", "ok"}});
  m.add("itpm_web_api_calls_total", {{"method", "chat.postMessage"}, {"result", "ok"}});
  m.add("itpm_reconnects_total", {{"reason", "a\"b"}});
  m.set("itpm_outbox_depth", {}, 3);
  m.observe_ack_latency(0.004);
  m.observe_ack_latency(2.0);
  std::string text = m.render();
  CHECK(text.find("# TYPE itpm_web_api_calls_total counter") != std::string::npos);
  CHECK(text.find("itpm_web_api_calls_total{method=\"chat.postMessage\",result=\"ok\"} 2") !=
        std::string::npos);
  CHECK(text.find("itpm_reconnects_total{reason=\"a\\\"b\"} 1") != std::string::npos);
  CHECK(text.find("itpm_outbox_depth 3") != std::string::npos);
  CHECK(text.find("itpm_scheduled_jobs_pending 0") != std::string::npos);
  CHECK(text.find("itpm_ack_latency_seconds_bucket{le=\"0.005\"} 1") != std::string::npos);
  CHECK(text.find("itpm_ack_latency_seconds_bucket{le=\"+Inf\"} 2") != std::string::npos);
  CHECK(text.find("itpm_ack_latency_seconds_count 2") != std::string::npos);
  CHECK(m.value("itpm_web_api_calls_total", {{"method", "chat.postMessage"}, {"result", "ok"}}) ==
        2);
  CHECK_THROWS_AS(m.add("itpm_no_such_metric"), std::out_of_range);
}
