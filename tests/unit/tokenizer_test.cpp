#include "commands/language/tokenizer.hpp"

#include <catch2/catch.hpp>

using itpm::commands::Token;
using itpm::commands::tokenize;
using itpm::commands::TokenizeError;

namespace {

std::vector<std::string> words(std::string_view text) {
  auto result = tokenize(text);
  REQUIRE(std::holds_alternative<std::vector<Token>>(result));
  std::vector<std::string> out;
  for (const auto& t : std::get<std::vector<Token>>(result)) out.push_back(t.text);
  return out;
}

}  // namespace

TEST_CASE("tokenize splits on whitespace and groups quoted words") {
  using V = std::vector<std::string>;
  struct Row {
    std::string input;
    V expected;
  };
  auto row = GENERATE(values<Row>({
      {"risk list", V{"risk", "list"}},
      {"  risk\t list  ", V{"risk", "list"}},
      {R"(risk add "Primary DB failover" --program dr)",
       V{"risk", "add", "Primary DB failover", "--program", "dr"}},
      {"add 'single quoted' x", V{"add", "single quoted", "x"}},
      {"add \u201ccurly double\u201d x", V{"add", "curly double", "x"}},
      {"add \u2018curly single\u2019 x", V{"add", "curly single", "x"}},
      {"add \u201cmixed phone quotes\" x", V{"add", "mixed phone quotes", "x"}},
      {R"(--title="a b" c)", V{"--title=a b", "c"}},
      {"don't stop", V{"don't", "stop"}},
      {"Bob\u2019s laptop", V{"Bob\u2019s", "laptop"}},
      {R"("it's fine")", V{"it's fine"}},
      {R"('say "hi"')", V{"say \"hi\""}},
      {"\"\"", V{""}},
      {"", V{}},
  }));
  CHECK(words(row.input) == row.expected);
}

TEST_CASE("an unterminated quote is an error naming its column") {
  auto result = tokenize(R"(risk add "Primary DB --program dr)");
  REQUIRE(std::holds_alternative<TokenizeError>(result));
  CHECK(std::get<TokenizeError>(result).column == 10);
  CHECK(std::get<TokenizeError>(result).message.find("column 10") != std::string::npos);

  auto curly = tokenize("add \u201cnever closed");
  REQUIRE(std::holds_alternative<TokenizeError>(curly));
  CHECK(std::get<TokenizeError>(curly).column == 5);  // columns count characters, not bytes
}

TEST_CASE("tokenize survives hostile input") {
  std::string long_text(4000, 'x');
  CHECK(words(long_text).size() == 1);
  CHECK(words("emoji \xF0\x9F\x9A\x80 zero\u200bwidth").size() == 3);
  CHECK(words("\xff\xfe broken utf8").size() == 3);
  CHECK(words("\u00a0non-breaking\u00a0space").size() == 2);
}
