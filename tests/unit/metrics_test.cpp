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

TEST_CASE("every family is there from the start with the known label sets at zero") {
  Metrics m;
  std::string text = m.render();
  INFO(text);
  for (const char* line : {
           "itpm_reconnects_total{reason=\"stale\"} 0",
           "itpm_envelopes_acked_total{type=\"slash_commands\"} 0",
           "itpm_posts_undelivered_total{reason=\"not_in_channel\"} 0",
           "itpm_task_failing{task=\"backups\"} 0", "itpm_problem{name=\"store\"} 0",
           "itpm_availability_queries_total{result=\"failed\"} 0",
           "itpm_bad_frames_total 0",  // a counter without labels
           "itpm_last_backup_timestamp_seconds 0",
           "itpm_ack_latency_seconds_bucket{le=\"3\"} 0",  // Slack's ack deadline
       }) {
    CHECK(text.find(std::string(line) + "\n") != std::string::npos);
  }
  CHECK(text.find("itpm_build_info{version=\"" ITPM_VERSION "\",revision=\"") != std::string::npos);
  // The process itself, from /proc/self.
  for (const char* family : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                             "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
                             "process_start_time_seconds"}) {
    CHECK(text.find(std::string("# TYPE ") + family + " ") != std::string::npos);
  }
  auto sample = [&](const std::string& name) {
    auto at = text.find("\n" + name + " ");
    REQUIRE(at != std::string::npos);
    return std::stod(text.substr(at + name.size() + 2));
  };
  CHECK(sample("process_resident_memory_bytes") > 0);
  CHECK(sample("process_open_fds") >= 3);
  double started = sample("process_start_time_seconds");
  double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  CHECK(started <= now + 1);
  CHECK(started > now - 24 * 3600);
}
