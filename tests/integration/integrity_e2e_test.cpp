// Integrity against the real binary and the simulator: rows the bot cannot process are moved
// aside while everything else keeps running.
#include "bot/dispatcher.hpp"
#include "commands/areas/config_commands.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/registry.hpp"
#include "storage/database.hpp"
#include "storage/key_codec.hpp"
#include "tests/support/bot_run.hpp"
#include "tests/support/command_fixture.hpp"
#include "tests/support/http_get.hpp"
#include "tests/support/seed_store.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>

using namespace std::chrono_literals;
using itpm::sim::Snapshot;
using itpm::test::BotRun;
using itpm::test::contains;

using itpm::test::run_on_store;

TEST_CASE("bad job and outbox rows in a data dir are moved aside, the rest is posted",
          "[integration]") {
  itpm::test::TempDir dir;
  auto data = dir.path() / "data";
  {
    auto store = itpm::storage::open_database(data);
    itpm::storage::Repositories repos(*store);
    run_on_store(repos, R"(program add dr-2027 "Disaster Recovery 2027")");
    // A critical risk: its level-2 step waits in the schedule.
    run_on_store(
        repos,
        R"(risk add "Primary DB failover untested" --program dr-2027 -l 4 -i 5 --owner <@U0DEMO2|bob>)");
    auto now_ms = itpm::commands::millis(std::chrono::system_clock::now());
    itpm::storage::Batch batch;
    itpm::test::make_ladder_steps_due(repos, batch);
    for (const char* row : {"not json", R"({"kind":5})"}) {
      batch.put(itpm::storage::Family::schedule,
                itpm::storage::KeyBuilder()
                    .u64(static_cast<std::uint64_t>(now_ms - 2000))
                    .u64(store->next_sequence("job", batch))
                    .done(),
                row);
    }
    repos.outbox().enqueue(batch, {{"channel", 5}, {"text", "a channel of the wrong type"}});
    itpm::commands::PostMessage left;
    left.channel = "C0DEMO1";
    left.text = "Left in the outbox by the previous run";
    repos.outbox().enqueue(batch, itpm::commands::to_outbox(left));
    batch.put(itpm::storage::Family::outbox,
              itpm::storage::KeyBuilder().u64(store->next_sequence("outbox", batch)).done(),
              "garbage");
    REQUIRE(store->commit(std::move(batch)));
  }

  auto sim = itpm::test::make_sim();
  BotRun bot(*sim, {}, {}, data);
  REQUIRE(bot.wait_hellos(1));
  auto posted = [](const Snapshot& s, const std::string& part) {
    for (const auto* call : s.ok_calls("chat.postMessage")) {
      if (contains(call->args.value("text", ""), part)) return true;
    }
    return false;
  };
  bool all_posted = sim->wait_for(
      [&](const Snapshot& s) {
        return posted(s, "Escalation level 2") &&
               posted(s, "Left in the outbox by the previous run");
      },
      30s);
  INFO(bot.process().output());
  REQUIRE(all_posted);
  REQUIRE(bot.process().wait_for_output("moved to the quarantine", 10s));
  auto port = bot.http_port();
  CHECK(itpm::test::http_get(port, "/readyz").status == 200);
  auto metrics = itpm::test::http_get(port, "/metrics").body;
  CHECK(contains(metrics, R"(itpm_quarantined_total{kind="job"} 2)"));
  CHECK(contains(metrics, R"(itpm_quarantined_total{kind="post"} 2)"));
  // The bot still answers.
  CHECK(contains(bot.command("risk list --program dr-2027"), "R-1"));
  REQUIRE(bot.terminate() == std::optional<int>(0));

  itpm::process::ChildOptions list;
  list.argv = {ITPM_BOT_PATH, "quarantine", "--data-dir", data.string()};
  itpm::process::ChildProcess listing(list);
  REQUIRE(listing.wait_exit(30s) == std::optional<int>(0));
  std::string out = listing.output();
  INFO(out);
  CHECK(contains(out, "4 row(s) in the quarantine"));
  CHECK(contains(out, R"("not json")"));
  CHECK(contains(out, R"("garbage")"));
  CHECK(contains(out, "post "));
}

