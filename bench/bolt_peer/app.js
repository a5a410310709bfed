// A peer for the load bench: a Bolt-for-JavaScript app in Socket Mode that answers
// `/itpm help` and `/itpm risk list --program <key>` with the replies itpm-bot gives (the same
// lines, sections, page hint and Next page button), from 50 risks held in memory as the bot's
// bench program holds them. It does what a Bolt app of this kind does per command: Bolt's
// routing, a parse of the command, a sort of the program's risks, a Block Kit reply on the ack.
// Environment: SLACK_APP_TOKEN, SLACK_BOT_TOKEN, SLACK_API_URL (the simulator's), and
// NODE_EXTRA_CA_CERTS for its certificate. Set up with `npm install` in this folder.
'use strict';
const { App, LogLevel } = require('@slack/bolt');

const apiUrl = process.env.SLACK_API_URL;
const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  appToken: process.env.SLACK_APP_TOKEN,
  socketMode: true,
  logLevel: LogLevel.WARN,
  clientOptions: { slackApiUrl: apiUrl },
  installerOptions: { clientOptions: { slackApiUrl: apiUrl } },
});

const areas = [
  ['help', 'Show commands, or the verbs of one area'],
  ['program', 'Programs: the container for everything else'],
  ['risk', 'Risk register with scoring and an escalation ladder'],
  ['decision', 'The decision log'],
  ['review', 'The review cadence and agendas'],
  ['status', 'Show or record program status'],
  ['milestone', 'Milestones and their due dates'],
  ['dep', 'Cross-team dependencies'],
  ['action', 'Corrective actions from incidents'],
  ['staff', 'Staffing allocations'],
  ['survey', 'Stakeholder satisfaction polls'],
  ['report', 'The status report'],
  ['kpi', 'Program KPIs for a quarter'],
  ['audit', 'Every change to an item'],
  ['holiday', 'Days nobody works: nothing scheduled is sent, reviews skip them'],
  ['ooo', 'Out of office: who acts for you while you are away'],
  ['config', 'Bot settings (admins)'],
  ['whoami', 'Who the bot thinks you are'],
];

// The bench's program: 50 risks, likelihood 2 and impact 3, raised by the load user.
const risks = new Map([['dr-2027', []]]);
for (let n = 1; n <= 50; n++) {
  risks.get('dr-2027').push({
    number: n, program: 'dr-2027', title: 'Failover runbook untested', likelihood: 2, impact: 3,
    owner: 'U0DEMO1', status: 'open',
  });
}

const escapeSlack = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function textReply(paragraphs) {
  return {
    response_type: 'ephemeral',
    text: paragraphs.join('\n'),
    blocks: paragraphs.map((p) => ({ type: 'section', text: { type: 'mrkdwn', text: p } })),
  };
}

function tokenize(text) {
  const tokens = [];
  const re = /"([^"]*)"|(\S+)/g;
  let m;
  while ((m = re.exec(text)) !== null) tokens.push(m[1] !== undefined ? m[1] : m[2]);
  return tokens;
}

function band(score) {
  if (score >= 15) return ['🔴', 'critical'];
  if (score >= 10) return ['🟠', 'high'];
  if (score >= 5) return ['🟡', 'medium'];
  return ['🟢', 'low'];
}

function riskList(tokens, commandText) {
  const flags = {};
  for (let i = 2; i < tokens.length; i++) {
    if (tokens[i].startsWith('--')) flags[tokens[i].slice(2)] = tokens[++i];
  }
  const program = flags.program;
  const page = Number(flags.page || 1);
  const limit = Number(flags.limit || 20);
  const open = (risks.get(program) || [])
    .filter((r) => r.status === 'open')
    .map((r) => ({ ...r, score: r.likelihood * r.impact }))
    .sort((a, b) => b.score - a.score || a.number - b.number);
  const first = (page - 1) * limit;
  const shown = open.slice(first, first + limit);
  const lines = shown.map((r) => {
    const [dot, name] = band(r.score);
    return `${dot} *R-${r.number}* ${r.score} ${name} · ${r.program} · “${escapeSlack(r.title)}” · owner <@${r.owner}>`;
  });
  const header = `*${open.length} open risks in ${program}*, highest score first`;
  const paragraphs = [header, lines.join('\n')];
  const hint = `Next page: \`--page ${page + 1}\`. Narrow with --program, --owner or --min-score, or raise --limit.`;
  if (open.length > first + shown.length) paragraphs.push(`… and ${open.length - shown.length} more. ${hint}`);
  const reply = textReply(paragraphs);
  reply.blocks.push({
    type: 'actions',
    elements: [{
      type: 'button', action_id: 'itpm_run_1', text: { type: 'plain_text', text: 'Next page' },
      value: `${commandText} --page ${page + 1}`,
    }],
  });
  return reply;
}

function help() {
  const lines = areas.map(([name, summary]) => `• \`${name}\` — ${summary}\n`).join('');
  return textReply(['*itpm* runs your program\'s cadence: reviews, risks, decisions, milestones.',
    lines, 'More on one area: `/itpm help risk`']);
}

app.command('/itpm', async ({ command, ack }) => {
  const tokens = tokenize(command.text);
  if (tokens[0] === 'risk' && tokens[1] === 'list') {
    await ack(riskList(tokens, command.text));
  } else {
    await ack(help());
  }
});

(async () => {
  await app.start();
})();
