#include "commands/areas/risk_commands.hpp"

#include "commands/areas/absence.hpp"
#include "commands/areas/audit_command.hpp"
#include "commands/areas/handler_support.hpp"
#include "commands/areas/item_access.hpp"
#include "commands/areas/risk_heatmap.hpp"
#include "commands/areas/risk_ladder.hpp"
#include "commands/areas/working_calendars.hpp"
#include "commands/calendar/dates.hpp"
#include "commands/language/arg_builders.hpp"
#include "commands/render/reply.hpp"
#include "commands/render/slack_text.hpp"

#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace itpm::commands {
namespace {

using storage::Change;
using storage::Program;
using storage::Risk;

// "critical (score 20 = L4 × I5)"
std::string scoring(const Risk& r, const Context& ctx) {
  return fmt::format("{} (score {} = L{} × I{})", band(r.score(), ctx.policy.escalation_threshold),
                     r.score(), r.likelihood, r.impact);
}

// What a reader calls the risk's state: closed, accepted, escalated (on the ladder), ...
std::string state(const Risk& r) {
  if (r.on_ladder()) return fmt::format("escalated L{}", r.escalation_level);
  return storage::status_name(r.status);
}

// "“Primary DB failover untested” · owner @dave · mitigation due Fri 2026-12-04"
void append_details(std::string& out, const Risk& r) {
  append_quoted_title(out, r);
  out += " · owner ";
  out += user_mention(r.owner);
  if (!r.due.empty()) {
    out += " · mitigation due ";
    out += show_date(r.due);
  }
}

std::string details(const Risk& r) {
  std::string out;
  append_details(out, r);
  return out;
}

// One line of a list: "🟡 *R-3* 6 medium · dr-2027 · “title” · owner <@U1> · …" (built
// by appending into one buffer: a page has twenty of them per command).
std::string line(const Risk& r, const Context& ctx) {
  int threshold = ctx.policy.escalation_threshold;
  int score = r.score();
  std::string out;
  out.reserve(192);
  out += band_dot(score, threshold);
  out += " *";
  out += storage::risk_id(r.number);
  out += "* ";
  out += std::to_string(score);
  out += ' ';
  out += band(score, threshold);
  out += " · ";
  out += r.program;
  out += " · ";
  append_details(out, r);
  if (r.status != storage::RiskStatus::open || r.on_ladder()) {
    out += " · _";
    out += state(r);
    out += '_';
  }
  return out;
}

bool critical(const Risk& r, const Context& ctx) {
  return r.score() >= ctx.policy.escalation_threshold;
}

const ItemRules<Risk> risk_rules = {
    "risk",
    "R-12",
    "See the register with `/itpm risk list`.",
    [](const Risk& r, const Context&) { return std::vector<std::string>{r.owner}; },
    [](const Risk& r, const Context&) { return "the risk owner " + user_mention(r.owner); },
    [](const Risk& r, const Context& ctx) {
      if (r.status != storage::RiskStatus::closed) return std::string();
      return fmt::format(
          "{} is closed{}.", storage::risk_id(r.number),
          r.closed_at != 0 ? " since " + show_time(r.closed_at, ctx.zone) : std::string());
    }};

// "@dave told by DM in their working hours; #dr-program in 24h if not acknowledged.", or when the
// step's working days end later than that: "#dr-program Mon 2026-11-30 12:00 UTC if not
// acknowledged (the 24h step counts working days, in dr-2027's working hours)."
std::string ladder_note(const Risk& risk, const Program& program, const Context& ctx) {
  auto absence = out_today(ctx, risk.owner);
  if (absence && absence->delegate.empty())
    return fmt::format("Escalation ladder started: {}, so {} is alerted now.",
                       away_note(ctx, risk.owner), channel_mention(program.channel));
  WorkCalendar calendar = channel_calendar(ctx, program.key);
  std::int64_t end = step_end(calendar, risk.escalated_at, ctx);
  auto step = std::chrono::duration_cast<std::chrono::milliseconds>(ctx.policy.ladder_step);
  std::string when =
      end == risk.escalated_at + step.count()
          ? fmt::format("in {} if not acknowledged.", show_duration(ctx.policy.ladder_step))
          : fmt::format(
                "{} if not acknowledged (the {} step counts working days, in {}'s "
                "working hours).",
                show_time(end, ctx.zone), show_duration(ctx.policy.ladder_step), program.key);
  std::string notified =
      absence ? fmt::format("{} (acting for {}, out until {})", user_mention(absence->delegate),
                            user_mention(risk.owner), show_date(absence->until))
              : user_mention(risk.owner);
  return fmt::format("Escalation ladder started: {} told by DM in their working hours; {} {}",
                     notified, channel_mention(program.channel), when);
}

Outcome add(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const Program& program, open_program(cmd, ctx, cmd.required(arg::program)));
  Risk r;
  r.program = program.key;
  r.title = cmd.required(arg::title);
  r.likelihood = static_cast<int>(cmd.required(arg::likelihood));
  r.impact = static_cast<int>(cmd.required(arg::impact));
  r.owner = cmd.get(arg::owner).value_or(command.user_id);
  if (auto v = cmd.get(arg::mitigation)) r.mitigation = *v;
  std::string error;
  if (!date_flag(cmd, ctx, arg::due, r.due, error)) return mistake(cmd, error);
  if (auto e = length_error("title", r.title, 200); !e.empty()) return mistake(cmd, e);
  if (auto e = length_error("mitigation", r.mitigation, 2000); !e.empty()) return mistake(cmd, e);
  r.channel = command.channel_id;
  r.created_by = command.user_id;
  r.created_at = millis(ctx.now);

