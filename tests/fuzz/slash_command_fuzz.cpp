// Fuzzes `/itpm <text>` as Slack delivers it (escaped, with <@U…|name> mentions) through the
// whole command path: tokenizer, parser, handlers and reply rendering, on a seeded store.
// Properties: nothing throws (Registry::handle never does), every reply encodes as JSON and fits
// in what Slack takes, and no reply or post broadcasts or pings a user group the text did not
// name.
#include "tests/fuzz/fuzz_support.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Slack caps a slash command's text well below this; longer inputs only slow the search.
  if (size > 4000) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (!itpm::fuzz::is_utf8(text)) return 0;  // Slack's JSON cannot carry it
  itpm::commands::Outcome outcome;
  try {
    outcome = itpm::fuzz::seeded_store().run(text);
  } catch (const std::exception& e) {
    itpm::fuzz::fail("a command never throws", std::string(text) + "\n" + e.what());
  }
  // `review now` in the program's channel answers with the post alone.
  if (outcome.reply.text.empty() && outcome.reply.blocks.empty() && outcome.effects.empty())
    itpm::fuzz::fail("every command gets a reply or posts", text);
  itpm::fuzz::check_shown(outcome, text);
  // Block Kit refuses a message of more than 50 blocks.
  if (outcome.reply.blocks.size() > 50)
    itpm::fuzz::fail("a reply has at most 50 blocks", outcome.reply.blocks.dump());
  return 0;
}
