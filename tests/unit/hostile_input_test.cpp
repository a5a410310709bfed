// Hostile and odd input through the whole command path on a real store: nothing throws,
// mistakes write nothing, and no reply can broadcast or mention someone the input did not.
#include "commands/render/slack_text.hpp"
#include "tests/support/command_fixture.hpp"

#include <catch2/catch.hpp>

#include <regex>
#include <set>

using namespace itpm::commands;
using itpm::test::contains;

namespace {

// Every `<@U…>` mention and `<!…>` broadcast a reply could trigger.
std::set<std::string> pings(const Reply& reply) {
  std::set<std::string> out;
  std::string all = reply.text + reply.blocks.dump();
  static const std::regex ping(R"(<(@[A-Z0-9]+|![a-z^]+))");
  for (auto it = std::sregex_iterator(all.begin(), all.end(), ping); it != std::sregex_iterator();
       ++it) {
    out.insert(it->str(1));
  }
  return out;
}

}  // namespace

TEST_CASE("mistakes in hostile input are explained and write nothing") {
  itpm::test::CommandFixture f;
  f.run(R"(program add dr-2027 "DR")");
  struct Row {
    std::string text;
    std::string message;
  };
  std::string long_words;
  while (long_words.size() < 4000) long_words += "failover ";
  auto row = GENERATE_COPY(values<Row>({
      {R"(risk add "Primary DB --program dr-2027 -l 1 -i 1)", "column 10"},
      {"risk add \"" + std::string(4000, 'x') + "\" --program dr-2027 -l 1 -i 1",
       "The title is 4,000 characters long"},
      {"risk add " + long_words, "Unexpected"},
      {R"(risk add <!channel> --program dr-2027 -l 1 -i 1)", "cannot be"},
      {R"(risk add "x" --program dr-2027 -l 1 -l 2 -i 1)", "--likelihood was given twice"},
      {R"(risk add "x" --program dr-2027 -l 1 -i 1 --severity high)", "Unknown flag --severity"},
      {R"(risk add "x" --program dr-2027 -l 1 -i 1 --owner=<!here>)", "--owner takes a person"},
      {"risk add \"x\" --program dr-2027 -l \u200b1 -i 1", "--likelihood must be a whole number"},
      {R"(decision add "x" --program dr-2027 --decided-by <@U1>,<!channel>)",
       "--decided-by takes people"},
      {R"(review schedule dr-2027 --every "tue 25:00")", "Nothing was saved"},
      {R"(review schedule dr-2027 --every "<!channel> 15:00")", "Nothing was saved"},
      {"review schedule dr-2027 --every \"tue 15:00\" --tz " + std::string(300, 'A'),
       "Unknown time zone"},
      {R"(review schedule dr-2027 --every "tue 15:00" --remind 99999999999999999999m)",
       "--remind takes times"},
      {R"(review schedule dr-2027 --every "tue 15:00" --tz ../../etc/passwd)", "Unknown time zone"},
      {R"(review skip V-1 --date 2026-02-30)", "No review cadence V-1"},
      {"status dr-2027 green \"" + std::string(600, 'y') + "\"", "The summary is 600"},
      {R"(status dr-2027 purple "x")", "purple"},
      {R"(survey send dr-2027 --channel <!channel>)", "--channel takes a channel"},
      {R"(survey send <!here>)", "Nothing was saved"},
      {R"(survey results dr-2027 --share <!channel>)", "Unexpected"},
      {R"(kpi --quarter <!channel>)", "--quarter cannot be"},
      {"kpi --quarter " + std::string(500, '9'), "--quarter takes a quarter like 2026Q4"},
      {R"(program update dr-2027 --budget -9223372036854775808)", "--budget must be at least 0"},
      {R"(program update dr-2027 --budget 9223372036854775807)", "--budget must be 0–"},
      {R"(program add ci "CI" --budget 99999999999999999999)", "--budget must be a whole number"},
      {R"(risk list --limit -9223372036854775808)", "--limit must be 1–100"},
      {R"(milestone list --limit 101)", "--limit must be 1–100 (got 101)"},
  }));
  auto out = f.run(row.text);
  INFO(row.text.substr(0, 120));
  INFO(out.reply.text.substr(0, 400));
  CHECK(contains(out.reply.text, row.message));
  CHECK(out.reply.visibility == Visibility::ephemeral);
  CHECK(pings(out.reply).empty());
  CHECK(f.repos.all<itpm::storage::Risk>().empty());
  CHECK_FALSE(f.repos.find<itpm::storage::Decision>(1));
  CHECK(f.repos.all<itpm::storage::Review>().empty());
  CHECK(f.repos.status_updates("dr-2027", 1).empty());
  CHECK(f.repos.all<itpm::storage::Survey>().empty());
  CHECK_FALSE(f.repos.jobs().next_due().has_value());
  CHECK(f.repos.find<itpm::storage::Program>("dr-2027")->budget == 0);
  CHECK_FALSE(f.repos.find<itpm::storage::Program>("ci"));
}

