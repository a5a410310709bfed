// Writes an itpm-bot export (the format `itpm-bot import` reads) of a large organisation's ten
// years: at scale 1, 1,000 programs, 50,000 risks, 100,000 decisions, 20,000 milestones,
// 10,000 corrective actions, 5,000 dependencies, 3,000 allocations, 20,000 status updates and
// 1,000 review cadences; scale S multiplies every count. The same scale and seed give the
// same file byte for byte. Records are built as the bot's own types and serialised by the
// bot's own code, so the file is what an export of such a workspace would hold.
//
// usage: itpm-workspace-gen SCALE OUT.json [SEED]
#include "storage/records.hpp"

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace {

using nlohmann::json;
namespace st = itpm::storage;

constexpr std::int64_t day_ms = 24LL * 60 * 60 * 1000;
// 2017-01-02 (a Monday) to 2026-12-31: ten years.
constexpr std::int64_t first_day = 17168;  // days since the epoch
constexpr std::int64_t days = 3650;

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <class T, std::size_t N>
  const T& pick(const std::array<T, N>& from) {
    return from[static_cast<std::size_t>(between(0, static_cast<int>(N) - 1))];
  }

  // A day in the ten years, as days since the epoch.
  std::int64_t day() { return first_day + between(0, static_cast<int>(days) - 1); }
  static std::string date(std::int64_t day) {
    auto ymd = std::chrono::year_month_day(std::chrono::sys_days(std::chrono::days(day)));
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  }
  std::int64_t at(std::int64_t day) { return day * day_ms + between(8, 18) * 3'600'000LL; }

  std::string user(int users) { return fmt::format("U{:08}", between(1, users)); }
  std::string words(int n) {
    static constexpr std::array<const char*, 48> vocabulary = {
        "failover",   "patroni",  "replica",     "backup",        "restore",  "region",
        "latency",    "budget",   "vendor",      "kafka",         "postgres", "mysql",
        "kubernetes", "upgrade",  "certificate", "rotation",      "quorum",   "dns",
        "cdn",        "capacity", "runbook",     "drill",         "pipeline", "cache",
        "storage",    "network",  "firewall",    "migration",     "cutover",  "rollback",
        "canary",     "release",  "freeze",      "observability", "alerting", "paging",
        "oncall",     "sla",      "slo",         "error",         "budget",   "queue",
        "shard",      "index",    "terraform",   "ansible",       "bastion",  "vpn"};
    std::string out;
    for (int i = 0; i < n; ++i) {
      if (i > 0) out += ' ';
      out += pick(vocabulary);
    }
    if (!out.empty()) out[0] = static_cast<char>(out[0] - 'a' + 'A');
    return out;
  }

 private:
  std::mt19937_64 rng_;
};

