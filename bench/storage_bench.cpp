// itpm-storage-bench: durable write throughput and decision search latency on a real store.
//   itpm-storage-bench writes DIR [N] [WINDOW]   one fsync per command vs group commit
//   itpm-storage-bench search DIR [DECISIONS] [QUERIES]
//                                                 fills DIR with generated decisions (once),
//                                                 then times one- and three-word searches
// Prints numbers; never a verdict.
#include "bench/measure.hpp"
#include "storage/database.hpp"
#include "storage/repositories.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>

using namespace itpm::storage;
using Clock = std::chrono::steady_clock;
using itpm::bench::percentile;

namespace {

const std::vector<std::string> verbs = {
    "Use",   "Adopt",   "Migrate to", "Retire", "Standardise on", "Defer",
    "Pilot", "Replace", "Keep",       "Drop",   "Require",        "Automate"};
const std::vector<std::string> things = {"Patroni",
                                         "Stolon",
                                         "pg_auto_failover",
                                         "Postgres 16",
                                         "MySQL 8",
                                         "Kafka",
                                         "RabbitMQ",
                                         "NATS",
                                         "Redis",
                                         "Memcached",
                                         "k8s",
                                         "Nomad",
                                         "Terraform",
                                         "Pulumi",
                                         "Ansible",
                                         "ArgoCD",
                                         "Flux",
                                         "Jenkins",
                                         "GitHub Actions",
                                         "Buildkite",
                                         "Bazel",
                                         "ccache",
                                         "sccache",
                                         "S3",
                                         "GCS",
                                         "MinIO",
                                         "Ceph",
                                         "Vault",
                                         "cert-manager",
                                         "Envoy",
                                         "Istio",
                                         "Linkerd",
                                         "HAProxy",
                                         "NGINX",
                                         "CoreDNS",
                                         "Consul",
                                         "etcd",
                                         "ZooKeeper",
                                         "Prometheus",
                                         "Thanos",
                                         "Mimir",
                                         "Loki",
                                         "Tempo",
                                         "Grafana",
                                         "PagerDuty",
                                         "Opsgenie",
                                         "Sentry",
                                         "OpenTelemetry",
                                         "Jaeger",
                                         "Velero",
                                         "restic",
                                         "Borg",
                                         "pgBackRest",
                                         "WAL-G",
                                         "Debezium",
                                         "Flink",
                                         "Spark",
                                         "Airflow",
                                         "dbt",
                                         "ClickHouse",
                                         "BigQuery",
                                         "Snowflake",
                                         "DuckDB",
                                         "SQLite",
                                         "RocksDB",
                                         "Cassandra",
                                         "ScyllaDB",
                                         "DynamoDB",
                                         "Aurora",
                                         "Spanner",
                                         "CockroachDB",
                                         "TiDB",
                                         "Vitess",
                                         "ProxySQL",
                                         "PgBouncer",
                                         "Karpenter",
                                         "Cluster Autoscaler",
                                         "Graviton",
                                         "spot instances",
                                         "reserved instances",
                                         "a second region",
                                         "cross-region VPC peering",
                                         "Transit Gateway",
                                         "PrivateLink",
                                         "WireGuard",
                                         "Tailscale",
                                         "Okta",
                                         "Keycloak",
                                         "SPIFFE",
                                         "OPA",
                                         "Kyverno",
                                         "Falco",
                                         "Trivy",
                                         "Renovate",
                                         "Dependabot",
                                         "SBOMs",
                                         "Sigstore",
                                         "gVisor",
                                         "Firecracker",
                                         "eBPF",
                                         "Cilium",
                                         "Calico",
                                         "MetalLB",
                                         "BGP anycast",
                                         "Cloudflare",
                                         "Fastly",
                                         "Akamai"};
const std::vector<std::string> goals = {"automated failover",
                                        "disaster recovery",
                                        "backups",
                                        "point-in-time restore",
                                        "CI speed",
                                        "build caching",
                                        "release trains",
                                        "canary deploys",
                                        "blue-green deploys",
                                        "p99 latency",
                                        "cost control",
                                        "capacity planning",
                                        "on-call load",
                                        "incident response",
                                        "runbook automation",
                                        "secrets rotation",
                                        "certificate renewal",
                                        "service discovery",
                                        "rate limiting",
                                        "multi-region writes",
                                        "read replicas",
                                        "schema migrations",
                                        "log retention",
                                        "audit trails",
                                        "compliance evidence",
                                        "chaos drills",
                                        "quorum loss",
                                        "RPO of 5 minutes",
                                        "RTO of 30 minutes",
                                        "zero-downtime upgrades"};

std::string pick(std::mt19937& r, const std::vector<std::string>& v) {
  return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(r)];
}

double rss_mib() {
  return itpm::bench::memory_mib(getpid(), "VmRSS");
}