  Outcome out;
  r.number = ctx.repos.next_number<storage::Risk>(out.writes);
  std::vector<std::string> paragraphs = {
      fmt::format("⚠️ *{}* · {} · {}", storage::risk_id(r.number), scoring(r, ctx),
                  r.program),
      details(r)};
  if (!r.mitigation.empty()) paragraphs.push_back("Mitigation: " + shown_text(r.mitigation, 600));
  if (critical(r, ctx)) {
    start_ladder(out, r, ctx, fmt::format("raised with score {}", r.score()), "");
    paragraphs.push_back(ladder_note(r, program, ctx));
  }
  schedule_overdue_check(out, r, ctx);
  ctx.repos.save(out.writes, r, nullptr, Change{command.user_id, r.created_at, "add"});
  out.reply = text_reply(Visibility::in_channel, paragraphs);
  return out;
}

using Ranked = storage::Repositories::RankedRisk;

// Every counter of risks by status, likelihood and impact (the whole register's).
void visit_cells(const Context& ctx,
                 const std::function<void(storage::RiskStatus, int likelihood, int impact,
                                          std::int64_t count)>& visit) {
  for (auto status : storage::risk_statuses) {
    auto cells = ctx.repos.risk_cells(status);
    for (int l = 1; l <= 5; ++l) {
      for (int i = 1; i <= 5; ++i)
        visit(status, l, i,
              cells[static_cast<std::size_t>(l - 1)][static_cast<std::size_t>(i - 1)]);
    }
  }
}

// Visits the risks in scope, highest score first (then by number), as their index rows have
// them (with the risk when it was read): a program's from its own index (each read), every
// program's from risks_by_score (none read; closed ones only when `closed` says so).
using RankedVisit = std::function<bool(const Ranked&, const Risk* read)>;
void visit_in_scope(const Context& ctx, const std::string& program, bool closed,
                    const RankedVisit& visit) {
  if (!program.empty()) {
    auto risks = ctx.repos.risks_of_program(program);
    for (const auto& r : *risks) {
      if (!closed && r.status == storage::RiskStatus::closed) continue;
      if (!visit(Ranked{r.number, r.likelihood, r.impact, r.status, r.escalation_level}, &r))
        return;
    }
    return;
  }
  if (!closed) {
    ctx.repos.risks_by_score(false, [&](const Ranked& r) { return visit(r, nullptr); });
    return;
  }
  // Open and closed merged by score, then number.
  std::vector<Ranked> all;
  ctx.repos.risks_by_score(false, [&](const Ranked& r) {
    all.push_back(r);
    return true;
  });
  auto open_end = static_cast<std::ptrdiff_t>(all.size());
  ctx.repos.risks_by_score(true, [&](const Ranked& r) {
    all.push_back(r);
    return true;
  });
  std::inplace_merge(all.begin(), all.begin() + open_end, all.end(),
                     [](const Ranked& a, const Ranked& b) {
                       return a.score() != b.score() ? a.score() > b.score() : a.number < b.number;
                     });
  for (const auto& r : all) {
    if (!visit(r, nullptr)) return;
  }
}

