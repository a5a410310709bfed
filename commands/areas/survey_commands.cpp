#include "commands/areas/survey_commands.hpp"

#include "commands/areas/handler_support.hpp"
#include "commands/calendar/dates.hpp"
#include "commands/language/arg_builders.hpp"
#include "commands/render/reply.hpp"

#include <fmt/format.h>

#include <fmt/ranges.h>

#include <algorithm>

namespace itpm::commands {
namespace {

using storage::Survey;
using storage::Vote;

constexpr std::array<std::string_view, 5> score_words = {"very unsatisfied", "unsatisfied",
                                                         "neutral", "satisfied", "very satisfied"};

// "7 votes · mean 3.9 · 1: 0 · 2: 1 · 3: 1 · 4: 3 · 5: 2"
std::string tally_line(const Tally& t) {
  if (t.n == 0) return "No votes yet";
  std::string out = fmt::format("{} vote{} · mean {:.1f}", t.n, t.n == 1 ? "" : "s", t.mean);
  for (int s = 1; s <= 5; ++s) out += fmt::format(" · {}: {}", s, t.counts[s - 1]);
  return out;
}

std::string program_title(const storage::Repositories& repos, const std::string& key) {
  auto p = repos.find<storage::Program>(key);
  return p ? fmt::format("*{}* “{}”", key, shown_text(p->name, 80)) : "*" + key + "*";
}

// "Fri 2026-11-27": the day an instant falls on in `zone`.
std::string day_of(std::int64_t ms, const std::string& zone) {
  std::chrono::system_clock::time_point t{std::chrono::milliseconds(ms)};
  return show_date(iso_date(today_in(t, zone)));
}

// The poll: question, buttons while open, tally; closed, the final tally and its successor.
SurveyMessage render(const storage::Repositories& repos, const Survey& s, const Tally& t) {
  std::string id = storage::survey_id(s.number);
  std::string head =
      fmt::format("📋 *Satisfaction survey {}* · {}", id, program_title(repos, s.program));
  std::string question =
      "How satisfied are you with how this program is run? 1 = very unsatisfied, 5 = very "
      "satisfied. One vote each; press another number to change yours.";
  std::string status = tally_line(t) + " · sent by " + user_mention(s.sent_by);
  if (s.status != storage::ProgramStatus::open) {
    status = fmt::format("Closed {} · {}", day_of(s.closed_at, s.zone), tally_line(t));
    if (s.replaced_by != 0) status += " · replaced by " + storage::survey_id(s.replaced_by);
  }
  SurveyMessage m;
  m.channel = s.channel;
  m.ts = s.message_ts;
  m.text = fmt::format("{}\n{}\n{}", head, question, status);
  m.blocks = nlohmann::json::array({section(head + "\n" + question)});
  if (s.status == storage::ProgramStatus::open) {
    nlohmann::json buttons = nlohmann::json::array();
    for (int score = 1; score <= 5; ++score) {
      buttons.push_back({{"type", "button"},
                         {"action_id", fmt::format("{}{}", vote_action_prefix, score)},
                         {"text", {{"type", "plain_text"}, {"text", std::to_string(score)}}},
                         {"value", fmt::format("{}:{}", id, score)}});
    }
    m.blocks.push_back(
        {{"type", "actions"}, {"block_id", "itpm_survey_" + id}, {"elements", buttons}});
  }
  m.blocks.push_back(context_line(status));
  return m;
}

Outcome send_survey(const ParsedCommand& cmd, const Command& command, const Context& ctx) {
  ITPM_FOUND(const storage::Program& program, open_program(cmd, ctx, cmd.required(arg::program)));
  if (!runs_program(program, command.user_id, ctx)) {
    return refusal(fmt::format("Only {} or an itpm admin can send {}'s survey.",
                               program_leads(program), program.key));
  }
  std::string channel = !program.channel.empty() ? program.channel : command.channel_id;
  if (auto v = cmd.get(arg::channel)) channel = *v;

  Outcome out;
  Survey survey;
  survey.number = ctx.repos.next_number<storage::Survey>(out.writes);
  survey.program = program.key;
  survey.channel = channel;
  survey.zone = ctx.zone;
  survey.sent_by = command.user_id;
  survey.sent_at = millis(ctx.now);
  std::string id = storage::survey_id(survey.number);

  // A new survey replaces the program's open one: its poll closes with its final tally. Two
  // sends at once: the second runs again, and closes the first's survey.
  (void)ctx.repos.claim(out.writes, "open_survey", program.key, std::to_string(survey.number),
                        program.key + "'s survey");
  std::vector<std::string> closed;
  for (const auto& before : ctx.repos.all<storage::Survey>()) {
    if (before.program != program.key || before.status != storage::ProgramStatus::open) continue;
    Survey after = before;
    after.status = storage::ProgramStatus::closed;
    after.closed_at = survey.sent_at;
    after.replaced_by = survey.number;
    ctx.repos.save(out.writes, after, &before,
                   storage::Change{command.user_id, survey.sent_at, "close"});
    out.effects.emplace_back(RefreshSurvey{after.number});
    Tally t = tally(ctx.repos.votes(after.number));
    closed.push_back(t.n == 0 ? fmt::format("{} (no votes)", storage::survey_id(after.number))
                              : fmt::format("{} ({} vote{}, mean {:.1f})",
                                            storage::survey_id(after.number), t.n,
                                            t.n == 1 ? "" : "s", t.mean));
  }
  ctx.repos.save(out.writes, survey, nullptr,
                 storage::Change{command.user_id, survey.sent_at, "send"});

  PostMessage post;
  post.channel = channel;
  post.after_post = {AfterPost::Kind::survey, survey.number};
  concerns(post, id, "the poll");
  SurveyMessage shown = render(ctx.repos, survey, Tally{});
  post.text = shown.text;
  post.blocks = shown.blocks;
  out.effects.emplace_back(std::move(post));

  std::vector<std::string> paragraphs = {
      fmt::format("📋 *{}* posted in {} for *{}*.", id, channel_mention(channel), program.key)};
  if (!closed.empty())
    paragraphs.push_back("Closed: " + fmt::format("{}", fmt::join(closed, "; ")));
  paragraphs.push_back(fmt::format("Results: `/itpm survey results {}`", program.key));
  out.reply = text_reply(Visibility::ephemeral, paragraphs);
  return out;
}

// "█████" bars, the longest `width` long.
std::string bar(int count, int most, int width) {
  if (most == 0 || count == 0) return "";
  int n = std::max(1, count * width / most);
  std::string out;
  for (int i = 0; i < n; ++i) out += "█";
  return out;
}

Outcome results(const ParsedCommand& cmd, const Command&, const Context& ctx) {
  std::string key = cmd.required(arg::program);
  if (!ctx.repos.find<storage::Program>(key)) return unknown_program(cmd, ctx, key);
  std::vector<Survey> mine;
  for (auto& s : ctx.repos.all<storage::Survey>()) {
    if (s.program == key) mine.push_back(std::move(s));
  }
  if (mine.empty()) {
    return reply_only(
        text_reply(query_visibility(cmd), {fmt::format("No survey for {} yet.", key),
                                           fmt::format("Send one: `/itpm survey send {}`", key)}));
  }
  const Survey& s = mine.back();
  Tally t = tally(ctx.repos.votes(s.number));
  std::vector<std::string> paragraphs = {
      fmt::format("📋 *{}* · {} · sent {} by {} · {}", storage::survey_id(s.number),
                  program_title(ctx.repos, key), show_time(s.sent_at, ctx.zone),
                  user_mention(s.sent_by), storage::status_name(s.status))};
  if (t.n == 0) {
    paragraphs.emplace_back("No votes yet.");
  } else {
    paragraphs.push_back(fmt::format("*Mean {:.1f} / 5* (n={})", t.mean, t.n));
    int most = *std::max_element(t.counts.begin(), t.counts.end());
    std::string rows = "```";
    for (int score = 5; score >= 1; --score) {
      int c = t.counts[score - 1];
      rows +=
          fmt::format("\n{} {:<16} {:>3} {}", score, score_words[score - 1], c, bar(c, most, 20));
    }
    rows += "\n```";
    paragraphs.push_back(rows);
  }
  std::vector<std::string> earlier;
  for (auto it = mine.rbegin() + 1; it != mine.rend() && earlier.size() < 4; ++it) {
    Tally e = tally(ctx.repos.votes(it->number));
    earlier.push_back(e.n == 0 ? fmt::format("{} no votes", storage::survey_id(it->number))
                               : fmt::format("{} {:.1f} (n={}, {})", storage::survey_id(it->number),
                                             e.mean, e.n, day_of(it->sent_at, ctx.zone)));
  }
  if (!earlier.empty())
    paragraphs.push_back("Earlier: " + fmt::format("{}", fmt::join(earlier, " · ")));
  return reply_only(text_reply(query_visibility(cmd), paragraphs));
}

}  // namespace

std::optional<SurveyMessage> survey_message(const storage::Repositories& repos,
                                            std::uint64_t survey) {
  auto s = repos.find<storage::Survey>(survey);
  if (!s) return std::nullopt;
  return render(repos, *s, tally(repos.votes(survey)));
}

Outcome vote(const VotePress& press, const Context& ctx) {
  auto ephemeral = [](const std::string& text) {
    return reply_only(text_reply(Visibility::ephemeral, {text}));
  };
  auto colon = press.value.find(':');
  // Buttons posted before surveys were S-<n> carry Q-<n>.
  std::string_view pressed = std::string_view(press.value).substr(0, colon);
  auto number = item_number(pressed, pressed.starts_with('Q') ? 'Q' : 'S');
  int score = colon == std::string::npos || colon + 2 != press.value.size()
                  ? 0
                  : press.value[colon + 1] - '0';
  if (!number || score < 1 || score > 5)
    return ephemeral("That button is not one of itpm's survey buttons; nothing was recorded.");
  std::string id = storage::survey_id(*number);
  auto survey = ctx.repos.find<storage::Survey>(*number);
  if (!survey)
    return ephemeral(fmt::format("Survey {} no longer exists; nothing was recorded.", id));
  if (survey->status != storage::ProgramStatus::open) {
    std::string newer =
        survey->replaced_by != 0
            ? fmt::format(" Vote in {} instead: `/itpm survey results {}` says where it is.",
                          storage::survey_id(survey->replaced_by), survey->program)
            : "";
    return ephemeral(fmt::format("{} is closed; your vote was not recorded.{}", id, newer));
  }
  auto before = ctx.repos.find<storage::Vote>(*number, press.user);
  if (before && before->score == score)
    return ephemeral(
        fmt::format("Your vote on {} is already {} ({}).", id, score, score_words[score - 1]));
  Vote after{*number, press.user, score, millis(ctx.now)};
  Outcome out;
  ctx.repos.save(out.writes, after, before ? &*before : nullptr,
                 storage::Change{press.user, after.at, "vote"});
  out.effects.emplace_back(RefreshSurvey{*number});
  out.reply = text_reply(
      Visibility::ephemeral,
      {before ? fmt::format("🗳 Your vote on {} changed: {} → *{}* ({}).", id, before->score,
                            score, score_words[score - 1])
              : fmt::format("🗳 Thanks: your vote on {} is *{}* ({}). Press another number to "
                            "change it.",
                            id, score, score_words[score - 1])});
  return out;
}

Tally tally(const std::vector<Vote>& votes) {
  Tally t;
  int sum = 0;
  for (const auto& v : votes) {
    if (v.score < 1 || v.score > 5) continue;
    ++t.counts[v.score - 1];
    ++t.n;
    sum += v.score;
  }
  if (t.n > 0) t.mean = static_cast<double>(sum) / t.n;
  return t;
}

AreaSpec survey_area() {
  using namespace args;
  return {"survey",
          {"surveys"},
          "Stakeholder satisfaction polls",
          "results",
          {
              {"send",
               {"post"},
               "Post a 1-5 satisfaction poll",
               {req(arg::program, "<program>")},
               {opt(arg::channel, "#c")},
               send_survey,
               Access::writes},
              {"results",
               {"show"},
               "Show poll results",
               {req(arg::program, "<program>")},
               {share_flag},
               results},
          }};
}

}  // namespace itpm::commands