TEST_CASE("odd but valid text is kept exactly and rendered safely") {
  itpm::test::CommandFixture f;
  f.run(R"(program add dr-2027 "DR")");
  SECTION("emoji, zero-width joiners and nested quotes survive the round trip") {
    std::string title = "🔥 DB\u200bfailover by 👩‍💻 — he said 'soon' and “done”";
    auto out = f.run("risk add \"" + title + "\" --program dr-2027 -l 1 -i 1");
    CHECK(f.repos.find<itpm::storage::Risk>(1)->title == title);
    CHECK(contains(out.reply.text, title));
  }
  SECTION("a typed <!channel> stays text and never broadcasts") {
    auto out =
        f.run(R"(risk add "ping &lt;!channel&gt; &amp; &lt;!here&gt; now" -p dr-2027 -l 1 -i 1)");
    CHECK(f.repos.find<itpm::storage::Risk>(1)->title == "ping ‹!channel> & ‹!here> now");
    CHECK(pings(out.reply) == std::set<std::string>{"@UALICE"});  // the owner, no one else
  }
  SECTION("a typed mention is text; a real one is rendered back as a mention") {
    auto out = f.run(
        R"(risk add "waiting on <@UDAVE|dave> not &lt;@UEVE&gt;" -p dr-2027 -l 1 -i 1 --mitigation "ask <#COPS|ops> or <https://wiki.example/dr|the wiki>")");
    INFO(out.reply.text);
    CHECK(f.repos.find<itpm::storage::Risk>(1)->title == "waiting on <@UDAVE|dave> not ‹@UEVE>");
    CHECK(contains(out.reply.text, "waiting on <@UDAVE> not ‹@UEVE&gt;"));
    CHECK(contains(out.reply.text, "ask <#COPS> or the wiki (<https://wiki.example/dr>)"));
    auto mentioned = pings(out.reply);
    CHECK(mentioned == std::set<std::string>{"@UALICE", "@UDAVE"});
  }
  SECTION("a real broadcast in the input is kept only as a word") {
    auto out = f.run(R"(risk add "tell <!channel> about it" -p dr-2027 -l 1 -i 1)");
    CHECK(f.repos.find<itpm::storage::Risk>(1)->title == "tell @channel about it");
    CHECK(pings(out.reply) == std::set<std::string>{"@UALICE"});
  }
}

TEST_CASE("text_from_slack and render_text keep exactly the references Slack sent") {
  CHECK(text_from_slack("a &amp; b &lt; c &gt; d") == "a & b < c > d");
  CHECK(text_from_slack("&lt;@U1&gt;") == "‹@U1>");
  // Found by fuzzing: a bare "<" whose reference closes only once "&gt;" is unescaped.
  CHECK(text_from_slack("<!here&gt; <@U1&gt;") == "‹!here> ‹@U1>");
  CHECK(text_from_slack("<<!|x>E>") == "‹@E>");
  CHECK(text_from_slack("<@U1|al> <#C1> <!subteam^S1|@sre>") ==
        "<@U1|al> <#C1> <!subteam^S1|@sre>");
  CHECK(text_from_slack("<!here|here>") == "@here");
  CHECK(render_text("<@U1|al> & <b> <!channel>") == "<@U1> &amp; &lt;b&gt; &lt;!channel&gt;");
  // Shown every time: a masked link shows its address, a user group is named, not pinged.
  CHECK(render_text("<https://x.example/a|docs>") == "docs (<https://x.example/a>)");
  CHECK(render_text("<https://evil.example|Approved>") == "Approved (<https://evil.example>)");
  CHECK(render_text("<https://x.example>") == "<https://x.example>");
  CHECK(render_text("ask <!subteam^S1|@sre> now") == "ask @sre now");
  CHECK(render_text("<!subteam^S1>") == "@group");
  CHECK(render_text("<@U1") == "&lt;@U1");
}