Outcome list(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const std::string& program, program_in_scope(cmd, ctx));
  std::string status = cmd.get(arg::status).value_or("open");
  int min_score = static_cast<int>(cmd.get(arg::min_score).value_or(0));
  std::string owner = cmd.get(arg::owner).value_or("");
  auto wanted = [&](const Ranked& r) {
    if (status == "all") return true;
    if (status == "open")
      return r.status != storage::RiskStatus::closed && r.status != storage::RiskStatus::accepted;
    if (status == "escalated") return r.on_ladder();
    return storage::status_name(r.status) == status;
  };
  auto window = page_window(cmd);
  std::size_t total = 0;
  std::vector<std::string> lines;
  bool closed = status == "all" || status == "closed";
  // The whole register's count comes from the counters by status, likelihood and impact when
  // nothing but the status and score narrows it: then only the risks shown are visited.
  std::optional<std::size_t> counted;
  if (program.empty() && owner.empty() && status != "escalated") {
    std::int64_t n = 0;
    visit_cells(ctx, [&](storage::RiskStatus s, int likelihood, int impact, std::int64_t count) {
      if (wanted(Ranked{0, likelihood, impact, s, 0}) && likelihood * impact >= min_score)
        n += count;
    });
    counted = static_cast<std::size_t>(std::max<std::int64_t>(n, 0));
  }
  if (!owner.empty() && program.empty() && !closed) {
    // A person's risks that are not closed come from their own index rows, highest score
    // first, with their status: the rest of the register is not looked at, and only the
    // page's risks are read (and, for --status escalated, each of the person's to see its
    // ladder level).
    bool escalated = status == "escalated";
    ctx.repos.owned_risks(owner, [&](std::uint64_t number, int score, storage::RiskStatus s) {
      if (score < min_score) return false;  // the rest score lower still
      std::optional<Risk> r;
      if (escalated) {
        r = ctx.repos.find<Risk>(number);
        if (!r || !r->on_ladder()) return true;
      } else if (!wanted(Ranked{number, 0, 0, s, 0})) {
        return true;
      }
      if (!window.shows(total++)) return true;
      if (!r) r = ctx.repos.find<Risk>(number);
      if (r) lines.push_back(line(*r, ctx));
      return true;
    });
  } else {
    // Each risk is read only if it is shown or its owner is asked about.
    visit_in_scope(ctx, program, closed, [&](const Ranked& r, const Risk* read) {
      if (r.score() < min_score) return false;  // the rest score lower still
      if (!wanted(r)) return true;
      std::optional<Risk> found;
      auto risk = [&]() -> const Risk* {
        if (read == nullptr && !found) found = ctx.repos.find<Risk>(r.number);
        return read != nullptr ? read : found ? &*found : nullptr;
      };
      if (!owner.empty() && (risk() == nullptr || risk()->owner != owner)) return true;
      if (window.shows(total) && risk() != nullptr) lines.push_back(line(*risk(), ctx));
      ++total;
      return !counted || total < window.end();
    });
  }
  if (counted) total = *counted;
  std::string scope = program.empty() ? "" : " in " + program;
  if (total == 0) {
    return reply_only(text_reply(
        query_visibility(cmd),
        {fmt::format("No {}risks{}.", status == "all" ? "" : status + " ", scope),
         "Raise one: `/itpm risk add \"<title>\" --program <key> --likelihood 1-5 --impact 1-5`"}));
  }
  return reply_only(
      page_reply(cmd, command, query_visibility(cmd),
                 fmt::format("*{} {}risk{}{}*, highest score first", total,
                             status == "all" ? "" : status + " ", total == 1 ? "" : "s", scope),
                 lines, total, "Narrow with --program, --owner or --min-score, or raise --limit."));
}

