#include "commands/render/slack_text.hpp"

#include <catch2/catch.hpp>

using namespace itpm::commands;

TEST_CASE("parse_ref reads Slack's escaped mentions, channels, groups and links") {
  auto user = parse_ref("<@U024BE7LH|alice>");
  REQUIRE(user);
  CHECK(user->kind == SlackRef::Kind::user);
  CHECK(user->id == "U024BE7LH");
  CHECK(user->label == "alice");

  auto bare = parse_ref("<@W024BE7LH>");
  REQUIRE(bare);
  CHECK(bare->label.empty());

  auto channel = parse_ref("<#C024BE91L|ops>");
  REQUIRE(channel);
  CHECK(channel->kind == SlackRef::Kind::channel);
  auto private_channel = parse_ref("<#C987654321|>");
  REQUIRE(private_channel);
  CHECK(private_channel->id == "C987654321");

  auto group = parse_ref("<!subteam^S0614TZR7|@sre>");
  REQUIRE(group);
  CHECK(group->kind == SlackRef::Kind::user_group);
  CHECK(group->id == "S0614TZR7");

  auto link = parse_ref("<https://x.example/a?b=1&amp;c=2|the doc>");
  REQUIRE(link);
  CHECK(link->kind == SlackRef::Kind::link);
  CHECK(link->id == "https://x.example/a?b=1&c=2");

  CHECK(parse_ref("<!channel>")->kind == SlackRef::Kind::special);
  CHECK_FALSE(parse_ref("<@lowercase>"));
  CHECK_FALSE(parse_ref("plain"));
  CHECK_FALSE(parse_ref("<>"));
}

TEST_CASE("unescape and escape round-trip and neutralise control sequences") {
  CHECK(unescape("a &lt;b&gt; &amp;lt;") == "a <b> &lt;");
  CHECK(escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;");
  CHECK(escape(unescape("&lt;!here&gt;")) == "&lt;!here&gt;");
}

TEST_CASE("render_ref renders mentions back but never a special broadcast") {
  CHECK(render_ref(*parse_ref("<@U1ABC|alice>")) == "<@U1ABC>");
  CHECK(render_ref(*parse_ref("<#C1ABC|ops>")) == "<#C1ABC>");
  CHECK(render_ref(*parse_ref("<!subteam^S1|@sre>")) == "<!subteam^S1>");
  CHECK(render_ref(*parse_ref("<!channel>")) == "&lt;!channel&gt;");
  CHECK(render_ref(*parse_ref("<https://a.example|&lt;!channel&gt;>")) ==
        "<https://a.example|&lt;!channel&gt;>");
}
