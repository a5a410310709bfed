#pragma once
// `itpm-bot doctor`: checks what a real workspace can refuse before it bites: both tokens, the
// bot token's scopes against the ones the bot uses, and that the bot can post in (and read the
// history of) every open program's channel and the escalation channel. Prints one line per
// check ("ok" or "FIX" with what to do).

#include "bot/ops/config.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace itpm::bot {

// The bot token scopes the code uses; deploy/manifest.yaml lists exactly these.
const std::vector<std::string>& required_bot_scopes();

// A channel the bot will post in, and why ("program dr-2027", "the escalation channel").
struct ChannelUse {
  std::string channel;
  std::string why;
};

// The channels of the open programs in `data_dir` (read while the bot runs, as a follower)
// and `escalation_channel` (the configured one, or the one admins stored), each once. Throws
// storage::StoreError when the database cannot be read.
std::vector<ChannelUse> channels_in_use(const std::filesystem::path& data_dir,
                                        const std::string& escalation_channel);

// Runs the checks; 0 when all pass, 1 when something needs fixing, 3 when Slack refuses a
// token.
int run_doctor(const Config& config);

}  // namespace itpm::bot
