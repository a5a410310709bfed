#include "commands/registry.hpp"
#include "commands/language/arg_names.hpp"
#include "commands/language/grammar.hpp"
#include "commands/language/help.hpp"
#include "commands/render/reply.hpp"
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

static Outcome reads_page(const ParsedCommand& cmd, const Command&, const Context&) {
  (void)cmd.get(itpm::commands::arg::page);  // not declared by the verb below
  return reply_only(itpm::commands::text_reply(Visibility::ephemeral, {"read"}));
}

static Outcome reads_limit(const ParsedCommand& cmd, const Command&, const Context&) {
  (void)cmd.get(itpm::commands::arg::limit);  // an integer, declared below as text
  return reply_only(itpm::commands::text_reply(Visibility::ephemeral, {"read"}));
}

TEST_CASE(
    "a handler that reads an argument its verb does not declare, or as another type, fails "
    "loudly") {
  using itpm::commands::ArgType;
  for (auto handler : {reads_page, reads_limit}) {
    Grammar grammar = {
        {"kpi", {}, "KPIs", "", {{"", {}, "KPIs", {}, {{"limit", ArgType::text, "N"}}, handler}}}};
    Registry r(grammar);
    auto out = run(r, "kpi --limit 3");
    CHECK(out.reply.text.find("Something went wrong") != std::string::npos);
    CHECK(out.reply.text.find(handler == reads_page ? "reads page" : "reads limit") !=
          std::string::npos);
  }
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

TEST_CASE("each verb says what it does with the store: the dispatcher runs it by that") {
  Registry r;
  auto access = [&](const std::string& text) {
    Command c;
    c.text = text;
    return r.prepare(c)->access();
  };
  using itpm::commands::Access;
  for (const char* text : {"report", "kpi --quarter 2026-Q3", "risk heatmap",
                           "decision search failover", "audit R-1", "review now dr-2027"}) {
    INFO(text);
    CHECK(access(text) == Access::reads_widely);
  }
  for (const char* text : {"risk list", "risk ls", "milestone list --overdue",
                           "action list --overdue", "decision list --page 1000", "program list"}) {
    INFO(text);
    CHECK(access(text) == Access::reads_page);
  }
  for (const char* text :
       {"risk add \"x\" --program p -l 1 -i 1", "risk update R-1 --impact 2",
        "decision supersede D-1 --by D-2", "survey send p", "staff assign <@U0ALICE> dr-2027 50",
        "config set threshold 12", "status dr-2027 green \"on track\""}) {
    INFO(text);
    CHECK(access(text) == Access::writes);
  }
  for (const char* text :
       {"help", "risk show R-1", "whoami", "survey results p", "not a command", ""}) {
    INFO(text);
    CHECK(access(text) == Access::reads);
  }
}
