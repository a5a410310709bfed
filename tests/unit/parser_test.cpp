#include "commands/language/parser.hpp"
#include "commands/command_table.hpp"
#include "commands/language/arg_names.hpp"
#include "commands/language/grammar.hpp"
#include "commands/language/suggest.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace itpm::commands;

namespace {

ParsedCommand ok(std::string_view text) {
  auto result = parse(text, command_grammar());
  if (auto* err = std::get_if<ParseError>(&result)) FAIL("unexpected error: " << err->message);
  return std::get<ParsedCommand>(result);
}

ParseError error(std::string_view text) {
  auto result = parse(text, command_grammar());
  REQUIRE(std::holds_alternative<ParseError>(result));
  return std::get<ParseError>(result);
}

}  // namespace

TEST_CASE("areas and verbs resolve by name, alias and case") {
  CHECK(ok("risk list").verb->name == "list");
  CHECK(ok("R LS").area->name == "risk");
  CHECK(ok("dec add \"x\" --program dr").area->name == "decision");
  CHECK(ok("ms list").area->name == "milestone");
  CHECK(ok("risk").verb->name == "list");  // the default verb
  CHECK(ok("risk --program dr").verb->name == "list");
  CHECK(ok("").area->name == "help");
  CHECK(ok("kpi --quarter 2026Q4").get(arg::quarter) == "2026Q4");
}

TEST_CASE("flags take values in every documented form") {
  auto cmd = ok(
      R"(risk add "Primary DB failover untested" --program dr-2027 -l 4 --impact=5 --owner <@U024BE7LH|dave> --mitigation "drill on fri")");
  CHECK(cmd.get(arg::title) == "Primary DB failover untested");
  CHECK(cmd.get(arg::program) == "dr-2027");
  CHECK(cmd.get(arg::likelihood) == 4);
  CHECK(cmd.get(arg::impact) == 5);
  CHECK(cmd.get(arg::owner) == "U024BE7LH");
  CHECK(cmd.get(arg::mitigation) == "drill on fri");
  CHECK_FALSE(cmd.get(arg::due));
}

TEST_CASE("typed reads give each argument as its type and refuse what the verb does not declare") {
  auto cmd = ok("decision add \"Go\" --program dr --decided-by <@U1>,<@U2>,<@U1> --tags a,b");
  auto people = cmd.get(arg::decided_by);
  REQUIRE(people.size() == 3);
  CHECK(people[1].id == "U2");
  CHECK(cmd.get(arg::tags) == "a,b");
  CHECK(ok("decision add \"Go\" --program dr").get(arg::decided_by).empty());
  CHECK_FALSE(ok("risk list").get(arg::share));
  CHECK(ok("risk list --share").get(arg::share));
  CHECK(ok("risk list --limit 007").get(arg::limit) == 7);
  CHECK(cmd.required(arg::title) == "Go");
  CHECK_THROWS_AS(cmd.get(arg::owner), std::logic_error);  // decision add has no --owner
  // `decision supersede` declares --by as a decision, `decision list` as a person.
  auto supersede = ok("decision supersede D-1 --by D-2");
  CHECK(supersede.get(arg::superseded_by) == "D-2");
  CHECK_THROWS_AS(supersede.get(arg::by), std::logic_error);
  CHECK_THROWS_AS(ok("risk list").required(arg::program), std::logic_error);
}

TEST_CASE("text is unescaped, a typed <!channel> stays text") {
  auto cmd = ok(R"(decision add "Use &lt;!channel&gt; &amp; friends" --program dr)");
  CHECK(cmd.get(arg::title) == "Use ‹!channel> & friends");
  CHECK_FALSE(cmd.token(arg::title)->ref);
}

TEST_CASE("search words are collected into one positional") {
  auto cmd = ok("decision search failover patroni --program dr");
  CHECK(cmd.get(arg::words) == "failover patroni");
  CHECK(cmd.get(arg::program) == "dr");
}

