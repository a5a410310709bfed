#include "commands/areas/report_command.hpp"

#include "commands/language/arg_builders.hpp"
#include "common/iso_date.hpp"

#include "commands/areas/handler_support.hpp"
#include "commands/areas/report_schedule.hpp"
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

// Every count comes from index rows (risk_events: opened, closed, escalated; milestone_events,
// decisions_by_program): nothing the period did not touch is read.
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
  auto escalated = events(Family::risk_events, storage::risk_escalated);
  auto done = events(Family::milestone_events, storage::milestone_done);
  auto slipped_ones = ctx.repos.event_numbers(Family::milestone_events, program,
                                              storage::milestone_slipped, since_ms);
  auto slipped = slipped_ones.size();
  storage::DecisionFilter filter;
  filter.program = std::string(program);
  filter.since_days = common::days_from_date(since_day);
  std::size_t decisions = 0;
  (void)ctx.repos.decisions(filter, 0, &decisions);  // only the count
  ProgramLine line;
  line.text = fmt::format(
      "*{}* {} · risks +{} −{}{} · decisions +{}", program, status, opened, closed,
      escalated > 0 ? fmt::format(" 🔺{} escalated", escalated) : std::string(), decisions);
  if (done > 0 || slipped > 0) {
    line.text += " · milestones";
    if (done > 0) line.text += fmt::format(" ✅{}", done);
    if (slipped > 0) line.text += fmt::format(" ⏰{} slipped", slipped);
  }
  // The slipped ones by how far they moved in the period (the first few).
  std::string slips;
  for (std::uint64_t number : slipped_ones) {
    if (slips.size() > 200) {
      slips += ", …";
      break;
    }
    auto m = ctx.repos.find<storage::Milestone>(number);
    if (!m) continue;
    std::int64_t days = 0;
    for (const auto& s : m->slips) {
      if (s.at >= since_ms) days += common::days_from_date(s.to) - common::days_from_date(s.from);
    }
    slips +=
        fmt::format("{}{} +{}d", slips.empty() ? "" : ", ", storage::milestone_id(number), days);
  }
  if (!slips.empty()) line.text += " (" + slips + ")";
  bool changed =
      opened > 0 || closed > 0 || escalated > 0 || decisions > 0 || done > 0 || slipped > 0;
  line.rank = now_status == "red" ? 0 : now_status == "amber" ? 1 : changed ? 2 : 3;
  return line;
}

}  // namespace

std::variant<Reply, std::string> status_report(const std::string& only, std::int64_t since_ms,
                                               const std::string& header, Visibility visibility,
                                               const Context& ctx) {
  auto today = today_in(ctx.now, ctx.zone);
  std::string since_day = iso_date(today_in(
      std::chrono::system_clock::time_point(std::chrono::milliseconds(since_ms)), ctx.zone));
  // What needs attention first: red, amber, then programs that moved in the period, then the
  // rest; at most `shown` of them (a message holds only so much). The red and amber ones come
  // from program_health, so a big workspace with enough of them reads only what it shows.
  constexpr std::size_t shown = 40;
  std::vector<std::string> lines;
  std::size_t total = 1;
  std::string scope;
  if (!only.empty()) {
    auto p = ctx.repos.find<storage::Program>(only);
    if (!p) return only;
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
  Reply reply = list_reply(visibility, header, lines, std::max(lines.size(), total),
                           "One program: `/itpm report <program>`.");
  if (scope.empty()) {
    // Across the workspace in the period: escalations and corrective actions that breached.
    std::size_t escalated =
        ctx.repos.count_escalations(storage::escalation_raised, since_ms, millis(ctx.now) + 1);
    std::size_t breached = 0;
    ctx.repos.work_by_day(storage::day_action_due, since_day,
                          iso_date(today - std::chrono::days(1)), [&](const auto& row) {
                            if (row.flag != storage::action_done_in_time) ++breached;
                          });
    std::string period =
        fmt::format("*In the period:* {} risk escalation{} · {} corrective action{} past {} SLO",
                    escalated, escalated == 1 ? "" : "s", breached, breached == 1 ? "" : "s",
                    breached == 1 ? "its" : "their");
    reply.text += "\n" + period;
    reply.blocks.push_back(section(period));
  }
  reply.text += "\n" + action_text;
  reply.blocks.push_back(section(action_text));
  return reply;
}

namespace {

Outcome report(const ParsedCommand& cmd, const Command&, const Context& ctx) {
  auto today = today_in(ctx.now, ctx.zone);
  std::string since_day = iso_date(today - std::chrono::days(7));
  std::string error;
  if (!date_flag(cmd, ctx, arg::since, since_day, error, DateLean::past))
    return mistake(cmd, error);
  if (since_day > iso_date(today)) return mistake(cmd, "--since cannot be in the future.");
  std::int64_t since_ms = start_of_day_ms(*common::parse_date(since_day), ctx.zone);
  std::string header =
      fmt::format("📊 *Status report* · {} → {}", show_date(since_day), show_date(iso_date(today)));
  auto built = status_report(cmd.get(arg::program).value_or(""), since_ms, header,
                             query_visibility(cmd), ctx);
  if (auto* missing = std::get_if<std::string>(&built)) return unknown_program(cmd, ctx, *missing);
  return reply_only(std::move(std::get<Reply>(built)));
}

}  // namespace

AreaSpec report_area() {
  using namespace args;
  return {"report", {"rep"}, "The status report", "", [] {
            std::vector<VerbSpec> verbs = {{"",
                                            {},
                                            "Programs with status and what changed",
                                            {opt(arg::program, "[program]")},
                                            {opt(arg::since, "DATE"), share_flag},
                                            report,
                                            Access::reads_widely}};
            for (auto& verb : report_schedule_verbs()) verbs.push_back(std::move(verb));
            return verbs;
          }()};
}

}  // namespace itpm::commands
