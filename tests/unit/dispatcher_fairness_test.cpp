// Nobody stalls the bot for everyone: every envelope is acked in time whatever the disk does,
// a person who keeps the worker busy waits behind the others, and the I/O thread reads at most
// a fixed number of rows for anyone.
#include "commands/render/reply.hpp"
#include "tests/support/dispatch_fixture.hpp"
#include "tests/support/faulty_fs.hpp"

#include <boost/asio/thread_pool.hpp>

#include <condition_variable>
#include <mutex>
#include <thread>

using itpm::bot::Dispatched;
using itpm::bot::Dispatcher;
using itpm::test::run_until;
using itpm::test::slash;
using itpm::test::TempStore;

namespace {

std::string text_of(const std::optional<nlohmann::json>& payload) {
  return payload ? payload->value("text", "") : "";
}

}  // namespace

TEST_CASE("a change the disk is slow to take is acked in time and answered once durable") {
  itpm::test::FaultyEnv env;
  itpm::storage::Store::Options options;
  options.env = env.env.get();
  TempStore t(options);
  struct Resume {
    itpm::test::FullDiskFs& fs;
    ~Resume() { fs.resume(); }  // before the store closes, whatever happens
  } resume{*env.fs};
  itpm::commands::Registry registry;
  Dispatcher d(registry, {}, t.repos, t.ioc.get_executor());
  boost::asio::thread_pool worker(1);
  std::vector<Dispatched> late;
  d.set_worker(worker.get_executor(), std::chrono::hours(1),
               [&](Dispatched x) { late.push_back(std::move(x)); });
  d.set_ack_deadline(std::chrono::milliseconds(0));
  // An answer ready at once rides on the ack as before.
  CHECK(text_of(itpm::test::handle(t, d, slash("whoami")).ack_payload).find("<@U1>") !=
        std::string::npos);

  env.fs->stall();
  std::optional<Dispatched> ack;
  d.handle(slash(R"(program add dr-2027 "Disaster Recovery")"),
           [&](Dispatched x) { ack = std::move(x); });
  REQUIRE(run_until(t.ioc, [&] { return ack.has_value(); }));
  CHECK(text_of(ack->ack_payload).find("Saving") != std::string::npos);
  CHECK(late.empty());  // nothing is said to be saved before it is
  env.fs->resume();
  REQUIRE(run_until(t.ioc, [&] { return !late.empty(); }));
  REQUIRE(late.size() == 1);
  CHECK(late[0].changed);
  CHECK(late[0].response_url == "https://hooks.example/r");
  CHECK(text_of(late[0].follow_up).find("dr-2027") != std::string::npos);
  CHECK(t.repos.find<itpm::storage::Program>("dr-2027"));
}

namespace {

// A report that records who asked and waits for a permit of its own.
struct Permits {
  std::mutex mutex;
  std::condition_variable changed;
  int available = 0;
  std::vector<std::string> order;
  void give(int n) {
    {
      std::lock_guard lock(mutex);
      available += n;
    }
    changed.notify_all();
  }
};
Permits permits;

itpm::commands::Outcome permitted_report(const itpm::commands::ParsedCommand&,
                                         const itpm::commands::Command& command,
                                         const itpm::commands::Context&) {
  std::unique_lock lock(permits.mutex);
  permits.order.push_back(command.user_id);
  permits.changed.wait(lock, [] { return permits.available > 0; });
  --permits.available;
  return itpm::commands::reply_only(itpm::commands::text_reply(
      itpm::commands::Visibility::ephemeral, {"report for " + command.user_id}));
}

const itpm::commands::Grammar& report_grammar() {
  static const itpm::commands::Grammar grammar = {
      {"report",
       {},
       "Report",
       "",
       {{"", {}, "Report", {}, {}, permitted_report, itpm::commands::Access::reads_widely}}}};
  return grammar;
}

}  // namespace