std::uint64_t disk_bytes(const std::filesystem::path& dir) {
  std::uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

Risk make_risk(Repositories& repos, Batch& batch, int i) {
  Risk r;
  r.number = repos.next_number<itpm::storage::Risk>(batch);
  r.program = "bench";
  r.title = "Risk " + std::to_string(i);
  r.likelihood = i % 5 + 1;
  r.impact = (i / 5) % 5 + 1;
  return r;
}

int writes(const std::filesystem::path& dir, int n, int window) {
  std::filesystem::remove_all(dir);
  auto store = Store::open(dir);
  Repositories repos(*store);
  Change change{"U0BENCH", 0, "add"};

  std::vector<double> latencies;
  auto start = Clock::now();
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    Batch batch;
    repos.save(batch, make_risk(repos, batch, i), nullptr, change);
    if (!store->commit(std::move(batch))) return 1;
    latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  double serial_s = std::chrono::duration<double>(Clock::now() - start).count();
  auto serial_stats = store->stats();
  fmt::print(
      "durable writes, one fsync per command: n={} {:.0f} writes/s p50={:.2f}ms p99={:.2f}ms "
      "syncs={}\n",
      n, n / serial_s, percentile(latencies, 0.5), percentile(latencies, 0.99),
      serial_stats.synced_writes);

  std::mutex m;
  std::condition_variable cv;
  int in_flight = 0;
  std::vector<double> group_latencies;
  start = Clock::now();
  for (int i = 0; i < n; ++i) {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return in_flight < window; });
    ++in_flight;
    lock.unlock();
    Batch batch;
    repos.save(batch, make_risk(repos, batch, i), nullptr, change);
    auto t0 = Clock::now();
    store->commit_async(std::move(batch), [&, t0](CommitResult) {
      std::lock_guard guard(m);
      group_latencies.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      --in_flight;
      cv.notify_all();
    });
  }
  {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return in_flight == 0; });
  }
  double group_s = std::chrono::duration<double>(Clock::now() - start).count();
  auto group_stats = store->stats();
  fmt::print(
      "durable writes, group commit (window {}): n={} {:.0f} writes/s p50={:.2f}ms p99={:.2f}ms "
      "syncs={}\n",
      window, n, n / group_s, percentile(group_latencies, 0.5), percentile(group_latencies, 0.99),
      group_stats.synced_writes - serial_stats.synced_writes);
  return 0;
}

void generate(Store& store, int count) {
  Repositories repos(store);
  std::mt19937 r(42);
  Change change{"U0BENCH", 0, "add"};
  auto start = Clock::now();
  for (int done = 0; done < count;) {
    Batch batch;
    for (int i = 0; i < 1000 && done < count; ++i, ++done) {
      Decision d;
      d.number = repos.next_number<itpm::storage::Decision>(batch);
      d.program = "prog-" + std::to_string(done % 40);
      d.title = pick(r, verbs) + " " + pick(r, things) + " for " + pick(r, goals);
      d.context = "Compared " + pick(r, things) + " and " + pick(r, things) + "; " +
                  pick(r, things) + " met the " + pick(r, goals) +
                  " need with less operational load.";
      d.alternatives = pick(r, things) + ", " + pick(r, things);
      d.tags = {pick(r, goals).substr(0, 12)};
      d.date = fmt::format("20{:02}-{:02}-{:02}", 20 + done % 7, done % 12 + 1, done % 28 + 1);
      d.decided_by = {"U0BENCH"};
      change.at = done;
      repos.save(batch, d, nullptr, change);
    }
    if (!store.commit(std::move(batch))) throw StoreError("generation failed");
  }
  store.compact(itpm::storage::Family::decision_postings);  // as an import leaves it
  fmt::print("generated {} decisions in {:.1f} s\n", count,
             std::chrono::duration<double>(Clock::now() - start).count());
}

int search(const std::filesystem::path& dir, int decisions, int queries) {
  {
    Store::Options fast;
    fast.sync = false;                      // generation only; the timed part reads
    auto store = open_database(dir, fast);  // a store of an older schema is migrated first
    if (store->counter("decision_docs") < decisions)
      generate(*store, decisions - static_cast<int>(store->counter("decision_docs")));
  }
  auto t0 = Clock::now();
  auto store = Store::open(dir);
  double open_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  fmt::print("open with {} decisions: {:.0f} ms, RSS after open {:.1f} MiB, on disk {:.1f} MiB\n",
             store->counter("decision_docs"), open_ms, rss_mib(), disk_bytes(dir) / 1048576.0);
  Repositories repos(*store);
  // The same queries twice: first on a cold block cache (right after open), then warm, as a
  // running bot's hot terms are.
  for (const char* pass : {"cold", "warm"}) {
    for (int words : {1, 3}) {
      std::mt19937 r(static_cast<unsigned>(7 + words));
      std::vector<double> latencies;
      std::size_t hits = 0;
      for (int q = 0; q < queries; ++q) {
        std::string text = pick(r, things);
        if (words == 3)
          text += " " + pick(r, goals).substr(0, pick(r, goals).find(' ')) + " " + pick(r, things);
        auto t = Clock::now();
        std::size_t total = 0;
        auto found = repos.search_decisions(SearchQuery{text, "", 20}, &total);
        latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t).count());
        hits += total;
      }
      fmt::print(
          "search ({}), {}-word queries: n={} p50={:.2f}ms p99={:.2f}ms mean matches={:.0f}\n",
          pass, words, queries, percentile(latencies, 0.5), percentile(latencies, 0.99),
          static_cast<double>(hits) / queries);
    }
  }
  fmt::print("RSS after searches {:.1f} MiB\n", rss_mib());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    fmt::print(
        stderr,
        "usage: itpm-storage-bench writes DIR [N] [WINDOW] | search DIR [DECISIONS] [QUERIES]\n");
    return 2;
  }
  std::string mode = argv[1];
  std::filesystem::path dir = argv[2];
  int a = argc > 3 ? std::stoi(argv[3]) : (mode == "writes" ? 2000 : 1000000);
  int b = argc > 4 ? std::stoi(argv[4]) : (mode == "writes" ? 64 : 1000);
  return mode == "writes" ? writes(dir, a, b) : search(dir, a, b);
}
