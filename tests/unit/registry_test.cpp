#include "commands/registry.hpp"
#include "commands/grammar.hpp"
#include "commands/help.hpp"
#include "tests/support/command_fixture.hpp"

#include <catch2/catch.hpp>

using namespace itpm::commands;

namespace {

Outcome run(const Registry& r, const std::string& text, const std::string& user = "U1") {
  Command c;
  c.user_id = user;
  c.channel_id = "C1";
  c.text = text;
  return r.handle(c, Context{std::chrono::system_clock::now(), {"UADMIN"}});
}

}  // namespace

TEST_CASE("help lists every area and one area's verbs, from the grammar") {
  Registry r;
  auto all = run(r, "help");
  for (const auto& area : grammar())
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

TEST_CASE("a known but unbuilt area answers honestly and saves nothing") {
  Registry r;
  auto out = run(r, "risk list");
  CHECK(out.reply.text.find("not available in this build yet") != std::string::npos);
  CHECK(out.effects.empty());
}

TEST_CASE("a throwing handler becomes an apology, not a crash") {
  Registry r;
  r.add("kpi", [](const ParsedCommand&, const Command&, const Context&) -> Outcome {
    throw std::runtime_error("boom");
  });
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

TEST_CASE("with every area added, every area of the grammar has a handler") {
  itpm::test::CommandFixture f;
  for (const auto& area : grammar()) {
    INFO(area.name);
    CHECK(f.registry.handles(area.name));
  }
  CHECK_FALSE(Registry().handles("kpi"));
}