Outcome show(const ParsedCommand& cmd, const Command&, const Context& ctx) {
  ITPM_FOUND(const Risk& r, find_item(cmd, ctx, risk_rules, cmd.required(arg::id)));
  std::vector<std::string> paragraphs = {
      fmt::format("{} *{}* · {} · {} · _{}_", band_dot(r.score(), ctx.policy.escalation_threshold),
                  storage::risk_id(r.number), scoring(r, ctx), r.program, state(r)),
      details(r)};
  if (!r.mitigation.empty()) paragraphs.push_back("Mitigation: " + shown_text(r.mitigation, 2000));
  if (r.on_ladder()) {
    paragraphs.push_back(fmt::format("On the escalation ladder at level {} since {}: {}",
                                     r.escalation_level, show_time(r.escalated_at, ctx.zone),
                                     shown_text(r.escalation_reason, 300)));
  }
  auto history = ctx.repos.audit(storage::risk_id(r.number));
  if (r.on_ladder() && r.escalation_level < 3) {
    // When the next level comes if nobody acknowledges: a step of the program's working days
    // after the last level, posted in its working hours.
    std::int64_t from = r.escalated_at;
    for (const auto& entry : history) {
      if (entry.action == "escalate" && entry.at >= r.escalated_at &&
          entry.after.value("escalation_level", 0) == r.escalation_level)
        from = entry.at;
    }
    WorkCalendar calendar = channel_calendar(ctx, r.program);
    std::int64_t next = step_end(calendar, from, ctx);
    paragraphs.push_back(
        fmt::format("Next: level {} {} if nobody acknowledges it (a {} step counts {}'s working "
                    "days, and posts "
                    "wait for its working hours in {}).",
                    r.escalation_level + 1, show_time(next, ctx.zone),
                    show_duration(ctx.policy.ladder_step), r.program, calendar.zone().name()));
  }
  if (auto away = away_note(ctx, r.owner); !away.empty()) paragraphs.push_back("🌴 " + away + ".");
  if (!r.close_note.empty()) paragraphs.push_back("Closing note: " + shown_text(r.close_note, 600));
  paragraphs.push_back(
      fmt::format("*History* ({} change{})", history.size(), history.size() == 1 ? "" : "s"));
  for (auto& p : history_paragraphs(history, ctx.zone, 10)) paragraphs.push_back(std::move(p));
  if (history.size() > 10) {
    paragraphs.push_back(
        fmt::format("Older changes: `/itpm audit {}`", storage::risk_id(r.number)));
  }
  return reply_only(text_reply(query_visibility(cmd), paragraphs));
}

Outcome update(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const Risk& before, item_to_change(cmd, command, ctx, risk_rules, "change"));
  std::string id = storage::risk_id(before.number);
  if (cmd.flags.empty()) {
    return mistake(cmd,
                   "Nothing to change: give at least one of --likelihood, --impact, --owner, "
                   "--due, --mitigation, --status.");
  }
  Risk after = before;
  if (auto v = cmd.get(arg::likelihood)) after.likelihood = static_cast<int>(*v);
  if (auto v = cmd.get(arg::impact)) after.impact = static_cast<int>(*v);
  if (auto v = cmd.get(arg::owner)) after.owner = *v;
  if (auto v = cmd.get(arg::mitigation)) after.mitigation = *v;
  if (auto v = cmd.get(arg::status)) after.status = nlohmann::json(*v).get<storage::RiskStatus>();
  std::string error;
  if (!date_flag(cmd, ctx, arg::due, after.due, error)) return mistake(cmd, error);
  if (auto e = length_error("mitigation", after.mitigation, 2000); !e.empty())
    return mistake(cmd, e);

  std::vector<std::string> changes;
  if (after.score() != before.score()) {
    changes.push_back(fmt::format("score {} → {} ({}, L{} × I{})", before.score(), after.score(),
                                  band(after.score(), ctx.policy.escalation_threshold),
                                  after.likelihood, after.impact));
  }
  if (after.owner != before.owner)
    changes.push_back(
        fmt::format("owner {} → {}", user_mention(before.owner), user_mention(after.owner)));
  if (after.due != before.due)
    changes.push_back(
        fmt::format("due {} → {}", before.due.empty() ? "none" : before.due, show_date(after.due)));
  if (after.mitigation != before.mitigation) changes.push_back("mitigation updated");
  if (after.status != before.status)
    changes.push_back(fmt::format("status {} → {}", storage::status_name(before.status),
                                  storage::status_name(after.status)));
  if (changes.empty()) return mistake(cmd, fmt::format("{} already has those values.", id));

  Outcome out;
  std::vector<std::string> paragraphs;
  std::string body;
  for (const auto& c : changes) body += (body.empty() ? "" : " · ") + c;
  paragraphs.push_back(fmt::format("✏️ *{}* updated by {}", id, user_mention(command.user_id)));
  paragraphs.push_back(body);
  if (before.on_ladder() &&
      (!critical(after, ctx) || after.status == storage::RiskStatus::accepted)) {
    after.escalation_level = 0;
    paragraphs.push_back(after.status == storage::RiskStatus::accepted
                             ? "Escalation stopped: the risk is accepted."
                             : fmt::format("Escalation stopped: score {} is below {}.",
                                           after.score(), ctx.policy.escalation_threshold));
  } else if (!before.on_ladder() && critical(after, ctx) && !critical(before, ctx) &&
             after.status != storage::RiskStatus::accepted) {
    start_ladder(out, after, ctx, fmt::format("score rose to {}", after.score()),
                 fmt::format("Its score rose to {}.", after.score()));
    if (auto program = ctx.repos.find<storage::Program>(after.program))
      paragraphs.push_back(ladder_note(after, *program, ctx));
  } else if (before.on_ladder() && after.owner != before.owner) {
    // The new owner hears about the escalation they now hold; the ladder keeps its timing.
    PostMessage dm;
    dm.to_user = after.owner;
    dm.text = fmt::format(
        "🔺 You now own {} {} ({}, score {}), which is being escalated (level {}). Acknowledge "
        "with `/itpm risk ack {}`.",
        id, quoted_title(after), after.program, after.score(), after.escalation_level, id);
    send_dm(out, ctx, std::move(dm));
  }
  if (after.due != before.due) schedule_overdue_check(out, after, ctx);
  ctx.repos.save(out.writes, after, &before, Change{command.user_id, millis(ctx.now), "update"});
  out.reply = text_reply(Visibility::in_channel, paragraphs);
  return out;
}