TEST_CASE("a person over their share of worker time waits behind everyone else") {
  TempStore t;
  itpm::commands::Registry registry(report_grammar());
  Dispatcher d(registry, {}, t.repos, t.ioc.get_executor());
  boost::asio::thread_pool worker(1);
  struct Release {
    ~Release() { permits.give(100); }  // before the worker is joined, whatever happens
  } release;
  permits.order.clear();
  d.set_worker(worker.get_executor(), std::chrono::hours(1), [](const Dispatched&) {});
  d.set_worker_share(std::chrono::steady_clock::duration::zero());
  std::map<std::string, int> answered;
  auto report = [&](const std::string& user) {
    auto e = slash("report");
    e.payload["user_id"] = user;
    d.handle(e, [&answered, user](const Dispatched&) { ++answered[user]; });
  };
  // UA's first report uses up their share.
  report("UA");
  permits.give(1);
  REQUIRE(run_until(t.ioc, [&] { return answered["UA"] == 1; }));
  // UC's report holds the worker while UA and then UB ask for one.
  report("UC");
  REQUIRE(run_until(t.ioc, [&] {
    std::lock_guard lock(permits.mutex);
    return permits.order.size() == 2;
  }));
  report("UA");
  report("UB");
  permits.give(3);
  REQUIRE(run_until(t.ioc, [&] { return answered["UA"] == 2 && answered["UB"] == 1; }));
  std::lock_guard lock(permits.mutex);
  CHECK(permits.order == std::vector<std::string>{"UA", "UC", "UB", "UA"});
}

namespace {

// A list that reads as many rows as it is asked for, noting on which thread it ran.
struct ListRuns {
  std::mutex mutex;
  std::vector<std::thread::id> threads;
};
ListRuns list_runs;

itpm::commands::Outcome counted_list(const itpm::commands::ParsedCommand& cmd,
                                     const itpm::commands::Command&,
                                     const itpm::commands::Context& context) {
  {
    std::lock_guard lock(list_runs.mutex);
    list_runs.threads.push_back(std::this_thread::get_id());
  }
  auto rows = cmd.required(itpm::commands::Arg<itpm::commands::ArgType::integer>{"rows"});
  for (int i = 0; i < rows; ++i)
    (void)context.repos.store().get(itpm::storage::Family::meta, "row");
  return itpm::commands::reply_only(itpm::commands::text_reply(
      itpm::commands::Visibility::ephemeral, {"read " + std::to_string(rows) + " rows"}));
}

const itpm::commands::Grammar& list_grammar() {
  using itpm::commands::ArgType;
  static const itpm::commands::Grammar grammar = {{"things",
                                                   {},
                                                   "Things",
                                                   "list",
                                                   {{"list",
                                                     {},
                                                     "List",
                                                     {{"rows", ArgType::integer, "N", true}},
                                                     {},
                                                     counted_list,
                                                     itpm::commands::Access::reads_page}}}};
  return grammar;
}

}  // namespace

TEST_CASE(
    "a page read within the I/O thread's row budget is answered there, a deeper one on the "
    "worker") {
  TempStore t;
  itpm::commands::Registry registry(list_grammar());
  Dispatcher d(registry, {}, t.repos, t.ioc.get_executor());
  boost::asio::thread_pool worker(1);
  d.set_worker(worker.get_executor(), std::chrono::hours(1), [](const Dispatched&) {});
  d.set_io_thread_rows(100);  // what the context reads (settings) counts too
  list_runs.threads.clear();

  auto cheap = itpm::test::handle(t, d, slash("things list 50"));
  CHECK(text_of(cheap.ack_payload) == "read 50 rows");
  {
    std::lock_guard lock(list_runs.mutex);
    CHECK(list_runs.threads == std::vector<std::thread::id>{std::this_thread::get_id()});
    list_runs.threads.clear();
  }
  // Past its budget the page stops at once (nothing answered from the I/O thread) and runs
  // again, whole, on the worker.
  auto deep = itpm::test::handle(t, d, slash("things list 150"));
  CHECK(text_of(deep.ack_payload) == "read 150 rows");
  std::lock_guard lock(list_runs.mutex);
  REQUIRE(list_runs.threads.size() == 2);
  CHECK(list_runs.threads[0] == std::this_thread::get_id());
  CHECK(list_runs.threads[1] != std::this_thread::get_id());
}
