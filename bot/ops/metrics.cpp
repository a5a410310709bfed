#include "bot/ops/metrics.hpp"

#include "bot/ops/process_metrics.hpp"
#include "bot/ops/version.hpp"

#include <fmt/format.h>

namespace itpm::bot {

Metrics::Metrics()
    // Up to Slack's 3 s ack deadline, and past it.
    : bucket_bounds_{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 3, 5},
      bucket_counts_(bucket_bounds_.size(), 0) {
  auto declare = [&](std::string name, std::string type, std::string help) {
    families_[std::move(name)] = Family{std::move(type), std::move(help), {}};
  };
  declare("itpm_envelopes_received_total", "counter", "Socket Mode envelopes received, by type.");
  declare("itpm_envelopes_acked_total", "counter", "Socket Mode envelopes acknowledged, by type.");
  declare("itpm_reconnects_total", "counter", "Socket Mode connections replaced, by reason.");
  declare("itpm_web_api_calls_total", "counter", "Slack Web API calls, by method and result.");
  declare("itpm_rate_limit_waits_total", "counter", "Waits on HTTP 429 Retry-After, by method.");
  declare("itpm_bad_frames_total", "counter", "Socket Mode frames dropped as malformed.");
  declare("itpm_socket_connections", "gauge", "Open Socket Mode connections.");
  declare("itpm_outbox_depth", "gauge", "Slack posts waiting to be sent.");
  declare("itpm_scheduled_jobs_pending", "gauge", "Scheduled jobs waiting to fire.");
  declare("itpm_jobs_fired_total", "counter", "Scheduled jobs run (posts, ladder steps, ...).");
  declare("itpm_job_lateness_seconds", "gauge",
          "How long after its due time the last scheduled job ran.");
  declare("itpm_task_failures_total", "counter",
          "Units of background work that failed (scheduler rounds, posts, backups, ...), by task.");
  declare("itpm_task_failing", "gauge",
          "1 while a background task's last units of work all failed (readyz is 503), by task.");
  declare("itpm_problem", "gauge",
          "1 while a condition keeps the bot from serving (readyz is 503), by name.");
  declare("itpm_posts_dropped_total", "counter",
          "Canned replies not sent, by reason (queue_full, per-person rate limit).");
  declare("itpm_posts_undelivered_total", "counter",
          "Posts Slack refused for good, by Slack's error (not_in_channel, is_archived, ...).");
  declare("itpm_quarantined_total", "counter",
          "Stored rows the bot could not process, moved aside, by kind (job, post).");
  declare("itpm_availability_queries_total", "counter",
          "Availability readings from Prometheus, by result (stored, failed).");
  declare("itpm_charts_total", "counter",
          "Charts sent with posts, by result (uploaded; text_instead: Slack refused the upload or "
          "it could not be drawn, and the text stood for it).");
  declare("itpm_dashboard_requests_total", "counter",
          "Dashboard page requests, by page (portfolio, heatmap, kpi, program, other) and result "
          "(ok, forbidden: no valid link, not_found, error, busy).");
  declare("itpm_last_backup_timestamp_seconds", "gauge",
          "When the last automatic backup was written and verified (0: none in this run).");
  declare("itpm_build_info", "gauge", "The running build: version and git revision, value 1.");
  // The label sets known in advance are there from the start, at 0: a scrape sees a series
  // before its first event, and rate() and alerts work from the first increment.
  auto zero = [&](const char* name, std::string_view label,
                  std::initializer_list<std::string_view> values) {
    for (auto v : values) families_.at(name).series[render_labels({{label, v}})] = 0;
  };
  zero("itpm_envelopes_received_total", "type", {"slash_commands", "events_api", "interactive"});
  zero("itpm_envelopes_acked_total", "type", {"slash_commands", "events_api", "interactive"});
  zero("itpm_reconnects_total", "reason", {"refresh", "stale", "lost"});
  zero("itpm_task_failures_total", "task", {"scheduler", "posts", "backups"});
  zero("itpm_task_failing", "task", {"scheduler", "posts", "backups"});
  zero("itpm_problem", "name", {"slack", "store"});
  zero("itpm_posts_dropped_total", "reason", {"queue_full"});
  zero("itpm_posts_undelivered_total", "reason",
       {"not_in_channel", "channel_not_found", "is_archived", "missing_scope"});
  zero("itpm_quarantined_total", "kind", {"job", "post"});
  zero("itpm_availability_queries_total", "result", {"stored", "failed"});
  zero("itpm_charts_total", "result", {"uploaded", "text_instead"});
  for (std::string_view page : {"portfolio", "heatmap", "kpi", "program"}) {
    for (std::string_view result : {"ok", "forbidden"}) {
      families_.at("itpm_dashboard_requests_total")
          .series[render_labels({{"page", page}, {"result", result}})] = 0;
    }
  }
  families_.at("itpm_build_info")
      .series[render_labels({{"version", ITPM_VERSION}, {"revision", build_revision()}})] = 1;
}

std::string Metrics::render_labels(const Labels& labels) {
  // Runs for every counted envelope: appended in place, without a format call per label.
  std::string out;
  for (const auto& [k, v] : labels) {
    if (!out.empty()) out += ',';
    out += k;
    out += "=\"";
    for (char c : v) {
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      if (c == '\\' || c == '"') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out;
}

void Metrics::add(std::string_view name, const Labels& labels, double amount) {
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) throw std::out_of_range(std::string(name));
  it->second.series[render_labels(labels)] += amount;
}

void Metrics::set(std::string_view name, const Labels& labels, double value) {
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) throw std::out_of_range(std::string(name));
  it->second.series[render_labels(labels)] = value;
}

void Metrics::observe_ack_latency(double seconds) {
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < bucket_bounds_.size(); ++i) {
    if (seconds <= bucket_bounds_[i]) ++bucket_counts_[i];
  }
  latency_sum_ += seconds;
  ++latency_count_;
}

double Metrics::value(std::string_view name, const Labels& labels) const {
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) throw std::out_of_range(std::string(name));
  auto s = it->second.series.find(render_labels(labels));
  return s == it->second.series.end() ? 0 : s->second;
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, family.help, name, family.type);
    if (family.series.empty()) out += fmt::format("{} 0\n", name);
    for (const auto& [labels, v] : family.series) {
      out += labels.empty() ? fmt::format("{} {}\n", name, v)
                            : fmt::format("{}{{{}}} {}\n", name, labels, v);
    }
  }
  const char* h = "itpm_ack_latency_seconds";
  out += fmt::format(
      "# HELP {} Time from receiving an envelope to queueing its ack.\n# TYPE {} histogram\n", h,
      h);
  for (std::size_t i = 0; i < bucket_bounds_.size(); ++i) {
    out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", h, bucket_bounds_[i], bucket_counts_[i]);
  }
  out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n{}_sum {}\n{}_count {}\n", h, latency_count_, h,
                     latency_sum_, h, latency_count_);
  out += render_process_metrics();
  return out;
}

}  // namespace itpm::bot