Outcome ack(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const Risk& before, item_to_change(cmd, command, ctx, risk_rules, "acknowledge"));
  std::string id = storage::risk_id(before.number);
  if (!before.on_ladder()) {
    return mistake(cmd,
                   fmt::format("{} is not being escalated; there is nothing to acknowledge.", id));
  }
  Risk after = before;
  after.acked_at = millis(ctx.now);
  after.escalation_level = 0;
  Outcome out;
  ctx.repos.save(out.writes, after, &before, Change{command.user_id, after.acked_at, "ack"});
  out.reply = text_reply(Visibility::in_channel,
                         {fmt::format("👍 *{}* acknowledged by {}; escalation stopped at level {}.",
                                      id, user_mention(command.user_id), before.escalation_level),
                          details(after)});
  return out;
}

Outcome escalate(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  // Anyone may raise the alarm; only closed risks cannot be escalated.
  ITPM_FOUND(const Risk& before, find_item(cmd, ctx, risk_rules, cmd.required(arg::id)));
  std::string id = storage::risk_id(before.number);
  if (before.status == storage::RiskStatus::closed)
    return mistake(cmd, fmt::format("{} is closed.", id));
  std::string reason = cmd.required(arg::reason);
  if (auto e = length_error("reason", reason, 500); !e.empty()) return mistake(cmd, e);
  const ParsedValue* to = cmd.get(arg::to);
  if (before.on_ladder() && to == nullptr) {
    return mistake(
        cmd, fmt::format("{} is already escalated (level {} since {}); it climbs on its own "
                         "until acknowledged. To alert someone now, add --to @person or "
                         "--to #channel.",
                         id, before.escalation_level, show_time(before.escalated_at, ctx.zone)));
  }
  Risk after = before;
  Outcome out;
  std::vector<std::string> paragraphs = {
      fmt::format("🔺 *{}* escalated by {} · {} · {}", id, user_mention(command.user_id),
                  scoring(after, ctx), after.program),
      details(after), "Reason: " + shown_text(reason, 500)};
  if (!before.on_ladder()) {
    start_ladder(
        out, after, ctx, reason,
        fmt::format("{} escalated it: {}", user_mention(command.user_id), shown_text(reason, 500)));
    if (auto program = ctx.repos.find<storage::Program>(after.program))
      paragraphs.push_back(ladder_note(after, *program, ctx));
  }
  if (to != nullptr) {
    PostMessage alert;
    bool person = to->ref->kind == SlackRef::Kind::user;
    (person ? alert.to_user : alert.channel) = to->ref->id;
    alert.text = fmt::format(
        "🔺 {} escalated {} {} ({}, {}, score {}) to {}: {}\nOwner {}. "
        "See it with `/itpm risk show {}`.",
        user_mention(command.user_id), id, quoted_title(after), after.program,
        band(after.score(), ctx.policy.escalation_threshold), after.score(),
        person ? "you" : "this channel", shown_text(reason, 500), user_mention(after.owner), id);
    concerns(alert, id, "the escalation alert");
    send(out, std::move(alert));
    // The ack goes before the post: it cannot say the alert arrived (the caller is told if
    // Slack refuses it).
    paragraphs.push_back("Alerting " + render_ref(*to->ref) +
                         "; you will be told here if Slack refuses the post.");
    after.escalation_reason = reason;
  }
  ctx.repos.save(out.writes, after, &before, Change{command.user_id, millis(ctx.now), "escalate"});
  out.reply = text_reply(Visibility::in_channel, paragraphs);
  return out;
}

