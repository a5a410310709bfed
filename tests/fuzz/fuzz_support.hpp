#pragma once
// What the fuzz targets share: a store seeded with one of everything (programs, risks, a
// decision, a review cadence, a milestone, a dependency, an action, an allocation, a status
// update, an open poll) to run fuzzed commands against, and the checks every reply must pass.

#include "commands/command.hpp"
#include "commands/registry.hpp"
#include "storage/repositories.hpp"
#include "storage/store.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace itpm::fuzz {

// Reports a broken property with the input that broke it and aborts, so that libFuzzer (or the
// corpus replay) records the input as a crash.
[[noreturn]] void fail(std::string_view property, std::string_view detail);

// A RocksDB store in a fresh temp folder (removed at exit), seeded through the command
// registry as the bot would be. Commands run against it are never committed, so every input
// sees the same records and a crash reproduces from its input alone.
class SeededStore {
 public:
  SeededStore();
  ~SeededStore();
  SeededStore(const SeededStore&) = delete;
  SeededStore& operator=(const SeededStore&) = delete;

  // `/itpm <text>` (Slack-escaped) by `user` in channel CDEMO at 2026-11-27 12:00 UTC; its
  // writes are dropped.
  commands::Outcome run(std::string_view text, const std::string& user = "UALICE");
  // The context commands run in (admins: UADMIN).
  commands::Context context();

 private:
  std::filesystem::path dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<storage::Repositories> repos_;
  commands::Registry registry_;
};

// The one seeded store of this process.
SeededStore& seeded_store();

// True when `text` is valid UTF-8, as everything Slack sends is (it arrives as JSON).
bool is_utf8(std::string_view text);

// Every text the outcome would show in Slack (reply text and blocks, posts) must encode as JSON
// (valid UTF-8: the ack and chat.postMessage send it so), hold no broadcast (<!here>,
// <!channel>, <!everyone>) and ping only the user groups `typed` names itself.
void check_shown(const commands::Outcome& outcome, std::string_view typed);

}  // namespace itpm::fuzz