std::string program_key(int i) {
  return fmt::format("p{:05}", i);
}
std::string channel_of(int i) {
  return fmt::format("C{:08}", i);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    fmt::print(stderr, "usage: itpm-workspace-gen SCALE OUT.json [SEED]\n");
    return 2;
  }
  int scale = std::stoi(argv[1]);
  std::string out_path = argv[2];
  std::uint64_t seed = argc > 3 ? std::stoull(argv[3]) : 2027;
  if (scale < 1 || scale > 100) {
    fmt::print(stderr, "SCALE is a whole number from 1 to 100\n");
    return 2;
  }
  Generator g(seed);
  const int programs = 1000 * scale;
  const int users = 2000 * scale;
  json doc = {{"format", "itpm-bot-export"}, {"version", 1}, {"schema", 2}};
  auto program_of = [&] { return program_key(g.between(1, programs)); };
  // Items live in their program's channel.
  auto place = [&](auto& item) {
    int i = g.between(1, programs);
    item.program = program_key(i);
    item.channel = channel_of(i);
  };

  json list = json::array();
  for (int i = 1; i <= programs; ++i) {
    st::Program p;
    p.key = program_key(i);
    p.name = g.words(3);
    p.owner = g.user(users);
    p.sponsor = g.chance(0.5) ? g.user(users) : "";
    p.channel = channel_of(i);
    p.description = g.words(8);
    auto start = g.day();
    p.start = Generator::date(start);
    p.due = Generator::date(start + g.between(90, 720));
    p.budget = g.between(0, 50) * 10'000;
    p.tags = {g.words(1)};
    p.created_by = p.owner;
    p.created_at = g.at(start);
    if (g.chance(0.3)) {
      p.status = st::ProgramStatus::closed;
      p.close_note = "done";
      p.closed_at = p.created_at + g.between(90, 720) * day_ms;
    }
    list.push_back(p);
  }
  doc["programs"] = std::move(list);

  list = json::array();
  for (int i = 1; i <= 50'000 * scale; ++i) {
    st::Risk r;
    r.number = static_cast<std::uint64_t>(i);
    place(r);
    r.title = g.words(5);
    r.likelihood = g.between(1, 5);
    r.impact = g.between(1, 5);
    r.owner = g.user(users);
    auto created = g.day();
    if (g.chance(0.5)) r.due = Generator::date(created + g.between(7, 180));
    r.mitigation = g.words(6);
    r.created_by = r.owner;
    r.created_at = g.at(created);
    int state = g.between(0, 9);
    if (state < 5) {
      r.status = st::RiskStatus::closed;
      r.close_note = "mitigated";
      r.closed_at = r.created_at + g.between(1, 200) * day_ms;
    } else if (state < 6) {
      r.status = st::RiskStatus::accepted;
    } else if (state < 8) {
      r.status = st::RiskStatus::mitigating;
    }
    if (r.status != st::RiskStatus::closed && r.score() >= 15 && g.chance(0.2)) {
      // Escalated earlier and acknowledged: on the ladder, with no step pending.
      r.escalation_level = g.between(1, 3);
      r.escalated_at = r.created_at;
      r.acked_at = r.created_at + day_ms;
      r.escalation_reason = fmt::format("raised with score {}", r.score());
    }
    list.push_back(r);
  }
  doc["risks"] = std::move(list);

  list = json::array();
  for (int i = 1; i <= 100'000 * scale; ++i) {
    st::Decision d;
    d.number = static_cast<std::uint64_t>(i);
    place(d);
    d.title = g.words(g.between(3, 7));
    d.context = g.words(g.between(10, 30));
    d.alternatives = g.chance(0.5) ? g.words(8) : "";
    d.tags = {g.words(1)};
    d.decided_by = {g.user(users)};
    auto day = g.day();
    d.date = Generator::date(day);
    d.created_by = d.decided_by.front();
    d.created_at = g.at(day);
    list.push_back(d);
  }
  doc["decisions"] = std::move(list);

  list = json::array();
  for (int i = 1; i <= 20'000 * scale; ++i) {
    st::Milestone m;
    m.number = static_cast<std::uint64_t>(i);
    place(m);
    m.title = g.words(4);
    m.owner = g.user(users);
    auto created = g.day();
    auto due = created + g.between(14, 365);
    m.original_due = Generator::date(due);
    m.due = m.original_due;
    if (g.chance(0.2)) {
      st::Slip slip;
      slip.from = m.due;
      slip.to = Generator::date(due + g.between(7, 60));
      slip.reason = g.words(4);
      slip.by = m.owner;
      slip.at = g.at(created + 7);
      m.due = slip.to;
      m.slips.push_back(slip);
    }
    if (g.chance(0.8)) {
      m.status = st::WorkStatus::done;
      auto done = due + g.between(-20, 20);
      m.done_on = Generator::date(done);
      m.done_at = g.at(done);
    }
    m.created_by = m.owner;
    m.created_at = g.at(created);
    list.push_back(m);
  }
  doc["milestones"] = std::move(list);

  list = json::array();
  static constexpr std::array<std::pair<const char*, int>, 4> severities = {
      {{"S1", 7}, {"S2", 14}, {"S3", 30}, {"S4", 90}}};
  for (int i = 1; i <= 10'000 * scale; ++i) {
    st::Action a;
    a.number = static_cast<std::uint64_t>(i);
    a.title = g.words(5);
    auto [severity, slo] = g.pick(severities);
    a.severity = severity;
    a.slo_days = slo;
    a.incident = fmt::format("INC-{}", g.between(1000, 99999));
    a.owner = g.user(users);
    if (g.chance(0.8)) {
      place(a);
    } else {
      a.channel = channel_of(g.between(1, programs));
    }
    auto created = g.day();
    a.due = Generator::date(created + slo);
    if (g.chance(0.85)) {
      a.status = st::WorkStatus::done;
      auto done = created + g.between(1, slo + 10);
      a.done_on = Generator::date(done);
      a.done_at = g.at(done);
    }
    a.created_by = a.owner;
    a.created_at = g.at(created);
    list.push_back(a);
  }
  doc["actions"] = std::move(list);

  list = json::array();
  for (int i = 1; i <= 5'000 * scale; ++i) {
    st::Dependency d;
    d.number = static_cast<std::uint64_t>(i);
    place(d);
    d.on_kind = "program";
    d.on = program_of();
    d.what = g.words(4);
    auto created = g.day();
    d.need_by = Generator::date(created + g.between(14, 180));
    d.created_by = g.user(users);
    d.created_at = g.at(created);
    if (g.chance(0.7)) {
      d.status = st::DependencyStatus::resolved;
      d.resolved_by = d.created_by;
      d.resolved_at = d.created_at + g.between(1, 120) * day_ms;
    }
    list.push_back(d);
  }
  doc["dependencies"] = std::move(list);

  // Allocations: distinct (user, program) pairs.
  list = json::array();
  for (int i = 0; i < 3'000 * scale; ++i) {
    st::Allocation a;
    a.user = fmt::format("U{:08}", i + 1);
    a.program = program_key(i % programs + 1);
    a.percent = g.between(1, 10) * 10;
    a.by = g.user(users);
    a.at = g.at(g.day());
    list.push_back(a);
  }
  doc["allocations"] = std::move(list);

  list = json::array();
  static constexpr std::array<const char*, 3> colours = {"green", "amber", "red"};
  for (int i = 1; i <= 20'000 * scale; ++i) {
    st::StatusUpdate u;
    u.number = static_cast<std::uint64_t>(i);
    u.program = program_of();
    u.status = g.pick(colours);
    u.summary = g.words(12);
    u.by = g.user(users);
    u.at = g.at(first_day + static_cast<std::int64_t>(i) * days / (20'000LL * scale));
    list.push_back(u);
  }
  doc["status_updates"] = std::move(list);

  // One cadence per program (without scheduled jobs: the bench measures commands, not
  // reminders).
  list = json::array();
  for (int i = 1; i <= 1'000 * scale; ++i) {
    st::Review r;
    r.number = static_cast<std::uint64_t>(i);
    r.program = program_key(i % programs + 1);
    r.every = "2w thu 10:00";
    r.zone = "Europe/Amsterdam";
    r.channel = channel_of(i % programs + 1);
    r.remind = {60};
    r.anchor = "2026-12-03";
    r.next_at = 1796288400000;  // Thu 2026-12-03 10:00 in Amsterdam
    r.created_by = g.user(users);
    r.created_at = g.at(g.day());
    list.push_back(r);
  }
  doc["reviews"] = std::move(list);
  doc["surveys"] = json::array();
  doc["votes"] = json::array();
  doc["audit"] = json::array();
  doc["schedule"] = json::array();
  doc["settings"] = json::object();
  auto n = [&](std::int64_t count) { return count * scale; };
  doc["sequences"] = {{"action", n(10'000)},
                      {"audit", 0},
                      {"decision", n(100'000)},
                      {"dependency", n(5'000)},
                      {"job", 0},
                      {"milestone", n(20'000)},
                      {"outbox", 0},
                      {"review", n(1'000)},
                      {"risk", n(50'000)},
                      {"status", n(20'000)},
                      {"survey", 0}};
  std::ofstream out(out_path, std::ios::binary);
  out << doc.dump();
  if (!out) {
    fmt::print(stderr, "cannot write {}\n", out_path);
    return 1;
  }
  fmt::print(stderr, "{}: {} programs at scale {}\n", out_path, programs, scale);
  return 0;
}
