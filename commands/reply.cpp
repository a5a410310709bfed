#include "commands/reply.hpp"

#include "commands/slack_text.hpp"

namespace itpm::commands {

nlohmann::json section(const std::string& mrkdwn) {
  return {{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", mrkdwn}}}};
}

nlohmann::json context_line(const std::string& mrkdwn) {
  return {{"type", "context"}, {"elements", {{{"type", "mrkdwn"}, {"text", mrkdwn}}}}};
}

Reply text_reply(Visibility visibility, const std::vector<std::string>& paragraphs) {
  Reply reply;
  reply.visibility = visibility;
  for (const auto& p : paragraphs) {
    if (!reply.text.empty()) reply.text += "\n";
    reply.text += p;
    reply.blocks.push_back(section(p));
  }
  return reply;
}

Reply error_reply(const std::string& message, const std::string& usage) {
  std::vector<std::string> paragraphs = {message};
  if (!usage.empty()) paragraphs.push_back("Usage: `" + escape(usage) + "`");
  return text_reply(Visibility::ephemeral, paragraphs);
}

}  // namespace itpm::commands
