// What one member or an outsider can make the bot do, on a large organisation's ten years
// (itpm-workspace-gen SCALE, imported once into DIR and reused, as the scale bench does): the
// deepest page of every list, the longest search, `help` while six deepest pages run (three of
// them by DM), `help` while ten people each send a minute's share of DMs asking for deep pages,
// an outsider's command, the sockets the bot opened, and SIGTERM while deep pages run.
//
// usage: itpm-abuse-bench BOT GEN DIR [ROUNDS] [SCALE]   (defaults: 5 rounds, scale 1)
// Prints Markdown; never a verdict.
#include "bench/measure.hpp"
#include "bench/scale_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using itpm::bench::percentile;
using itpm::bench::seconds_since;
using itpm::bench::SteadyClock;
using itpm::bench::time_command;
using itpm::bench::Timing;
using itpm::sim::Snapshot;

// Every list, each at --limit 100: its deepest page is found by asking for the first and
// reading how many it has.
std::vector<std::string> lists(const std::string& owner) {
  return {"decision list",
          "risk list --status all",
          fmt::format("risk list --owner <@{}> --status all", owner),
          "milestone list --all",
          "action list --all",
          "dep list",
          "program list --all",
          "status",
          "decision search failover",
          "decision list --by <@U0DEMO1>"};
}

// The first whole number in `text` (a list's header starts with its total).
std::size_t first_number(const std::string& text) {
  auto at = text.find_first_of("0123456789");
  std::size_t n = 0;
  for (; at < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[at])) != 0 || text[at] == ',');
       ++at) {
    if (text[at] != ',') n = n * 10 + static_cast<std::size_t>(text[at] - '0');
  }
  return n;
}

std::vector<std::string> deepest_pages(itpm::sim::SlackSim& sim, const std::string& owner) {
  std::vector<std::string> out;
  for (const auto& list : lists(owner)) {
    Timing first;
    time_command(sim, list + " --limit 100", first);
    Snapshot s = sim.snapshot();
    std::string text = s.acks.back().payload.value("text", "");
    if (text.find("Working on it") != std::string::npos && !s.ok_calls("response_url").empty())
      text = s.ok_calls("response_url").back()->args.value("text", "");
    std::size_t pages = std::clamp<std::size_t>((first_number(text) + 99) / 100, 1, 1000);
    out.push_back(fmt::format("{} --limit 100 --page {}", list, pages));
  }
  return out;
}

// Sixteen words (the most a search scores), and forty (refused with one line).
std::string words(int n) {
  static const std::vector<std::string> vocabulary = {
      "failover", "patroni",   "region", "budget",  "latency", "runbook",  "backup", "quorum",
      "replica",  "terraform", "canary", "rollout", "gitaly",  "praefect", "redis",  "sidekiq"};
  std::string out;
  for (int i = 0; i < n; ++i) out += (out.empty() ? "" : " ") + vocabulary[i % vocabulary.size()];
  return out;
}

// A DM from `user` with `text`; returns the DM channel the answer goes to.
std::string send_dm(itpm::sim::SlackSim& sim, const std::string& user, const std::string& text,
                    int n) {
  std::string channel = "D" + user.substr(1);
  nlohmann::json dm = {{"type", "message"}, {"channel_type", "im"},
                       {"user", user},      {"channel", channel},
                       {"text", text},      {"ts", fmt::format("1700000000.{:06}", n)}};
  // Event ids unique across runs: the store remembers the ids it handled (for two hours), and
  // the simulator's own ids start again with each run.
  static const auto run_id = std::chrono::system_clock::now().time_since_epoch().count();
  sim.send_event(dm, fmt::format("Ev{:x}x{}", run_id, n));
  return channel;
}

int posts_to(const Snapshot& s, const std::string& channel) {
  int n = 0;
  for (const auto* call : s.ok_calls("chat.postMessage"))
    n += call->args.value("channel", "") == channel ? 1 : 0;
  return n;
}

std::string cell(const Timing& t) {
  if (t.answer_ms.empty()) return "—";
  return fmt::format("{:.1f} / {:.1f}{}", percentile(t.answer_ms, 0.5),
                     percentile(t.answer_ms, 0.99),
                     t.unanswered > 0 ? fmt::format(" ({} unanswered)", t.unanswered) : "");
}

// `help` sent `n` times one after another while `busy` is under way.
Timing help_while(itpm::sim::SlackSim& sim, int n) {
  Timing t;
  for (int i = 0; i < n; ++i) time_command(sim, "help", t);
  return t;
}

