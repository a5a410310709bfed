// deploy/prometheus/alerts.yml, read as the list of rules it is: each rule is complete (alert,
// expr, severity, summary), names are unique, the alerts the operator contract asks for are
// there, and every itpm_ metric an expression names is one the bot exports from its start.
#include "bot/ops/metrics.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace {

struct Rule {
  std::string expr;
  std::set<std::string> keys;  // the rule's keys, nested ones included (labels.severity ...)
};

// The rules of a Prometheus rule file: `- alert: Name` opens one; `key: value` lines under it
// (by indentation) belong to it.
std::map<std::string, Rule> read_rules(std::istream& in, std::vector<std::string>& problems) {
  std::map<std::string, Rule> rules;
  Rule* rule = nullptr;
  std::size_t rule_indent = 0;
  std::string parent;
  std::size_t parent_indent = 0;
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (line.find('\t') != std::string::npos)
      problems.push_back("a tab on line " + std::to_string(number));
    auto first = line.find_first_not_of(' ');
    if (first == std::string::npos || line[first] == '#') continue;
    std::string text = line.substr(first);
    if (text.starts_with("- alert: ")) {
      std::string name = text.substr(9);
      if (rules.contains(name)) problems.push_back("alert " + name + " twice");
      rule = &rules[name];
      rule_indent = first + 2;
      parent.clear();
      continue;
    }
    if (rule == nullptr || first < rule_indent) {
      rule = nullptr;
      continue;
    }
    auto colon = text.find(':');
    if (colon == std::string::npos) {
      problems.push_back("no key on line " + std::to_string(number));
      continue;
    }
    std::string key = text.substr(0, colon);
    std::string value = colon + 1 < text.size() ? text.substr(colon + 2) : "";
    if (first == rule_indent) {
      parent = value.empty() ? key : "";
      parent_indent = first;
      rule->keys.insert(key);
      if (key == "expr") rule->expr = value;
    } else if (!parent.empty() && first > parent_indent) {
      rule->keys.insert(parent + "." + key);
    } else {
      problems.push_back("unexpected indentation on line " + std::to_string(number));
    }
  }
  return rules;
}

}  // namespace

TEST_CASE("the example alert rules are complete and name only metrics the bot exports") {
  std::ifstream in(ITPM_SOURCE_DIR "/deploy/prometheus/alerts.yml");
  REQUIRE(in);
  std::vector<std::string> problems;
  auto rules = read_rules(in, problems);
  CHECK(problems.empty());
  for (const char* wanted :
       {"ItpmBotDown", "ItpmBotNotReady", "ItpmBotDiskFull", "ItpmBotReconnectStorm",
        "ItpmBotPostsUndelivered", "ItpmBotBackupStale", "ItpmBotSlowAcks"}) {
    CHECK(rules.contains(wanted));
  }
  std::string exported = itpm::bot::Metrics().render();
  std::regex metric(R"(\b(itpm_[a-z_]+?)(_bucket|_sum|_count)?\b)");
  for (const auto& [name, rule] : rules) {
    INFO(name);
    for (const char* key :
         {"expr", "labels.severity", "annotations.summary", "annotations.description"}) {
      CHECK(rule.keys.contains(key));
    }
    CHECK_FALSE(rule.expr.empty());
    for (std::sregex_iterator it(rule.expr.begin(), rule.expr.end(), metric), end; it != end;
         ++it) {
      std::string family = (*it)[1];
      INFO(family);
      CHECK(exported.find("# TYPE " + family + " ") != std::string::npos);
    }
  }
}
