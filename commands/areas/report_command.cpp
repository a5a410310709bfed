#include "commands/areas/report_command.hpp"

#include "commands/language/arg_builders.hpp"
#include "common/iso_date.hpp"

#include "commands/areas/handler_support.hpp"
#include "commands/calendar/dates.hpp"
#include "commands/render/reply.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace itpm::commands {
namespace {

// One program's line: status (and before the period), then what changed since `since_ms`.
struct ProgramLine {
  int rank = 0;  // red, amber, changed in the period, the rest
  std::string text;
};

// Every count comes from index rows (risk_events, milestone_events, decisions_by_program):
// nothing the period did not touch is read.
ProgramLine program_line(std::string_view program, std::int64_t since_ms,
                         const std::string& since_day, const Context& ctx) {
  // Newest first, down to the status the period started with.
  auto updates = ctx.repos.status_updates(
      program, 50, [&](const storage::StatusUpdate& u) { return u.at < since_ms; });
  std::string status = "⚪ no status";
  std::string now_status;
  if (!updates.empty()) {
    now_status = updates.front().status;
    status = status_dot(now_status) + " " + now_status;
    auto before = std::find_if(updates.begin(), updates.end(),
                               [&](const storage::StatusUpdate& u) { return u.at < since_ms; });
    if (before != updates.end() && before->status != now_status)
      status += fmt::format(" (was {} {})", status_dot(before->status), before->status);
  }
  using storage::Family;
  auto events = [&](Family family, std::uint8_t event) {
    return ctx.repos.count_events(family, program, event, since_ms);
  };
  auto opened = events(Family::risk_events, storage::risk_opened);
  auto closed = events(Family::risk_events, storage::risk_closed);
  auto done = events(Family::milestone_events, storage::milestone_done);
  auto slipped = events(Family::milestone_events, storage::milestone_slipped);
  storage::DecisionFilter filter;
  filter.program = std::string(program);
  filter.since_days = common::days_from_date(since_day);
  std::size_t decisions = 0;
  (void)ctx.repos.decisions(filter, 0, &decisions);  // only the count
  ProgramLine line;
  line.text = fmt::format("*{}* {} · risks +{} −{} · decisions +{}", program, status, opened,
                          closed, decisions);
  if (done > 0 || slipped > 0) {
    line.text += " · milestones";
    if (done > 0) line.text += fmt::format(" ✅{}", done);
    if (slipped > 0) line.text += fmt::format(" ⏰{} slipped", slipped);
  }
  bool changed = opened > 0 || closed > 0 || decisions > 0 || done > 0 || slipped > 0;
  line.rank = now_status == "red" ? 0 : now_status == "amber" ? 1 : changed ? 2 : 3;
  return line;
}

Outcome report(const ParsedCommand& cmd, const Command&, const Context& ctx) {
  auto today = today_in(ctx.now, ctx.zone);
  std::string since_day = iso_date(today - std::chrono::days(7));
  std::string error;
  if (!date_flag(cmd, ctx, arg::since, since_day, error, DateLean::past))
    return mistake(cmd, error);
  if (since_day > iso_date(today)) return mistake(cmd, "--since cannot be in the future.");
  std::int64_t since_ms = start_of_day_ms(*common::parse_date(since_day), ctx.zone);
  // What needs attention first: red, amber, then programs that moved in the period, then the
  // rest; at most `shown` of them (a message holds only so much). The red and amber ones come
  // from program_health, so a big workspace with enough of them reads only what it shows.
  constexpr std::size_t shown = 40;
  std::vector<std::string> lines;
  std::size_t total = 1;
  std::string scope;
  if (auto v = cmd.get(arg::program)) {
    auto p = ctx.repos.find<storage::Program>(*v);
    if (!p) return unknown_program(cmd, ctx, *v);
    scope = p->key;
    lines.push_back(program_line(p->key, since_ms, since_day, ctx).text);
  } else {
    total = ctx.repos.count_open_programs();
    std::set<std::string, std::less<>> listed;
    for (std::uint8_t rank : {storage::health_rank("red"), storage::health_rank("amber")}) {
      ctx.repos.programs_by_health(rank, [&](std::string_view program) {
        if (lines.size() == shown) return false;
        listed.emplace(program);
        lines.push_back(program_line(program, since_ms, since_day, ctx).text);
        return true;
      });
    }
    // Room left: every red and amber program is listed; the others by what moved.
    std::vector<std::string> moved;
    std::vector<std::string> rest;
    if (lines.size() < shown) {
      ctx.repos.open_programs([&](std::string_view program) {
        if (listed.contains(program)) return true;
        auto line = program_line(program, since_ms, since_day, ctx);
        if (line.rank < 3) {
          moved.push_back(std::move(line.text));
        } else if (rest.size() < shown) {
          rest.push_back(std::move(line.text));
        }
        return true;
      });
    }
    for (auto* more : {&moved, &rest}) {
      for (auto& line : *more) {
        if (lines.size() < shown) lines.push_back(std::move(line));
      }
    }
  }
  if (lines.empty()) lines.emplace_back("No open programs.");

  // Corrective actions due within a week, or past their SLO.
  std::string after_horizon = iso_date(today + std::chrono::days(8));
  std::size_t due_soon = 0;
  std::vector<storage::Action> actions =
      ctx.repos.open_actions(after_horizon, scope, 10, &due_soon);
  std::string action_text = "*Corrective actions:* none due within a week";
  if (!actions.empty()) {
    action_text = "*Corrective actions:*";
    for (const auto& a : actions) {
      std::int64_t left = common::days_from_date(a.due) - today.time_since_epoch().count();
      action_text += fmt::format(
          "\n• *{}* {} “{}” {} ({})", storage::action_id(a.number), a.severity,
          shown_text(a.title, 80),
          left >= 0 ? fmt::format("due in {} day{}", left, left == 1 ? "" : "s")
                    : fmt::format("_past its SLO by {} day{}_", -left, left == -1 ? "" : "s"),
          user_mention(a.owner));
    }
    if (due_soon > actions.size())
      action_text += fmt::format("\n… and {} more: `/itpm action list`", due_soon - actions.size());
  }
  std::string header =
      fmt::format("📊 *Status report* · {} → {}", show_date(since_day), show_date(iso_date(today)));
  Reply reply = list_reply(query_visibility(cmd), header, lines, std::max(lines.size(), total),
                           "One program: `/itpm report <program>`.");
  reply.text += "\n" + action_text;
  reply.blocks.push_back(section(action_text));
  return reply_only(std::move(reply));
}

}  // namespace

AreaSpec report_area() {
  using namespace args;
  return {"report",
          {"rep"},
          "The status report",
          "",
          {{"",
            {},
            "Programs with status and what changed",
            {opt(arg::program, "[program]")},
            {opt(arg::since, "DATE"), share_flag},
            report,
            Access::reads_widely}}};
}

}  // namespace itpm::commands
