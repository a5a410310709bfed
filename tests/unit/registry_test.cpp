#include "commands/registry.hpp"
#include "commands/language/grammar.hpp"
#include "commands/language/help.hpp"
#include "tests/support/command_fixture.hpp"

#include <catch2/catch.hpp>

using namespace itpm::commands;

namespace {

Outcome run(const Registry& r, const std::string& text, const std::string& user = "U1") {
  static itpm::test::CommandFixture store;  // the handlers read a real (empty) store
  Command c;
  c.user_id = user;
  c.channel_id = "C1";
  c.text = text;
  return r.handle(c, Context{std::chrono::system_clock::now(), {"UADMIN"}, store.repos});
}

}  // namespace

TEST_CASE("help lists every area and one area's verbs, from the grammar") {
  Registry r;
  auto all = run(r, "help");
  for (const auto& area : command_grammar())
    CHECK(all.reply.text.find("`" + std::string(area.name) + "`") != std::string::npos);
  CHECK(all.reply.visibility == Visibility::ephemeral);
  CHECK(all.reply.blocks.size() == 3);

  auto risk = run(r, "help risk");
  CHECK(risk.reply.text.find("/itpm risk heatmap") != std::string::npos);
  auto typo = run(r, "help rsk");
  CHECK(typo.reply.text.find("Did you mean `risk`?") != std::string::npos);
}

TEST_CASE("whoami knows admins") {
  Registry r;
  CHECK(run(r, "whoami", "UADMIN").reply.text.find("admin") != std::string::npos);
  CHECK(run(r, "whoami", "U2").reply.text.find("<@U2>") != std::string::npos);
}

static Outcome throws(const ParsedCommand&, const Command&, const Context&) {
  throw std::runtime_error("boom");
}

TEST_CASE("a throwing handler becomes an apology, not a crash") {
  Grammar grammar = {{"kpi", {}, "KPIs", "", {{"", {}, "KPIs", {}, {}, throws}}}};
  Registry r(grammar);
  auto out = run(r, "kpi");
  CHECK(out.reply.text.find("Something went wrong") != std::string::npos);
  CHECK(out.reply.visibility == Visibility::ephemeral);
}

TEST_CASE("error replies carry the usage as a code span with the user text escaped") {
  Registry r;
  auto out = run(r, "risk add \"x\" --program dr --likelihood 9 --impact 3");
  REQUIRE(out.reply.blocks.size() == 2);
  CHECK(out.reply.blocks[1]["text"]["text"].get<std::string>().find("&lt;title&gt;") !=
        std::string::npos);
}

TEST_CASE("every verb of the command table has a handler") {
  for (const auto& area : command_grammar()) {
    for (const auto& verb : area.verbs) {
      INFO(area.name << " " << verb.name);
      CHECK(verb.handler != nullptr);
    }
  }
}

TEST_CASE("commands that may read much of the store are known, changes and help are not") {
  Registry r;
  auto widely = [&](const std::string& text) {
    Command c;
    c.text = text;
    return r.traits(c).reads_widely;
  };
  for (const char* text : {"report", "kpi --quarter 2026-Q3", "risk list", "risk ls",
                           "risk heatmap", "decision search failover", "milestone list --overdue",
                           "action list --overdue", "audit R-1", "review now dr-2027"}) {
    INFO(text);
    CHECK(widely(text));
  }
  for (const char* text : {"help", "risk add \"x\" --program p -l 1 -i 1", "risk show R-1",
                           "whoami", "no such command", ""}) {
    INFO(text);
    CHECK_FALSE(widely(text));
  }
}

TEST_CASE("only commands that change something keep a read set") {
  Registry r;
  auto writes = [&](const std::string& text) {
    Command c;
    c.text = text;
    return r.traits(c).writes;
  };
  for (const char* text : {"risk add \"x\" --program p -l 1 -i 1", "risk update R-1 --impact 2",
                           "decision supersede D-1 --by D-2", "survey send p",
                           "staff assign <@U0ALICE> dr-2027 50", "config set threshold 12"}) {
    INFO(text);
    CHECK(writes(text));
  }
  for (const char* text : {"risk list", "decision list --page 1000", "status", "help", "whoami",
                           "not a command", ""}) {
    INFO(text);
    CHECK_FALSE(writes(text));
  }
}