// Six deepest pages at once: three slash commands and three DMs.
void six_deep_pages(itpm::sim::SlackSim& sim, const std::vector<std::string>& pages, int& dm_n) {
  for (int i = 0; i < 3; ++i) {
    itpm::sim::SlashCommand deep;
    deep.text = pages[static_cast<std::size_t>(i)];
    sim.send_slash_command(deep);
    send_dm(sim, fmt::format("U0DEEP{}", i), pages[static_cast<std::size_t>(i)], ++dm_n);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    fmt::print(stderr, "usage: itpm-abuse-bench BOT GEN DIR [ROUNDS] [SCALE]\n");
    return 2;
  }
  std::string bot_path = argv[1];
  std::string gen_path = argv[2];
  std::filesystem::path dir = argv[3];
  int rounds = argc > 4 ? std::max(1, std::stoi(argv[4])) : 5;
  int scale = argc > 5 ? std::max(1, std::stoi(argv[5])) : 1;
  std::filesystem::create_directories(dir);

  itpm::sim::SimOptions sim_options;
  sim_options.tls = true;
  itpm::sim::SlackSim sim(sim_options);
  sim.start();
  auto ca = dir / "ca.pem";
  std::ofstream(ca) << sim.cert_pem();
  try {
    auto w = itpm::bench::prepare_workspace(bot_path, gen_path, dir, scale);
    double startup_s = 0;
    auto bot =
        itpm::bench::start_ready(sim, bot_path, w.data, ca, dir / "abuse-bot.log", 1, startup_s);
    std::string owner = "U0DEMO1";
    {
      Timing probe;
      time_command(sim, "risk show R-1", probe);
      std::string text = sim.snapshot().acks.back().payload.value("text", "");
      auto at = text.find("owner <@");
      if (at != std::string::npos)
        owner = text.substr(at + 8, text.find_first_of(">|", at + 8) - at - 8);
    }
    auto pages = deepest_pages(sim, owner);

    std::map<std::string, Timing> deep;
    for (int round = 0; round < rounds; ++round) {
      for (const auto& text : pages) time_command(sim, text, deep[text]);
    }
    Timing search16;
    Timing search40;
    for (int round = 0; round < rounds; ++round) {
      time_command(sim, "decision search " + words(16), search16);
      time_command(sim, "decision search " + words(40), search40);
    }

    // help while six deepest pages run, three of them by DM.
    int dm_n = 0;
    Timing help_deep;
    for (int round = 0; round < rounds; ++round) {
      six_deep_pages(sim, pages, dm_n);
      Timing t = help_while(sim, 20);
      help_deep.ack_ms.insert(help_deep.ack_ms.end(), t.ack_ms.begin(), t.ack_ms.end());
      help_deep.answer_ms.insert(help_deep.answer_ms.end(), t.answer_ms.begin(), t.answer_ms.end());
      help_deep.unanswered += t.unanswered;
    }

    // Ten people at their cap of DM commands a minute, each asking for the deepest page.
    auto flood_start = SteadyClock::now();
    for (int person = 0; person < 10; ++person) {
      for (int i = 0; i < 30; ++i)
        send_dm(sim, fmt::format("U0FLOOD{}", person), pages.front(), ++dm_n);
    }
    Timing help_flood = help_while(sim, 20);
    int flood_posts = 0;
    sim.wait_for(
        [&](const Snapshot& s) {
          flood_posts = 0;
          for (int person = 0; person < 10; ++person)
            flood_posts += posts_to(s, fmt::format("D0FLOOD{}", person));
          return flood_posts >= 300;
        },
        120s);
    double flood_s = seconds_since(flood_start);

    // An outsider (another organisation, in a shared channel).
    Timing outsider;
    itpm::sim::SlashCommand foreign;
    foreign.user = "U0EXT1";
    foreign.text = "risk list --status all";
    auto sent = SteadyClock::now();
    std::string id = sim.send_slash_command(foreign);
    sim.wait_for([&](const Snapshot& s) { return s.ack_for(id) != nullptr; }, 15s);
    Snapshot s = sim.snapshot();
    bool refused =
        s.ack_for(id) != nullptr &&
        s.ack_for(id)->payload.value("text", "").find("answers members of") != std::string::npos;
    outsider.answer_ms.push_back(seconds_since(sent) * 1000);
    int sockets = s.hellos_sent;

    double peak_rss = itpm::bench::memory_mib(bot->pid(), "VmHWM");
    // SIGTERM while six deepest pages run.
    six_deep_pages(sim, pages, dm_n);
    auto stop = SteadyClock::now();
    bot->signal(SIGTERM);
    auto status = bot->wait_exit(60s);
    double stop_s = seconds_since(stop);

    fmt::print("Scale ×{}, {} rounds; ms from the command to its answer, p50 / p99\n\n", scale,
               rounds);
    fmt::print("| deepest page | answer p50 / p99 |\n|---|---:|\n");
    for (const auto& text : pages) fmt::print("| `{}` | {} |\n", text, cell(deep[text]));
    fmt::print("| `decision search` of 16 words | {} |\n", cell(search16));
    fmt::print("| `decision search` of 40 words (refused) | {} |\n", cell(search40));
    fmt::print("\n| under attack | answer p50 / p99 |\n|---|---:|\n");
    fmt::print("| `help` while 6 deepest pages run (3 by DM) | {} |\n", cell(help_deep));
    fmt::print("| `help` while 10 people send 30 deep-page DMs each | {} |\n", cell(help_flood));
    fmt::print("| an outsider's `risk list --status all` ({}) | {} |\n",
               refused ? "refused" : "NOT refused", cell(outsider));
    fmt::print(
        "\n{} DM answers to the flood in {:.1f} s; sockets opened: {}; peak RSS {:.1f} MiB; "
        "SIGTERM during 6 deepest pages: exit {} in {:.2f} s\n",
        flood_posts, flood_s, sockets, peak_rss, status ? fmt::format("{}", *status) : "none",
        stop_s);
  } catch (const std::exception& e) {
    fmt::print(stderr, "abuse bench failed: {} (logs in {})\n", e.what(), dir.string());
    return 1;
  }
  return 0;
}
