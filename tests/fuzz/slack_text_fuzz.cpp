// Fuzzes Slack text handling: what Slack sends (text_from_slack, parse_ref, unescape) and what
// the bot shows of stored text (render_text, escape). Properties: escaping leaves no angle
// bracket and undoes exactly; stored text holds no mention, channel or user group the input
// did not carry itself and never a broadcast; shown text forms only person, channel and link
// references, never a broadcast or a user-group ping. And any text is written as a JSON string
// byte for byte as nlohmann's dump writes it (common::json_text, which writes every reply).
#include "commands/render/slack_text.hpp"
#include "common/json_text.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>

namespace {

using itpm::commands::SlackRef;

// Calls `each` with every `<…>` in `text` that parse_ref reads as a reference.
void for_each_ref(std::string_view text,
                  const std::function<void(std::string_view, const SlackRef&)>& each) {
  for (auto at = text.find('<'); at != std::string_view::npos; at = text.find('<', at + 1)) {
    auto close = text.find('>', at);
    if (close == std::string_view::npos) return;
    auto token = text.substr(at, close - at + 1);
    if (auto ref = itpm::commands::parse_ref(token)) each(token, *ref);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace itpm::commands;
  using itpm::fuzz::fail;
  std::string_view input(reinterpret_cast<const char*>(data), size);

  nlohmann::json as_json = nlohmann::json::array({std::string(input)});
  if (itpm::common::json_text(as_json) !=
      as_json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
    fail("json_text writes what dump writes",
         as_json.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace));

  std::string escaped = escape(input);
  if (escaped.find_first_of("<>") != std::string::npos) fail("escape leaves no < or >", escaped);
  if (unescape(escaped) != input) fail("unescape undoes escape", input);

  std::string stored = text_from_slack(input);
  for_each_ref(stored, [&](std::string_view token, const SlackRef& ref) {
    if (ref.kind == SlackRef::Kind::special) fail("stored text holds no broadcast", stored);
    if (ref.kind != SlackRef::Kind::link && input.find(token) == std::string_view::npos)
      fail("stored text holds only the references Slack sent", stored);
  });

  for (const std::string& text : {stored, std::string(input)}) {
    std::string shown = render_text(text);
    for (auto at = shown.find('<'); at != std::string::npos; at = shown.find('<', at + 1)) {
      auto close = shown.find('>', at);
      auto ref = close == std::string::npos
                     ? std::nullopt
                     : parse_ref(std::string_view(shown).substr(at, close - at + 1));
      if (!ref || ref->kind == SlackRef::Kind::special || ref->kind == SlackRef::Kind::user_group)
        fail("shown text forms only person, channel and link references", shown);
    }
  }

  if (auto ref = parse_ref(input); ref && ref->kind != SlackRef::Kind::special) {
    std::string again = render_ref(*ref);
    if (again.starts_with('<')) {
      auto back = parse_ref(again);
      if (!back || back->kind != ref->kind || back->id != ref->id)
        fail("a rendered reference reads back as the same reference", again);
    }
  }
  return 0;
}
