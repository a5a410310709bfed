// Forms (modals) and the home tab: which commands open a form, the views within Slack's limits,
// and a submission read back and run by the verb's own handler.
#include "commands/areas/config_commands.hpp"
#include "commands/forms/form.hpp"
#include "commands/forms/home.hpp"
#include "tests/support/command_fixture.hpp"
#include "tests/support/view_limits.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>

using namespace itpm;
using nlohmann::json;

namespace {

commands::Context context(test::CommandFixture& f) {
  return commands::make_context(f.repos, commands::Settings{{}, {"UADMIN"}}, f.now, f.zone);
}

json input_block(const json& view, const std::string& id) {
  for (const auto& b : view["blocks"]) {
    if (b.value("block_id", "") == id) return b;
  }
  return json();
}

// `view` as Slack sends it back on submit, with `values` (block_id -> element state).
json submitted(json view, const json& values) {
  json state = json::object();
  for (const auto& [id, value] : values.items()) state[id] = {{"v", value}};
  view["state"] = {{"values", state}};
  return view;
}

}  // namespace

TEST_CASE(
    "a bare add or review record with a program opens a form and anything more runs as typed") {
  const auto& grammar = commands::command_grammar();
  for (std::string text : {"risk add", "r new", "decision add", "milestone add", "action add"}) {
    auto form = commands::form_request(text, grammar);
    REQUIRE(form);
    CHECK(form->pinned.empty());
  }
  auto status = commands::form_request("review record dr-2027", grammar);
  REQUIRE(status);
  CHECK(status->pinned.at("program") == "dr-2027");
  // status <program> answers with the latest status (commands.md §2), it opens no form.
  for (std::string text : {"risk add \"x\"", "risk list", "status", "status dr-2027",
                           "status dr-2027 green", "review record", "review record dr-2027 \"x\"",
                           "risk add --program dr", "help", "", "\"risk\" add"}) {
    CHECK_FALSE(commands::form_request(text, grammar));
  }
}

TEST_CASE("every form stays within Slack's limits on views") {
  test::CommandFixture f;
  f.run("program add dr-2027 \"Disaster recovery 2027\" --channel <#CDEMO>");
  for (std::string text :
       {"risk add", "decision add", "milestone add", "action add", "review record dr-2027"}) {
    auto form = commands::form_request(text, commands::command_grammar());
    REQUIRE(form);
    json view = commands::form_view(*form, context(f), "CDEMO");
    INFO(text);
    CHECK(test::view_problem(view).empty());
    CHECK(view["callback_id"] == "itpm_form");
    for (const char* query_flag : {"share", "limit", "page"}) {  // they shape answers only
      CHECK(input_block(view, query_flag).is_null());
    }
  }
  // The program picker lists the open programs and starts at the channel's one.
  auto risk = commands::form_request("risk add", commands::command_grammar());
  json program = input_block(commands::form_view(*risk, context(f), "CDEMO"), "program");
  CHECK(program["element"]["type"] == "static_select");
  CHECK(program["element"]["initial_option"]["value"] == "dr-2027");
  CHECK_FALSE(program["optional"].get<bool>());
  json likelihood = input_block(commands::form_view(*risk, context(f), "CDEMO"), "likelihood");
  CHECK(likelihood["element"]["options"].size() == 5);
}

TEST_CASE("with more open programs than a menu holds, the program is typed") {
  test::CommandFixture f;
  for (int i = 0; i < 101; ++i) f.run(fmt::format("program add p{:03} \"Program {}\"", i, i));
  auto form = commands::form_request("risk add", commands::command_grammar());
  json view = commands::form_view(*form, context(f), "CDEMO");
  CHECK(test::view_problem(view).empty());
  CHECK(input_block(view, "program")["element"]["type"] == "plain_text_input");
}

