#pragma once

#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace itpm::bot {

// Counters, gauges and one latency histogram, rendered in Prometheus text format.
// Thread-safe. Unknown metric names are a programming error (std::out_of_range).
class Metrics {
 public:
  using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

  Metrics();

  void add(std::string_view name, const Labels& labels = {}, double amount = 1);
  void set(std::string_view name, const Labels& labels, double value);
  void observe_ack_latency(double seconds);

  // The current value of a counter or gauge series; 0 when never touched.
  [[nodiscard]] double value(std::string_view name, const Labels& labels = {}) const;
  [[nodiscard]] std::string render() const;

 private:
  struct Family {
    std::string type;
    std::string help;
    std::map<std::string, double> series;  // rendered label set -> value
  };

  static std::string render_labels(const Labels& labels);

  mutable std::mutex mutex_;
  std::map<std::string, Family, std::less<>> families_;
  std::vector<double> bucket_bounds_;
  std::vector<unsigned long long> bucket_counts_;
  double latency_sum_ = 0;
  unsigned long long latency_count_ = 0;
};

}  // namespace itpm::bot
