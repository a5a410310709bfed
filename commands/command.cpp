#include "commands/command.hpp"

namespace itpm::commands {

nlohmann::json to_outbox(const PostMessage& message) {
  nlohmann::json j = {
      {"channel", message.channel},
      {"to_user", message.to_user},
      {"text", message.text},
      {"blocks", message.blocks},
      {"thread_ts", message.thread_ts},
      {"ephemeral_to", message.ephemeral_to},
      // The names outbox rows have had since these posts were first kept.
      {"permalink_for_decision",
       message.after_post.kind == AfterPost::Kind::decision ? message.after_post.number : 0},
      {"survey_for",
       message.after_post.kind == AfterPost::Kind::survey ? message.after_post.number : 0},
      {"fallback_response_url", message.fallback_response_url},
      {"asked_by", message.asked_by},
      {"about_item", message.about_item},
      {"about_what", message.about_what},
      {"tell_if_refused", message.tell_if_refused},
      {"working_hours", message.working_hours},
      {"priority", static_cast<int>(message.priority)}};
  // The chart's data, never its PNG: it is drawn when sent.
  if (message.chart) {
    j["chart"] = to_json(*message.chart);
    j["text_too"] = message.text_too;
  }
  return j;
}

PostMessage from_outbox(const nlohmann::json& j) {
  PostMessage m;
  m.channel = j.value("channel", "");
  m.to_user = j.value("to_user", "");
  m.text = j.value("text", "");
  m.blocks = j.value("blocks", nlohmann::json::array());
  m.thread_ts = j.value("thread_ts", "");
  m.ephemeral_to = j.value("ephemeral_to", "");
  if (auto decision = j.value("permalink_for_decision", std::uint64_t{0}); decision != 0) {
    m.after_post = {AfterPost::Kind::decision, decision};
  } else if (auto survey = j.value("survey_for", std::uint64_t{0}); survey != 0) {
    m.after_post = {AfterPost::Kind::survey, survey};
  }
  m.fallback_response_url = j.value("fallback_response_url", "");
  m.asked_by = j.value("asked_by", "");
  m.about_item = j.value("about_item", "");
  m.about_what = j.value("about_what", "");
  m.working_hours = j.value("working_hours", false);
  if (auto tell = j.find("tell_if_refused"); tell != j.end() && tell->is_array()) {
    for (const auto& user : *tell) {
      if (user.is_string()) m.tell_if_refused.push_back(user.get<std::string>());
    }
  }
  int priority = j.value("priority", static_cast<int>(PostPriority::normal));
  if (priority >= 0 && priority <= static_cast<int>(PostPriority::chatter))
    m.priority = static_cast<PostPriority>(priority);
  // A chart this version cannot read is left out: the text is posted.
  if (auto chart = j.find("chart"); chart != j.end()) m.chart = chart_from_json(*chart);
  m.text_too = j.value("text_too", false);
  return m;
}

}  // namespace itpm::commands