TEST_CASE("one person flooding the bot with DMs delays no escalation, replies to them are capped",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  REQUIRE(contains(bot.command(R"(program add dr-2027 "Disaster Recovery 2027")"), "dr-2027"));
  // carol sends 300 DMs; each is an event the bot acks.
  std::size_t acks_before = sim->snapshot().acks.size();
  for (int i = 0; i < 300; ++i) {
    nlohmann::json dm = {{"type", "message"},     {"channel_type", "im"},
                         {"user", "U0DEMO3"},     {"channel", "D0DEMO3"},
                         {"text", "hello again"}, {"ts", "1700000000." + std::to_string(i)}};
    REQUIRE_FALSE(sim->send_event(dm).empty());
  }
  REQUIRE(
      sim->wait_for([&](const Snapshot& s) { return s.acks.size() >= acks_before + 300; }, 30s));
  // A critical risk right after: its owner's DM goes out at once, not after carol's replies.
  std::string added = bot.command(
      R"(risk add "Primary DB failover untested" --program dr-2027 -l 4 -i 5 --owner @dave)");
  INFO(added);
  REQUIRE(contains(added, "R-1"));
  auto dm_to = [](const Snapshot& s, const std::string& part) {
    int n = 0;
    for (const auto* call : s.ok_calls("chat.postMessage")) {
      if (contains(call->args.value("text", ""), part)) ++n;
    }
    return n;
  };
  bool told = sim->wait_for(
      [&](const Snapshot& s) { return dm_to(s, "You own a critical risk") == 1; }, 20s);
  auto snapshot = sim->snapshot();
  INFO(dm_to(snapshot, "I answer to `/itpm`") << " canned replies posted");
  CHECK(told);
  // carol heard back a few times, not 300: the rest were acked and not answered.
  CHECK(dm_to(snapshot, "I answer to `/itpm`") <= itpm::bot::Dispatcher::chatter_per_minute);
  CHECK(bot.terminate() == std::optional<int>(0));
}

TEST_CASE("restore cannot destroy data: a failed restore keeps what was there", "[integration]") {
  itpm::test::TempDir dir;
  auto data = dir.path() / "data";
  {
    auto store = itpm::storage::open_database(data);
    itpm::storage::Repositories repos(*store);
    run_on_store(repos, R"(program add dr-2027 "Disaster Recovery 2027")");
  }
  auto restore = [&](const std::filesystem::path& from, const std::filesystem::path& to) {
    itpm::process::ChildOptions options;
    options.argv = {ITPM_BOT_PATH, "restore",    "--force",  "--from",
                    from.string(), "--data-dir", to.string()};
    auto child = std::make_unique<itpm::process::ChildProcess>(options);
    auto status = child->wait_exit(60s);
    return std::make_pair(status.value_or(-1), child->output());
  };
  auto still_there = [&] {
    auto store = itpm::storage::open_database(data);
    return itpm::storage::Repositories(*store).find<itpm::storage::Program>("dr-2027").has_value();
  };
  // A folder without backups: nothing is restored, and nothing is removed.
  std::filesystem::create_directories(dir.path() / "empty-backups");
  auto [code, out] = restore(dir.path() / "empty-backups", data);
  INFO(out);
  CHECK(code == 1);
  CHECK(still_there());
  // Backups kept inside the data directory (or the other way round) are refused.
  auto [inside_code, inside_out] = restore(data / "backups", data);
  CHECK(inside_code == 1);
  CHECK_THAT(inside_out, Catch::Contains("must be apart"));
  CHECK(still_there());
  // A folder that is not an itpm-bot data directory is never cleared.
  auto notes = dir.path() / "notes";
  std::filesystem::create_directories(notes);
  { std::ofstream(notes / "todo.txt") << "keep me"; }
  auto [notes_code, notes_out] = restore(dir.path() / "empty-backups", notes);
  CHECK(notes_code == 1);
  CHECK_THAT(notes_out, Catch::Contains("not an itpm-bot data directory"));
  CHECK(std::filesystem::exists(notes / "todo.txt"));
}

TEST_CASE("export writes private files, never over one without --force, never through a link",
          "[integration]") {
  namespace fs = std::filesystem;
  itpm::test::TempDir dir;
  auto data = dir.path() / "data";
  {
    auto store = itpm::storage::open_database(data);
    itpm::storage::Repositories repos(*store);
    run_on_store(repos, R"x(program add dr-2027 "=HYPERLINK(1)")x");
  }
  CHECK((fs::status(data).permissions() & fs::perms::all) == fs::perms::owner_all);
  auto export_to = [&](std::vector<std::string> extra) {
    itpm::process::ChildOptions options;
    options.argv = {ITPM_BOT_PATH, "export", "--data-dir", data.string()};
    options.argv.insert(options.argv.end(), extra.begin(), extra.end());
    itpm::process::ChildProcess child(options);
    auto status = child.wait_exit(60s);
    return std::make_pair(status.value_or(-1), child.output());
  };
  auto file = dir.path() / "export.json";
  REQUIRE(export_to({"--out", file.string()}).first == 0);
  CHECK((fs::status(file).permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));
  auto [again, again_out] = export_to({"--out", file.string()});
  CHECK(again == 1);
  CHECK_THAT(again_out, Catch::Contains("add --force"));
  CHECK(export_to({"--out", file.string(), "--force"}).first == 0);
  // A link planted where the export goes is neither followed nor replaced.
  auto target = dir.path() / "elsewhere.txt";
  { std::ofstream(target) << "precious"; }
  auto link = dir.path() / "link.json";
  fs::create_symlink(target, link);
  auto [linked, linked_out] = export_to({"--out", link.string(), "--force"});
  CHECK(linked == 1);
  CHECK_THAT(linked_out, Catch::Contains("symlink"));
  std::ifstream kept(target);
  std::string content((std::istreambuf_iterator<char>(kept)), std::istreambuf_iterator<char>());
  CHECK(content == "precious");
  // CSV: a folder made 0700, files 0600, a formula kept as text.
  auto csv = dir.path() / "csv";
  REQUIRE(export_to({"--format", "csv", "--out", csv.string()}).first == 0);
  CHECK((fs::status(csv).permissions() & fs::perms::all) == fs::perms::owner_all);
  CHECK((fs::status(csv / "programs.csv").permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));
  std::ifstream programs(csv / "programs.csv");
  std::string rows((std::istreambuf_iterator<char>(programs)), std::istreambuf_iterator<char>());
  CHECK_THAT(rows, Catch::Contains("'=HYPERLINK(1)"));
  CHECK(export_to({"--format", "csv", "--out", csv.string()}).first == 1);
}

