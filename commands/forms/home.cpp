#include "commands/forms/home.hpp"

#include "commands/areas/handler_support.hpp"
#include "commands/areas/risk_ladder.hpp"
#include "commands/calendar/dates.hpp"
#include "commands/calendar/review_cadence.hpp"
#include "commands/render/reply.hpp"
#include "storage/record_traits.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace itpm::commands {
namespace {

using nlohmann::json;

constexpr std::size_t lines_per_part = 10;

// A part of the home tab: its heading, then its lines in one section (or what to do when
// there are none), "… and N more" with the command that lists them all.
void add_part(json& blocks, const std::string& heading, const std::vector<std::string>& lines,
              std::size_t total, const std::string& none, const std::string& more) {
  blocks.push_back(
      {{"type", "header"}, {"text", {{"type", "plain_text"}, {"text", heading}, {"emoji", true}}}});
  if (lines.empty()) {
    blocks.push_back(context_line(none));
    return;
  }
  std::string text;
  for (const auto& line : lines) text += (text.empty() ? "" : "\n") + line;
  if (total > lines.size())
    text += fmt::format("\n… and {} more: `{}`", total - lines.size(), more);
  blocks.push_back(section(text));
}

}  // namespace

json home_view(const std::string& user, const Context& ctx) {
  auto today = std::chrono::floor<std::chrono::days>(ctx.now);
  std::string today_iso = iso_date(today);
  std::vector<std::string> now;  // what needs the person now

  // Their open work from the owner index: at most `looked_at` of each kind are read (what
  // needs them now is found among those), the first lines_per_part shown, all counted.
  constexpr std::size_t looked_at = 200;
  std::vector<std::string> risks;
  std::size_t risk_total =
      ctx.repos.open_work_of(user, storage::owned_risk, looked_at, [&](std::uint64_t number) {
        auto risk = ctx.repos.find<storage::Risk>(number);
        if (!risk) return;
        std::string id = storage::risk_id(risk->number);
        if (risks.size() < lines_per_part) {
          std::string ladder = risk->on_ladder()
                                   ? fmt::format(" · ladder level {}{}", risk->escalation_level,
                                                 risk->acked_at != 0 ? " (acknowledged)" : "")
                                   : "";
          risks.push_back(fmt::format("{} *{}* {} · {} · score {}{}", band_dot(risk->score()), id,
                                      quoted_title(*risk), risk->program, risk->score(), ladder));
        }
        if (risk->on_ladder() && risk->acked_at == 0 && now.size() < lines_per_part) {
          now.push_back(fmt::format("🔺 Acknowledge escalated risk *{}* {}: `/itpm risk ack {}`", id,
                                    quoted_title(*risk), id));
        }
      });

  std::vector<std::string> action_lines;
  std::size_t action_total =
      ctx.repos.open_work_of(user, storage::owned_action, looked_at, [&](std::uint64_t number) {
        auto a = ctx.repos.find<storage::Action>(number);
        if (!a) return;
        std::string id = storage::action_id(a->number);
        bool late = a->due < today_iso;
        if (action_lines.size() < lines_per_part) {
          action_lines.push_back(fmt::format("{} *{}* ({}) “{}” · SLO due {}", late ? "🚨" : "•", id,
                                             a->severity, shown_text(a->title, 120),
                                             show_date(a->due)));
        }
        if (late && now.size() < lines_per_part) {
          now.push_back(fmt::format(
              "🚨 Corrective action *{}* is past its SLO: `/itpm action done {}`", id, id));
        }
      });

  std::vector<std::string> milestone_lines;
  std::size_t milestone_total =
      ctx.repos.open_work_of(user, storage::owned_milestone, looked_at, [&](std::uint64_t number) {
        auto m = ctx.repos.find<storage::Milestone>(number);
        if (!m) return;
        std::string id = storage::milestone_id(m->number);
        bool late = m->due < today_iso;
        if (milestone_lines.size() < lines_per_part) {
          milestone_lines.push_back(fmt::format("{} *{}* “{}” · {} · due {}", late ? "⚠️" : "•",
                                                id, shown_text(m->title, 120), m->program,
                                                show_date(m->due)));
        }
        if (late && now.size() < lines_per_part) {
          now.push_back(
              fmt::format("⚠️ Milestone *{}* is overdue: `/itpm milestone done {}` or "
                          "`/itpm milestone slip {} --due DATE --reason \"...\"`",
                          id, id, id));
        }
      });

  // Their programs: owner or sponsor, with the latest status and the next review.
  std::vector<storage::Program> programs;
  std::size_t program_total = 0;
  std::set<std::string> seen;  // an owner who is also the sponsor: once
  ctx.repos.programs_run_by(user, [&](std::string_view key, bool) {
    if (!seen.insert(std::string(key)).second) return;
    if (++program_total > lines_per_part) return;
    if (auto p = ctx.repos.find<storage::Program>(std::string(key)))
      programs.push_back(std::move(*p));
  });
  std::sort(programs.begin(), programs.end(),
            [](const auto& a, const auto& b) { return a.key < b.key; });
  std::map<std::string, std::int64_t> next_review;
  if (!programs.empty()) {
    for (const auto& review : ctx.repos.all<storage::Review>()) {
      if (review.status != storage::ReviewStatus::active) continue;
      auto& at = next_review[review.program];
      if (at == 0 || review.next_at < at) at = review.next_at;
    }
  }
  std::vector<std::string> program_lines;
  for (const auto& p : programs) {
    auto latest = ctx.repos.status_updates(p.key, 1);
    std::string status = latest.empty()
                             ? "⚪ no status yet"
                             : status_dot(latest.front().status) + " " + latest.front().status;
    auto review = next_review.find(p.key);
    std::string next = review == next_review.end()
                           ? "no review cadence"
                           : "next review " + show_occurrence(review->second, ctx.zone);
    program_lines.push_back(fmt::format("*{}* ({}) · {} · {}", p.key,
                                        p.owner == user ? "owner" : "sponsor", status, next));
  }

  json blocks = json::array();
  blocks.push_back(section(fmt::format("*Your itpm* · {}", show_date(today_iso))));
  blocks.push_back(command_buttons({{"Raise a risk", "risk add"},
                                    {"Record a decision", "decision add"},
                                    {"Add an action", "action add"}}));
  add_part(blocks, "Needs you now", now, now.size(), "Nothing needs you right now. ✅", "");
  add_part(blocks, "Your risks", risks, risk_total, "You own no open risk.",
           "/itpm risk list --owner <@" + user + ">");
  add_part(blocks, "Your corrective actions", action_lines, action_total,
           "You own no open corrective action.", "/itpm action list --owner <@" + user + ">");
  add_part(blocks, "Your milestones", milestone_lines, milestone_total,
           "You own no open milestone.", "/itpm milestone list");
  add_part(blocks, "Your programs", program_lines, program_total,
           "You own or sponsor no open program.", "/itpm program list");
  return {{"type", "home"}, {"callback_id", "itpm_home"}, {"blocks", std::move(blocks)}};
}

}  // namespace itpm::commands