TEST_CASE("status takes an optional color between program and summary") {
  auto full = ok(R"(status dr-2027 amber "slipped a week")");
  CHECK(full.get(arg::color) == "amber");
  CHECK(full.get(arg::summary) == "slipped a week");
  auto no_color = ok(R"(status dr-2027 "just a note")");
  CHECK_FALSE(no_color.get(arg::color));
  CHECK(no_color.get(arg::summary) == "just a note");
}

TEST_CASE("mistakes are explained with the usage and a suggestion") {
  struct Row {
    std::string input;
    std::string message_part;
    bool has_usage;
  };
  auto row = GENERATE(values<Row>({
      {"rsk list", "Did you mean `risk`?", false},
      {"risk lst", "Did you mean `risk list`?", false},
      {"risk list --owenr <@U1|a>", "Did you mean `--owner`?", true},
      {"risk add \"x\" --program dr --likelihood 9 --impact 3", "--likelihood must be 1–5 (got 9)",
       true},
      {"risk add \"x\" --program dr --likelihood four --impact 3", "must be a whole number", true},
      {"risk add \"x\" --likelihood 2 --impact 3", "Missing --program", true},
      {"risk add --program dr --likelihood 2 --impact 3", "Missing \"<title>\"", true},
      {"risk list --status opn", "Did you mean `open`?", true},
      {"risk list --owner dave", "takes a person as an @mention", true},
      {"risk list --program a --program b", "given twice", true},
      {"risk list --program", "needs a value", true},
      {"risk show R-1 R-2", "Unexpected \"R-2\"", true},
      {"risk add \"unterminated --program dr", "unterminated quote at column 10", false},
      {"whoami --all", "Unknown flag --all", true},
      {"zzzzzz", "Unknown area \"zzzzzz\". Try", false},
  }));
  auto err = error(row.input);
  INFO(row.input << " -> " << err.message);
  CHECK(err.message.find(row.message_part) != std::string::npos);
  CHECK(err.usage.empty() != row.has_usage);
}

TEST_CASE("errors of verbs that write say that nothing was saved") {
  CHECK(error("risk add \"x\" --program dr --likelihood 9 --impact 3").message ==
        "--likelihood must be 1–5 (got 9). Nothing was saved.");
  CHECK(error("risk list --min-score 99").message.find("Nothing was saved") == std::string::npos);
}

TEST_CASE("user text in errors is escaped") {
  auto err = error("&lt;!channel&gt;");
  CHECK(err.message.find("<!channel>") == std::string::npos);
  CHECK(err.message.find("&lt;!channel&gt;") != std::string::npos);
}

TEST_CASE("usage is generated from the grammar") {
  const AreaSpec* risk = find_area(command_grammar(), "risk");
  REQUIRE(risk);
  CHECK(
      usage(*risk, *find_verb(*risk, "add")) ==
      R"(/itpm risk add "<title>" --program <key> --likelihood 1-5 --impact 1-5 [--owner @u] [--due DATE] [--mitigation "..."])");
}

TEST_CASE("area names and aliases are unique, so every word resolves one way") {
  std::set<std::string> names;
  for (const auto& area : command_grammar()) {
    CHECK(names.insert(std::string(area.name)).second);
    for (auto alias : area.aliases) CHECK(names.insert(std::string(alias)).second);
  }
}

TEST_CASE("nearest finds likely typos and prefixes only") {
  std::vector<std::string_view> words = {"risk", "decision", "milestone", "program"};
  CHECK(nearest("rsik", words) == std::optional<std::string>("risk"));
  CHECK(nearest("mile", words) == std::optional<std::string>("milestone"));
  CHECK(nearest("decison", words) == std::optional<std::string>("decision"));
  CHECK_FALSE(nearest("banana", words));
  CHECK(edit_distance("ab", "ba") == 1);
}

TEST_CASE("no verb declares one name as both a positional and a flag") {
  // ParsedCommand::get finds an argument by its name alone.
  for (const auto& area : command_grammar()) {
    for (const auto& verb : area.verbs) {
      std::set<std::string_view> names;
      for (const auto& p : verb.positionals) CHECK(names.insert(p.name).second);
      for (const auto& f : verb.flags) {
        INFO(area.name << " " << verb.name << " --" << f.name);
        CHECK(names.insert(f.name).second);
      }
    }
  }
}