TEST_CASE("read-only subcommands never migrate: an older store is refused, naming the binary",
          "[integration]") {
  itpm::test::TempDir dir;
  auto data = dir.path() / "data";
  {
    auto store = itpm::storage::open_database(data);
    itpm::storage::Repositories repos(*store);
    run_on_store(repos, R"(program add dr-2027 "DR")");
    itpm::storage::Batch older;
    itpm::storage::Store::set_schema_version(older, itpm::storage::Store::schema_version - 1);
    REQUIRE(store->commit(std::move(older)));
  }
  auto run = [&](std::vector<std::string> argv) {
    itpm::process::ChildOptions options;
    options.argv = {ITPM_BOT_PATH};
    options.argv.insert(options.argv.end(), argv.begin(), argv.end());
    itpm::process::ChildProcess child(options);
    auto status = child.wait_exit(60s);
    return std::make_pair(status.value_or(-1), child.output());
  };
  for (auto argv : {std::vector<std::string>{"export", "--data-dir", data.string(), "--out",
                                             (dir.path() / "x.json").string()},
                    std::vector<std::string>{"backup", "--data-dir", data.string(), "--to",
                                             (dir.path() / "backups").string()}}) {
    INFO(argv.front());
    auto [status, out] = run(argv);
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("was written by an older itpm-bot"));
    CHECK_THAT(out, Catch::Contains("read-only commands never change a store"));
  }
  // The store is still at its schema: nothing migrated it.
  auto store = itpm::storage::Store::open(data);
  CHECK(store->stored_schema_version() == itpm::storage::Store::schema_version - 1);
}

TEST_CASE("a burst of changes to one risk, none acked before the next: every one holds",
          "[integration]") {
  itpm::test::TempDir dir;
  auto data = dir.path() / "data";
  auto sim = itpm::test::make_sim();
  {
    BotRun bot(*sim, {}, {}, data);
    REQUIRE(bot.wait_hellos(1));
    REQUIRE(contains(bot.command(R"(program add dr-2027 "Disaster Recovery 2027")"), "dr-2027"));
    REQUIRE(contains(bot.command(R"(risk add "Replica lag" --program dr-2027 -l 1 -i 1)"), "R-1"));
    // 30 changes sent at once, alternating likelihood and impact, as many people would.
    std::vector<std::string> ids;
    for (int i = 0; i < 30; ++i) {
      itpm::sim::SlashCommand c;
      c.text = "risk update R-1 --" + std::string(i % 2 == 0 ? "likelihood " : "impact ") +
               std::to_string(i / 2 % 5 + 1);
      c.user = i % 3 == 0 ? "U0DEMO1" : "U0DEMO2";
      ids.push_back(sim->send_slash_command(c));
    }
    REQUIRE(sim->wait_for(
        [&](const Snapshot& s) {
          return std::all_of(ids.begin(), ids.end(),
                             [&](const std::string& id) { return s.ack_for(id) != nullptr; });
        },
        30s));
    REQUIRE(bot.terminate() == std::optional<int>(0));
  }
  // Each change that was saved was made from the state the one before it left.
  auto store = itpm::storage::open_database(data);
  itpm::storage::Repositories repos(*store);
  auto history = repos.audit("R-1");
  REQUIRE(history.size() >= 2);
  for (std::size_t i = 1; i < history.size(); ++i) {
    INFO("entry " << i);
    CHECK(history[i].before == history[i - 1].after);
  }
  CHECK(nlohmann::json(*repos.find<itpm::storage::Risk>(1)) == history.back().after);
  CHECK(repos.risks_of_program("dr-2027")->size() == 1);
  CHECK(repos.check().empty());
}