TEST_CASE("a submitted form runs the verb's handler and its mistakes land on their fields") {
  test::CommandFixture f;
  f.run("program add dr-2027 \"Disaster recovery 2027\" --channel <#CDEMO>");
  const auto& grammar = commands::command_grammar();
  json view =
      commands::form_view(*commands::form_request("risk add", grammar), context(f), "CDEMO");

  // Required fields left empty, and a value the parser's rules refuse.
  auto missing = commands::read_form(
      submitted(view, {{"title", {{"type", "plain_text_input"}, {"value", "  "}}},
                       {"likelihood", {{"selected_option", {{"value", "9"}}}}}}),
      grammar);
  REQUIRE(missing);
  CHECK(missing->errors.at("title") == "Required.");
  CHECK(test::contains(missing->errors.at("likelihood"), "1–5"));
  CHECK(missing->errors.at("impact") == "Required.");

  // A handler's mistake (an unknown program typed) goes to the field it names.
  json typed = submitted(view, {{"title", {{"value", "Failover untested"}}},
                                {"program", {{"selected_option", {{"value", "nope"}}}}},
                                {"likelihood", {{"selected_option", {{"value", "4"}}}}},
                                {"impact", {{"selected_option", {{"value", "5"}}}}}});
  auto unknown = commands::read_form(typed, grammar);
  REQUIRE(unknown);
  REQUIRE(unknown->errors.empty());
  commands::Command as_alice{"UALICE", unknown->channel, "", "", "", ""};
  auto refused = commands::Registry::handle_parsed(unknown->cmd, as_alice, context(f));
  CHECK(refused.writes.empty());
  auto errors = commands::field_errors(*unknown, refused.reply);
  REQUIRE(errors.size() == 1);
  CHECK(errors.begin()->first == "program");

  // Valid: the same handler saves it, with the owner picked and the text kept as typed.
  json good = submitted(view, {{"title", {{"value", "Failover <untested> & slow"}}},
                               {"program", {{"selected_option", {{"value", "dr-2027"}}}}},
                               {"likelihood", {{"selected_option", {{"value", "4"}}}}},
                               {"impact", {{"selected_option", {{"value", "2"}}}}},
                               {"owner", {{"selected_user", "UBOB"}}},
                               {"due", {{"selected_date", "2026-12-24"}}}});
  auto form = commands::read_form(good, grammar);
  REQUIRE(form);
  REQUIRE(form->errors.empty());
  CHECK(form->channel == "CDEMO");
  auto saved = commands::Registry::handle_parsed(form->cmd, as_alice, context(f));
  REQUIRE_FALSE(saved.writes.empty());
  REQUIRE(f.store->commit(std::move(saved.writes)));
  auto risk = f.repos.find<storage::Risk>(std::uint64_t{1});
  REQUIRE(risk);
  CHECK(risk->title == "Failover <untested> & slow");  // as if typed after /itpm
  CHECK(risk->owner == "UBOB");
  CHECK(risk->due == "2026-12-24");
  CHECK(risk->likelihood * risk->impact == 8);
}

TEST_CASE("a form that is not ours, or with metadata that names no form, is not read") {
  const auto& grammar = commands::command_grammar();
  CHECK_FALSE(commands::read_form(json{{"callback_id", "other"}}, grammar));
  CHECK_FALSE(
      commands::read_form(json{{"callback_id", "itpm_form"}, {"private_metadata", "{"}}, grammar));
  CHECK_FALSE(commands::read_form(
      json{{"callback_id", "itpm_form"},
           {"private_metadata", json{{"area", "risk"}, {"verb", "list"}}.dump()}},
      grammar));
  CHECK_FALSE(commands::read_form(json::array(), grammar));
}

TEST_CASE("the status form shows the latest status and records a new one") {
  test::CommandFixture f;
  f.run("program add dr-2027 \"Disaster recovery 2027\" --channel <#CDEMO>");
  f.run("status dr-2027 green \"on track\"");
  const auto& grammar = commands::command_grammar();
  json view = commands::form_view(*commands::form_request("review record dr-2027", grammar),
                                  context(f), "CDEMO");
  CHECK(test::contains(view["blocks"][0]["text"]["text"], "on track"));
  auto form =
      commands::read_form(submitted(view, {{"status", {{"selected_option", {{"value", "amber"}}}}},
                                           {"summary", {{"value", "drill slipped"}}}}),
                          grammar);
  REQUIRE(form);
  REQUIRE(form->errors.empty());
  auto saved =
      commands::Registry::handle_parsed(form->cmd, {"UALICE", "CDEMO", "", "", "", ""}, context(f));
  REQUIRE(f.store->commit(std::move(saved.writes)));
  CHECK(f.repos.status_updates("dr-2027", 1).front().status == "amber");
}

