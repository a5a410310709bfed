#include "tests/fuzz/fuzz_support.hpp"

#include "commands/areas/config_commands.hpp"

#include <cstdio>
#include <cstdlib>

namespace itpm::fuzz {
namespace {

// 2026-11-27 12:00 UTC, a Friday: what the unit tests use too.
const auto noon = std::chrono::sys_days(std::chrono::year{2026} / 11 / 27) + std::chrono::hours(12);

// One of everything, owned by alice (UALICE) unless it says otherwise.
constexpr const char* seed_commands[] = {
    R"(program add dr-2027 "Disaster Recovery 2027" --sponsor <@UCAROL|carol>)",
    R"(program add ci-speed "CI speed")",
    R"(risk add "Replica lag during failover" --program dr-2027 -l 4 -i 5)",
    R"(risk add "Flaky integration tests" --program ci-speed -l 2 -i 2)",
    R"(decision add "Use Patroni for automated failover" -p dr-2027 --date 2026-09-14 --tags slo)",
    R"(review schedule dr-2027 --every "tue 15:00" --remind 1h,10m)",
    R"(milestone add dr-2027 "Backup restore test" --due 2026-12-03 --owner <@UBOB|bob>)",
    R"(dep add dr-2027 "DNS cutover" --on "Platform team" --need-by 2026-12-02)",
    R"(action add "Add failover alerting" --severity S2 --owner <@UERIN|erin> --program dr-2027)",
    R"(staff assign <@UBOB|bob> dr-2027 50)",
    R"(status dr-2027 amber "Failover drill slipped a week")",
    R"(survey send dr-2027)",
};

// What Slack would be sent, as JSON; throws nlohmann::json::type_error on invalid UTF-8.
std::string shown_text(const commands::Outcome& outcome) {
  nlohmann::json shown = {outcome.reply.text, outcome.reply.blocks};
  for (const auto& effect : outcome.effects) {
    if (const auto* post = std::get_if<commands::PostMessage>(&effect)) {
      shown.push_back(commands::to_outbox(*post));
    }
  }
  return shown.dump();
}

}  // namespace

void fail(std::string_view property, std::string_view detail) {
  // fwrite, not %s: the detail may hold NUL bytes.
  std::fputs("\n*** broken: ", stderr);
  std::fwrite(property.data(), 1, property.size(), stderr);
  std::fputc('\n', stderr);
  std::fwrite(detail.data(), 1, detail.size(), stderr);
  std::fputc('\n', stderr);
  std::abort();
}

SeededStore::SeededStore() {
  std::string pattern = (std::filesystem::temp_directory_path() / "itpm-fuzz-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) fail("a temp folder can be made", pattern);
  dir_ = pattern;
  storage::Store::Options options;
  options.sync = false;
  store_ = storage::Store::open(dir_ / "db", options);
  repos_ = std::make_unique<storage::Repositories>(*store_);
  for (const char* text : seed_commands) {
    commands::Outcome out = run(text);
    if (out.writes.empty())
      fail("every seed command writes", std::string(text) + "\n" + out.reply.text);
    if (auto r = store_->commit(std::move(out.writes)); !r) fail("the seed is saved", r.error);
  }
}

SeededStore::~SeededStore() {
  repos_.reset();
  store_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

commands::Context SeededStore::context() {
  return commands::make_context(*repos_, commands::Settings{{}, {"UADMIN"}}, noon, "UTC");
}

commands::Outcome SeededStore::run(std::string_view text, const std::string& user) {
  commands::Command command;
  command.user_id = user;
  command.channel_id = "CDEMO";
  command.text = std::string(text);
  command.response_url = "https://hooks.slack.com/commands/T1/1/x";
  return registry_.handle(command, context());
}

SeededStore& seeded_store() {
  // Destroyed at exit, which removes its folder.
  static SeededStore store;
  return store;
}

bool is_utf8(std::string_view text) {
  try {
    (void)nlohmann::json(text).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

void check_shown(const commands::Outcome& outcome, std::string_view typed) {
  std::string text;
  try {
    text = shown_text(outcome);
  } catch (const nlohmann::json::exception& e) {
    fail("what the bot sends encodes as JSON", std::string(typed) + "\n" + e.what());
  }
  for (const char* broadcast : {"<!here", "<!channel", "<!everyone"}) {
    if (text.find(broadcast) != std::string::npos) fail("no reply broadcasts", text);
  }
  for (auto at = text.find("<!subteam^"); at != std::string::npos;
       at = text.find("<!subteam^", at + 1)) {
    auto end = text.find_first_of(">|", at);
    std::string group = text.substr(at, end == std::string::npos ? end : end - at);
    if (typed.find(group) == std::string_view::npos)
      fail("a reply pings only the user groups the command named", text);
  }
}

}  // namespace itpm::fuzz
