#include "bot/follow_ups.hpp"
#include "commands/delivery.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

using itpm::bot::ChannelPacer;
using namespace std::chrono_literals;

TEST_CASE("posts to one channel are a second apart, other channels do not wait for them") {
  ChannelPacer pacer;
  auto t0 = ChannelPacer::Clock::time_point{} + 1000s;
  CHECK(pacer.reserve("C1", t0) == t0);
  CHECK(pacer.reserve("C1", t0) == t0 + 1s);
  CHECK(pacer.reserve("C1", t0) == t0 + 2s);
  CHECK(pacer.reserve("C2", t0) == t0);              // a busy channel holds up no other
  CHECK(pacer.reserve("C1", t0 + 10s) == t0 + 10s);  // a quiet channel goes at once
}

TEST_CASE("DMs are paced by person until their channel is known") {
  itpm::commands::PostMessage dm;
  dm.to_user = "U1";
  CHECK(itpm::bot::pacing_key(dm) == "dm:U1");
  dm.channel = "D1";
  CHECK(itpm::bot::pacing_key(dm) == "D1");
}

TEST_CASE("a refused post is described to its caller and asker and owners with the fix") {
  itpm::commands::PostMessage message;
  message.channel = "C1";
  message.text = "R-4 escalated";
  message.about_item = "R-4";
  message.about_what = "escalation level 2";
  itpm::commands::Refusal refusal{itpm::commands::refusal_where(message, "C1"), "not_in_channel",
                                  "Invite the bot."};
  CHECK(refusal.where == "<#C1>");
  CHECK(itpm::commands::refusal_for_caller(refusal) ==
        "⚠️ This was *not posted* in <#C1>: Slack answered `not_in_channel`. Invite the bot.");
  CHECK(itpm::commands::refusal_for_asker(refusal, message) ==
        "⚠️ Your command's post was *not posted* in <#C1>: Slack answered `not_in_channel`. "
        "Invite the bot. It said:\n\nR-4 escalated");
  CHECK(itpm::commands::refusal_for_owner(refusal, message) ==
        "⚠️ A post about *R-4* (escalation level 2) could *not be posted* in <#C1>: Slack "
        "answered `not_in_channel`. Invite the bot. You hear of this channel at most once a "
        "day. It said:\n\nR-4 escalated");
  message.to_user = "U9";
  CHECK(itpm::commands::refusal_where(message, "D1") == "a DM to <@U9>");
}

TEST_CASE("a freed sending slot goes to the most urgent and then the oldest waiter") {
  boost::asio::io_context ioc;
  itpm::bot::SendSlots slots(ioc.get_executor(), 1);
  std::vector<std::string> order;
  auto take = [&](std::string who,
                  itpm::commands::PostPriority priority) -> boost::asio::awaitable<void> {
    co_await slots.acquire(priority);
    order.push_back(who);
  };
  using itpm::commands::PostPriority;
  for (auto [who, priority] :
       {std::pair{"first", PostPriority::normal}, std::pair{"chatter", PostPriority::chatter},
        std::pair{"normal", PostPriority::normal}, std::pair{"urgent", PostPriority::urgent}}) {
    boost::asio::co_spawn(ioc, take(who, priority), boost::asio::detached);
  }
  // Only what is ready runs: the waiters wait on timers that never fire by themselves.
  ioc.poll();
  REQUIRE(order == std::vector<std::string>{"first"});
  for (int i = 0; i < 3; ++i) {
    slots.release();
    ioc.restart();
    ioc.poll();
  }
  CHECK(order == std::vector<std::string>{"first", "urgent", "normal", "chatter"});
}

TEST_CASE("what follows a post is kept in its outbox row under the names rows have always had") {
  using itpm::commands::AfterPost;
  for (AfterPost after : {AfterPost{}, AfterPost{AfterPost::Kind::decision, 7},
                          AfterPost{AfterPost::Kind::survey, 3}}) {
    itpm::commands::PostMessage message;
    message.channel = "C1";
    message.after_post = after;
    auto row = itpm::commands::to_outbox(message);
    CHECK(itpm::commands::from_outbox(row).after_post == after);
  }
  // A row written before AfterPost existed.
  auto old = nlohmann::json{{"channel", "C1"}, {"permalink_for_decision", 5}, {"survey_for", 0}};
  CHECK(itpm::commands::from_outbox(old).after_post == AfterPost{AfterPost::Kind::decision, 5});
}
