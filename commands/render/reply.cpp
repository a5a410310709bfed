#include "commands/render/reply.hpp"

#include "commands/render/slack_text.hpp"

namespace itpm::commands {

nlohmann::json section(std::string text) {
  // Slack rejects a whole message whose section text exceeds 3,000 characters; callers keep
  // under it, and this cut (at a UTF-8 boundary) is the last guard.
  constexpr std::size_t limit = 3000;
  if (text.size() > limit) {
    std::size_t cut = limit - 3;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
    text += "…";
  }
  // Built member by member: an initializer list would copy the text once more.
  nlohmann::json mrkdwn = nlohmann::json::object();
  mrkdwn["type"] = "mrkdwn";
  mrkdwn["text"] = std::move(text);
  nlohmann::json block = nlohmann::json::object();
  block["type"] = "section";
  block["text"] = std::move(mrkdwn);
  return block;
}

nlohmann::json context_line(const std::string& mrkdwn) {
  return {{"type", "context"}, {"elements", {{{"type", "mrkdwn"}, {"text", mrkdwn}}}}};
}

Reply text_reply(Visibility visibility, std::vector<std::string> paragraphs) {
  Reply reply;
  reply.visibility = visibility;
  for (auto& p : paragraphs) {
    if (!reply.text.empty()) reply.text += "\n";
    reply.text += p;
    reply.blocks.push_back(section(std::move(p)));
  }
  return reply;
}

nlohmann::json command_buttons(const std::vector<std::pair<std::string, std::string>>& buttons) {
  // Built member by member (an initializer list copies every value once more): a page of a
  // list ends with one.
  nlohmann::json elements = nlohmann::json::array();
  for (const auto& [label, command] : buttons) {
    nlohmann::json text = nlohmann::json::object();
    text["type"] = "plain_text";
    text["text"] = label;
    nlohmann::json button = nlohmann::json::object();
    button["type"] = "button";
    button["action_id"] = std::string(run_action) + "_" + std::to_string(elements.size() + 1);
    button["text"] = std::move(text);
    button["value"] = command;
    elements.push_back(std::move(button));
  }
  nlohmann::json block = nlohmann::json::object();
  block["type"] = "actions";
  block["elements"] = std::move(elements);
  return block;
}

Reply error_reply(const std::string& message, const std::string& usage) {
  std::vector<std::string> paragraphs = {message};
  if (!usage.empty()) paragraphs.push_back("Usage: `" + escape(usage) + "`");
  return text_reply(Visibility::ephemeral, paragraphs);
}

}  // namespace itpm::commands
