// Work proportional to what is shown: a deep page, a person's risks, a mistyped program key,
// an agenda and a long search read only what they show. The records a command reads are
// counted with a ReadSet around the handler (every Repositories::find notes one).
#include "storage/read_set.hpp"
#include "tests/support/command_fixture.hpp"

#include <fmt/format.h>

namespace {

using itpm::test::CommandFixture;
using itpm::test::contains;

// Writes `programs` open programs and `per_program` decisions, risks (owned by UBOB) and open
// dependencies in each, in one batch.
void seed(CommandFixture& f, int programs, int per_program) {
  itpm::storage::Batch batch;
  itpm::storage::Change change{"UALICE", 1'700'000'000'000, "add"};
  std::uint64_t number = 0;
  for (int p = 0; p < programs; ++p) {
    itpm::storage::Program program;
    program.key = fmt::format("prog-{:03}", p);
    program.name = "Program " + std::to_string(p);
    program.owner = "UALICE";
    program.channel = "CDEMO";
    f.repos.save(batch, program, nullptr, change);
    for (int i = 0; i < per_program; ++i) {
      ++number;
      itpm::storage::Decision d;
      d.number = number;
      d.program = program.key;
      d.title = fmt::format("Decision {} on failover", number);
      d.date = fmt::format("2026-{:02}-{:02}", 1 + number % 12, 1 + number % 28);
      d.decided_by = {"UBOB"};
      d.created_by = "UALICE";
      f.repos.save(batch, d, nullptr, change);
      itpm::storage::Risk r;
      r.number = number;
      r.program = program.key;
      r.title = fmt::format("Risk {}", number);
      r.likelihood = 1 + static_cast<int>(number % 5);
      r.impact = 1 + static_cast<int>(number % 3);
      r.owner = "UBOB";
      f.repos.save(batch, r, nullptr, change);
      itpm::storage::Dependency x;
      x.number = number;
      x.program = program.key;
      x.on_kind = "team";
      x.on = "Network";
      x.what = fmt::format("Link {}", number);
      x.need_by = fmt::format("2027-{:02}-{:02}", 1 + number % 12, 1 + number % 28);
      f.repos.save(batch, x, nullptr, change);
    }
  }
  for (const char* sequence : {"decision", "risk", "dependency"}) {
    for (std::uint64_t i = 0; i < number; ++i) (void)f.store->next_sequence(sequence, batch);
  }
  REQUIRE(f.store->commit(std::move(batch)));
}

// Runs `text` as a command and says how many records it read.
std::size_t records_read(CommandFixture& f, const std::string& text, std::string* reply = nullptr) {
  itpm::storage::ReadSet reads;
  auto out = f.run(text);
  if (reply != nullptr) *reply = out.reply.text;
  return reads.size();
}

}  // namespace

TEST_CASE("a deep page reads what the first page reads") {
  CommandFixture f;
  seed(f, 30, 20);  // 600 decisions, risks and dependencies
  for (const char* list :
       {"decision list", "decision list --by <@UBOB>", "risk list", "risk list --owner <@UBOB>",
        "dep list", "program list", "status", "decision search failover"}) {
    INFO(list);
    std::string first_reply;
    std::string deep_reply;
    auto first = records_read(f, std::string(list) + " --limit 10", &first_reply);
    auto deep = records_read(f, std::string(list) + " --limit 10 --page 3", &deep_reply);
    CHECK(deep <= first + 2);
    CHECK(deep <= 25);
    CHECK(contains(deep_reply, "Showing 21–30 of "));
  }
  // The page past the end reads nothing of the register and says how many pages there are.
  std::string past;
  CHECK(records_read(f, "decision list --limit 100 --page 1000", &past) <= 1);
  CHECK(contains(past, "Page 1000 is past the end: this list has 6 pages of 100."));
}

TEST_CASE("a page shows the items in the order of the whole list") {
  CommandFixture f;
  seed(f, 3, 10);
  std::string all = f.run("decision list --limit 30").reply.text;
  std::string second = f.run("decision list --limit 10 --page 2").reply.text;
  // The eleventh line of the whole list is the first of the second page.
  auto nth_line = [](const std::string& text, int n) {
    std::size_t at = 0;
    for (int i = 0; i < n; ++i) at = text.find("\n• ", at + 1);
    return text.substr(at + 1, text.find('\n', at + 1) - at - 1);
  };
  CHECK(nth_line(all, 11) == nth_line(second, 1));
  CHECK(nth_line(all, 20) == nth_line(second, 10));
}

TEST_CASE("a mistyped program key is matched against a bounded set of keys") {
  CommandFixture f;
  seed(f, 30, 0);
  std::string reply;
  auto read = records_read(f, "risk list --program prog-0O7", &reply);
  CHECK(read <= 2);
  CHECK(contains(reply, "Did you mean `prog-007`?"));
}

TEST_CASE("a search takes at most 16 words") {
  CommandFixture f;
  seed(f, 1, 3);
  std::string words;
  for (int i = 0; i < 17; ++i) words += fmt::format(" word{}", i);
  auto reply = f.run("decision search" + words).reply.text;
  CHECK(contains(reply, "A search takes at most 16 words"));
  CHECK(contains(f.run("decision search failover decision").reply.text, "decisions match"));
}

TEST_CASE("an agenda reads its own program's dependencies") {
  CommandFixture f;
  seed(f, 20, 10);
  std::string reply;
  auto read = records_read(f, "review now prog-004", &reply);
  // The program, its risks, decisions and milestones shown, five dependencies: not the 200
  // dependencies of every program.
  CHECK(read < 60);
}
