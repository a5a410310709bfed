#pragma once

#include "commands/command.hpp"
#include "commands/language/parser.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace itpm::commands {

// The `survey` area, grammar and handlers: send (a 1-5 poll with buttons) and results.
AreaSpec survey_area();

// A survey's message as it should look now: the question, its buttons while it is open, and
// the tally of the votes stored.
struct SurveyMessage {
  std::string channel;
  std::string ts;  // empty until the poll has been posted
  std::string text;
  nlohmann::json blocks;
};
std::optional<SurveyMessage> survey_message(const storage::Repositories& repos,
                                            std::uint64_t survey);

// A press of one of a poll's buttons, from a `block_actions` interaction.
struct VotePress {
  std::string user;
  std::string value;  // "S-3:4": survey and score (Q-3:4 before schema 5)
};

// The action_id prefix of a poll's buttons ("itpm_vote_1" ... "itpm_vote_5").
inline constexpr std::string_view vote_action_prefix = "itpm_vote_";

// Stores (or changes) the presser's vote and refreshes the poll's message; the reply, for
// the presser only, says what was recorded. Never throws.
Outcome vote(const VotePress& press, const Context& ctx);

// Mean, count and distribution of votes.
struct Tally {
  int n = 0;
  double mean = 0;
  std::array<int, 5> counts = {};  // of scores 1..5
};
Tally tally(const std::vector<storage::Vote>& votes);

}  // namespace itpm::commands
