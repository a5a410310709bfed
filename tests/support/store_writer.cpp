// itpm-store-writer DATA_DIR sync|group COUNT
// Applies risk and decision additions to a real store and prints each item id on its own line
// as soon as its batch is durable. The crash and backup tests kill it at random points.
#include "storage/repositories.hpp"

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>

using namespace itpm::storage;

namespace {

const char* const words[] = {"failover", "patroni", "backup",  "restore", "k8s",   "p99",
                             "latency",  "quorum",  "region",  "runbook", "drill", "cache",
                             "s3",       "vpc",     "peering", "budget"};

std::string item(Repositories& repos, Batch& batch, std::uint64_t i) {
  Change change{"U0WRITER", static_cast<std::int64_t>(i), "add"};
  std::string program = "p" + std::to_string(i % 3);
  if (i % 2 == 0) {
    Risk r;
    r.number = repos.next_number<itpm::storage::Risk>(batch);
    r.program = program;
    r.title = std::string("risk about ") + words[i % 16];
    r.likelihood = static_cast<int>(i % 5) + 1;
    r.impact = static_cast<int>((i / 5) % 5) + 1;
    repos.save(batch, r, nullptr, change);
    return risk_id(r.number);
  }
  Decision d;
  d.number = repos.next_number<itpm::storage::Decision>(batch);
  d.program = program;
  d.title = std::string("Use ") + words[i % 16] + " for " + words[(i * 7) % 16];
  d.context = std::string("because ") + words[(i * 3) % 16];
  d.tags = {words[(i * 5) % 16]};
  d.date = "2026-" + std::string(i % 12 < 9 ? "0" : "") + std::to_string(i % 12 + 1) + "-15";
  repos.save(batch, d, nullptr, change);
  return decision_id(d.number);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: itpm-store-writer DATA_DIR sync|group COUNT\n");
    return 2;
  }
  auto store = Store::open(argv[1]);
  Repositories repos(*store);
  // The programs the items belong to, as in a real store (an import checks the references).
  if (!repos.find<Program>("p0")) {
    Batch programs;
    for (const char* key : {"p0", "p1", "p2"}) {
      Program p;
      p.key = key;
      p.name = key;
      p.owner = "U0WRITER";
      repos.save(programs, p, nullptr, Change{"U0WRITER", 0, "add"});
    }
    if (!store->commit(std::move(programs))) return 1;
  }
  bool group = std::string(argv[2]) == "group";
  std::uint64_t count = std::stoull(argv[3]);
  std::mutex m;
  std::condition_variable cv;
  int in_flight = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    Batch batch;
    std::string id = item(repos, batch, i);
    if (!group) {
      if (!store->commit(std::move(batch))) return 1;
      std::printf("%s\n", id.c_str());
      std::fflush(stdout);
      continue;
    }
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return in_flight < 16; });
    ++in_flight;
    lock.unlock();
    store->commit_async(std::move(batch), [&, id](CommitResult r) {
      std::lock_guard guard(m);
      if (r) {
        std::printf("%s\n", id.c_str());
        std::fflush(stdout);
      }
      --in_flight;
      cv.notify_all();
    });
  }
  std::unique_lock lock(m);
  cv.wait(lock, [&] { return in_flight == 0; });
  return 0;
}
