#include "commands/forms/home.hpp"

#include "commands/areas/absence.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/areas/report_schedule.hpp"
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

// One kind of a person's open work, from the owner index: at most `looked_at` items are read
// (what needs them now is found among those), the first lines_per_part shown, all counted.
// `describe(item)` gives the item's line and, when it needs them now, what to do ("" if not).
template <class R, class Describe>
std::size_t owned_part(const Context& ctx, const std::string& user, std::uint8_t kind,
                       std::vector<std::string>& lines, std::vector<std::string>& now,
                       const Describe& describe) {
  constexpr std::size_t looked_at = 200;
  return ctx.repos.open_work_of(user, kind, looked_at, [&](std::uint64_t number) {
    auto item = ctx.repos.find<R>(number);
    if (!item) return;
    auto [line, urgent] = describe(*item);
    if (lines.size() < lines_per_part) lines.push_back(std::move(line));
    if (!urgent.empty() && now.size() < lines_per_part) now.push_back(std::move(urgent));
  });
}

}  // namespace

json home_view(const std::string& user, const Context& ctx) {
  std::string today_iso = iso_date(today_in(ctx.now, ctx.zone));
  std::vector<std::string> now;  // what needs the person now
  std::vector<std::string> risks;
  std::vector<std::string> action_lines;
  std::vector<std::string> milestone_lines;

  auto risk_total = owned_part<storage::Risk>(
      ctx, user, storage::owned_risk, risks, now, [&ctx](const storage::Risk& risk) {
        std::string id = storage::risk_id(risk.number);
        std::string ladder = risk.on_ladder()
                                 ? fmt::format(" · ladder level {}{}", risk.escalation_level,
                                               risk.acked_at != 0 ? " (acknowledged)" : "")
                                 : "";
        return std::pair{
            fmt::format("{} *{}* {} · {} · score {}{}",
                        band_dot(risk.score(), ctx.policy.escalation_threshold), id,
                        quoted_title(risk), risk.program, risk.score(), ladder),
            risk.on_ladder() && risk.acked_at == 0
                ? fmt::format("🔺 Acknowledge escalated risk *{}* {}: `/itpm risk ack {}`", id,
                              quoted_title(risk), id)
                : std::string()};
      });
  auto action_total = owned_part<storage::Action>(
      ctx, user, storage::owned_action, action_lines, now, [&](const storage::Action& a) {
        std::string id = storage::action_id(a.number);
        bool late = a.due < today_iso;
        return std::pair{
            fmt::format("{} *{}* ({}) “{}” · SLO due {}", late ? "🚨" : "•", id, a.severity,
                        shown_text(a.title, 120), show_date(a.due)),
            late ? fmt::format("🚨 Corrective action *{}* is past its SLO: `/itpm action done {}`",
                               id, id)
                 : std::string()};
      });
  auto milestone_total = owned_part<storage::Milestone>(
      ctx, user, storage::owned_milestone, milestone_lines, now, [&](const storage::Milestone& m) {
        std::string id = storage::milestone_id(m.number);
        bool late = m.due < today_iso;
        return std::pair{
            fmt::format("{} *{}* “{}” · {} · due {}", late ? "⚠️" : "•", id,
                        shown_text(m.title, 120), m.program, show_date(m.due)),
            late ? fmt::format("⚠️ Milestone *{}* is overdue: `/itpm milestone done {}` or "
                               "`/itpm milestone slip {} --due DATE --reason \"...\"`",
                               id, id, id)
                 : std::string()};
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
  std::map<std::string, storage::ReportSchedule> reports;
  if (!programs.empty()) {
    reports = next_reports(ctx.repos);
    for (const auto& review : ctx.repos.all<storage::Review>()) {
      if (review.status != storage::ReviewStatus::active) continue;
      auto& at = next_review[review.program];
      if (at == 0 || review.next_at < at) at = review.next_at;
    }
  }
  // Out of office (commands.md §6): the person's own absence, whom they act for, who is out.
  std::vector<storage::Absence> out = out_today_all(ctx);
  auto own = std::find_if(out.begin(), out.end(), [&](const auto& a) { return a.user == user; });
  if (own != out.end()) {
    now.insert(
        now.begin(),
        fmt::format("🌴 You are out of office until {}{}. Back early? `/itpm ooo clear`",
                    show_date(own->until),
                    own->delegate.empty() ? ": DMs wait until you are back"
                                          : ", " + user_mention(own->delegate) + " acts for you"));
  }
  std::vector<std::string> away_lines;
  for (const auto& absence : out) {
    if (away_lines.size() < lines_per_part) away_lines.push_back(out_of_office_line(absence));
    if (absence.delegate != user || now.size() >= lines_per_part) continue;
    now.push_back(fmt::format(
        "🌴 You act for {} until {}: their DMs come to you, and you may acknowledge their risks",
        user_mention(absence.user), show_date(absence.until)));
  }
  std::size_t away_total = out.size();

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
    // Its next report: of the program, or of every program, whichever comes first.
    const storage::ReportSchedule* report = nullptr;
    for (const std::string& scope : {p.key, std::string()}) {
      auto it = reports.find(scope);
      if (it != reports.end() && (report == nullptr || it->second.next_at < report->next_at))
        report = &it->second;
    }
    program_lines.push_back(fmt::format(
        "*{}* ({}) · {} · {}{}", p.key, p.owner == user ? "owner" : "sponsor", status, next,
        report == nullptr ? std::string()
                          : fmt::format(" · next report {} {}", storage::report_id(report->number),
                                        show_time(report->next_at, ctx.zone))));
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
  add_part(blocks, "Out of office today", away_lines, away_total, "Nobody is out of office today.",
           "/itpm ooo list");
  return {{"type", "home"}, {"callback_id", "itpm_home"}, {"blocks", std::move(blocks)}};
}

}  // namespace itpm::commands
