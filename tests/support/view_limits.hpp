#pragma once
// Slack's documented limits on views (modals and the Home tab), for tests: what Slack would
// refuse with invalid_arguments.

#include <nlohmann/json.hpp>

#include <string>

namespace itpm::test {

inline std::size_t char_count(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0U) != 0x80U ? 1 : 0;
  return n;
}

// What Slack refuses in `view`, or "": at most 100 blocks; a modal's title 1–24 characters,
// its private_metadata at most 3,000 and a submit button when it has inputs; an input's label
// 1–2,000 characters, its block_id at most 255; a menu 1–100 options of at most 75 characters.
inline std::string view_problem(const nlohmann::json& view) {
  const auto& blocks = view.at("blocks");
  if (blocks.size() > 100) return "more than 100 blocks";
  bool modal = view.at("type") == "modal";
  bool inputs = false;
  if (modal) {
    auto title = char_count(view.at("title").at("text").get<std::string>());
    if (title == 0 || title > 24) return "title not 1-24 characters";
    if (char_count(view.at("private_metadata").get<std::string>()) > 3000) return "metadata";
  }
  for (const auto& block : blocks) {
    if (block.at("type") != "input") continue;
    inputs = true;
    auto label = char_count(block.at("label").at("text").get<std::string>());
    if (label == 0 || label > 2000) return "label not 1-2000 characters";
    if (block.at("block_id").get<std::string>().size() > 255) return "block_id over 255";
    const auto& element = block.at("element");
    if (element.contains("options")) {
      const auto& options = element.at("options");
      if (options.empty() || options.size() > 100) return "menu not 1-100 options";
      for (const auto& o : options) {
        if (char_count(o.at("text").at("text").get<std::string>()) > 75) return "option text";
      }
    }
  }
  if (modal && inputs && !view.contains("submit")) return "inputs without a submit button";
  return "";
}

}  // namespace itpm::test