TEST_CASE("a message shortcut's form starts with the message, its author and its link") {
  auto decision = commands::shortcut_prefill("decision add", "Move the drill &amp; tell SRE\nmore",
                                             "UBOB", "https://x.slack.com/archives/C1/p1");
  CHECK(decision.at("title") == "Move the drill & tell SRE");
  CHECK(decision.at("decided-by") == "UBOB");
  CHECK(test::contains(decision.at("context"), "https://x.slack.com/archives/C1/p1"));
  auto risk = commands::shortcut_prefill("risk add", "Disk filling", "", "");
  CHECK(risk.at("title") == "Disk filling");
  CHECK_FALSE(risk.contains("owner"));
}

TEST_CASE("the home tab shows what a person owns, what needs them, within Slack's limits") {
  test::CommandFixture f;
  f.run("program add dr-2027 \"Disaster recovery 2027\" --channel <#CDEMO> --owner <@UBOB>");
  for (int i = 0; i < 14; ++i) {
    f.run(fmt::format("risk add \"Risk {}\" --program dr-2027 -l 5 -i 5 --owner <@UBOB>", i));
  }
  f.run("risk add \"Someone else's\" --program dr-2027 -l 1 -i 1 --owner <@UCAROL>");
  json home = commands::home_view("UBOB", context(f));
  CHECK(home["type"] == "home");
  CHECK(test::view_problem(home).empty());
  std::string all = home.dump();
  CHECK(test::contains(all, "Acknowledge escalated risk"));
  CHECK(test::contains(all, "and 4 more"));
  CHECK(test::contains(all, "dr-2027* (owner)"));
  CHECK_FALSE(test::contains(all, "Someone else"));
  CHECK(test::contains(commands::home_view("UNOBODY", context(f)).dump(), "You own no open risk"));
}

TEST_CASE("the home tab says who is out and whom one acts for and when one is away") {
  test::CommandFixture f;
  f.run("ooo set --until 2026-12-04 --delegate <@UERIN|erin>", "UDAVE");
  f.run("ooo set --until 2026-12-02", "UCAROL");
  std::string erin = commands::home_view("UERIN", context(f)).dump();
  CHECK(test::contains(erin, "You act for <@UDAVE> until Fri 2026-12-04"));
  CHECK(test::contains(erin, "Out of office today"));
  CHECK(test::contains(erin, "• <@UCAROL> until Wed 2026-12-02 · no delegate"));
  CHECK(test::contains(erin, "• <@UDAVE> until Fri 2026-12-04 · delegate <@UERIN>"));
  std::string dave = commands::home_view("UDAVE", context(f)).dump();
  CHECK(test::contains(dave, "You are out of office until Fri 2026-12-04, <@UERIN> acts for you"));
  CHECK_FALSE(test::contains(dave, "You act for"));
  f.run("ooo clear", "UDAVE");
  f.run("ooo clear", "UCAROL");
  CHECK(test::contains(commands::home_view("UERIN", context(f)).dump(),
                       "Nobody is out of office today."));
}

TEST_CASE("every list pages with --page and a Next page button that runs the next page") {
  test::CommandFixture f;
  f.run("program add dr-2027 \"Disaster recovery 2027\" --channel <#CDEMO>");
  for (int i = 1; i <= 25; ++i)
    f.run(fmt::format("decision add \"Decision {}\" --program dr-2027", i));
  auto next_of = [](const commands::Outcome& out) {
    for (const auto& block : out.reply.blocks) {
      if (block["type"] == "actions") return block["elements"][0]["value"].get<std::string>();
    }
    return std::string();
  };
  auto first = f.run("decision list --limit 10");
  CHECK(test::contains(first.reply.text, "… and 15 more"));
  REQUIRE(next_of(first) == "decision list --limit 10 --page 2");
  auto second = f.run(next_of(first));
  CHECK(test::contains(second.reply.text, "Showing 11–20 of 25."));
  CHECK(test::contains(second.reply.text, "D-15"));
  CHECK_FALSE(test::contains(second.reply.text, "D-25"));  // newest first: on page 1
  REQUIRE(next_of(second) == "decision list --limit 10 --page 3");
  auto last = f.run("decision list --page=3 --limit 10");
  CHECK(test::contains(last.reply.text, "Showing 21–25 of 25."));
  CHECK(next_of(last).empty());
  CHECK(test::contains(f.run("decision list --page 4 --limit 10").reply.text,
                       "Page 4 is past the end: this list has 3 pages of 10."));
  // A list that fits on one page has no button.
  CHECK(next_of(f.run("program list")).empty());
  CHECK(test::contains(f.run("risk list --page 0").reply.text, "--page must be 1–1000"));
}