Outcome close(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const Risk& before, item_to_change(cmd, command, ctx, risk_rules, "close"));
  Risk after = before;
  after.status = storage::RiskStatus::closed;
  after.closed_at = millis(ctx.now);
  after.escalation_level = 0;
  if (auto v = cmd.get(arg::note)) after.close_note = *v;
  if (auto e = length_error("note", after.close_note, 2000); !e.empty()) return mistake(cmd, e);
  Outcome out;
  ctx.repos.save(out.writes, after, &before, Change{command.user_id, after.closed_at, "close"});
  std::vector<std::string> paragraphs = {
      fmt::format("✅ *{}* closed by {} · {} · was {}", storage::risk_id(after.number),
                  user_mention(command.user_id), after.program, scoring(after, ctx)),
      quoted_title(after)};
  if (before.on_ladder()) paragraphs.push_back("Escalation stopped.");
  if (!after.close_note.empty()) paragraphs.push_back(shown_text(after.close_note, 600));
  out.reply = text_reply(Visibility::in_channel, paragraphs);
  return out;
}

}  // namespace

AreaSpec risk_area() {
  using namespace args;
  return {"risk",
          {"r", "risks"},
          "Risk register with scoring and an escalation ladder",
          "list",
          {
              {"add",
               {"new"},
               "Raise a risk",
               {req(arg::title, "\"<title>\"")},
               {required_program_flag, with_short(range(arg::likelihood, 1, 5, true), 'l'),
                with_short(range(arg::impact, 1, 5, true), 'i'), owner_flag, opt(arg::due, "DATE"),
                opt(arg::mitigation, "\"...\"")},
               add,
               Access::writes},
              {"list",
               {"ls"},
               "List risks, highest score first",
               {},
               {program_flag,
                choice(arg::status,
                       {"open", "mitigating", "escalated", "accepted", "closed", "all"}, false),
                range(arg::min_score, 1, 25, false), owner_flag, limit_flag, page_flag, share_flag},
               list,
               Access::reads_page},
              {"show",
               {"get"},
               "Show a risk with its history",
               {req(arg::id, "R-n")},
               {share_flag},
               show},
              {"update",
               {"edit", "set"},
               "Change a risk",
               {req(arg::id, "R-n")},
               {with_short(range(arg::likelihood, 1, 5, false), 'l'),
                with_short(range(arg::impact, 1, 5, false), 'i'), owner_flag, opt(arg::due, "DATE"),
                opt(arg::mitigation, "\"...\""),
                choice(arg::status, {"mitigating", "accepted"}, false)},
               update,
               Access::writes},
              {"ack",
               {"acknowledge"},
               "Acknowledge an escalation",
               {req(arg::id, "R-n")},
               {},
               ack,
               Access::writes},
              {"escalate",
               {},
               "Escalate a risk by hand",
               {req(arg::id, "R-n")},
               {opt(arg::to, "@u|#c"), req(arg::reason, "\"...\"")},
               escalate,
               Access::writes},
              {"close",
               {"done"},
               "Close a risk",
               {req(arg::id, "R-n")},
               {opt(arg::note, "\"...\"")},
               close,
               Access::writes},
              {"heatmap",
               {"heat"},
               "Likelihood x impact grid of counts",
               {},
               {program_flag, share_flag, image_flag},
               risk_heatmap,
               Access::reads_widely},
          }};
}

}  // namespace itpm::commands
