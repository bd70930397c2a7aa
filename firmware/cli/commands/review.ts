// `schoolgate review`: the weekly review over SSH, through the running daemon (which owns
// state.db and the audit log): the list of weeks, one week's page as text, an outcome for an
// alert, the sign-off, and the review-due items. The same control methods as the review page.
import { callDaemon } from '../../control/client.ts';
import type { DueItem, DueView, OutcomeRecord, ReviewCheckResult, ReviewList, ReviewPage, SignOff } from '../../admin/api/review-schema.ts';
import { OUTCOMES, OUTCOME_TEXT, type Outcome } from '../../monitor/review/review-schema.ts';
import { inert } from '../format-alerts.ts';
import { dataDirHelp, dataDirOption, EXIT, printResult, socketOf, UsageError, type Command, type OptionValues } from '../command.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function weekOption(values: OptionValues, required: boolean): string | undefined {
  if (values.week === undefined) {
    if (required) throw new UsageError('missing --week YYYY-MM-DD (any day of the week to sign off)');
    return undefined;
  }
  if (typeof values.week !== 'string' || !DAY.test(values.week)) throw new UsageError(`--week "${String(values.week)}" is not a day: give YYYY-MM-DD`);
  return values.week;
}

const dueLine = (d: DueItem): string => `  ${d.at.slice(0, 16).replace('T', ' ')}  ${d.reason.padEnd(17)} ${d.detail}${d.closedBy ? `  (closed by the review of ${d.closedBy})` : ''}`;

/**
 * Lines safe for a terminal: names looked up, comments from the block page and notes can hold
 * control characters (an escape sequence would move the cursor or forge a line); each becomes "?".
 */
const printable = (lines: readonly string[]): string => `${lines.map(inert).join('\n')}\n`;

/** The actor or username as recorded, with the account's display name when it has one. */
const named = (who: string, name: string | null): string => (name ? `${name} (${who})` : who);

export function formatList(list: ReviewList): string {
  const lines = ['Week of      Status        Alerts  No outcome  Signed off by'];
  for (const w of list.weeks) {
    const status = w.status === 'signed-off' ? 'signed off' : w.overdue ? 'OVERDUE' : 'open';
    const by = w.signOff ? `${w.signOff.reviewedBy}${w.signOff.onBehalfOf ? ` for ${w.signOff.onBehalfOf}` : ''} at ${w.signOff.at.slice(0, 16).replace('T', ' ')}` : `due by ${w.deadline.slice(0, 16).replace('T', ' ')} UTC`;
    lines.push(`${w.week}   ${status.padEnd(12)}  ${String(w.alerts).padStart(6)}  ${String(w.withoutOutcome).padStart(10)}  ${by}`);
  }
  lines.push('', `Weeks signed off in a row: ${list.streak}`);
  lines.push(list.due.length === 0 ? 'No review-due items open.' : 'Review due (closed by the next sign-off):', ...list.due.map(dueLine));
  return printable(lines);
}

export function formatWeek(page: ReviewPage): string {
  const lines = [`Weekly review, week of ${page.week.from} (${page.week.timezone})`];
  lines.push(page.signOff
    ? `Signed off by ${named(page.signOff.reviewedBy, page.signOff.reviewedByName)}${page.signOff.onBehalfOf ? ` on behalf of ${named(page.signOff.onBehalfOf, page.signOff.onBehalfOfName)}` : ''} at ${page.signOff.at}`
    : `Open${page.overdue ? ', OVERDUE' : ''}: due by ${page.deadline}; ${page.withoutOutcome} of ${page.alerts.length} alerts without an outcome`);
  lines.push('', 'Alerts (names are plain text: never open them):');
  if (page.alerts.length === 0) lines.push('  none');
  for (const a of page.alerts) {
    lines.push(`  #${a.id} ${a.severity} ${a.kind} ${a.firstAt ?? ''} ${a.device ?? ''} ${a.networkId ?? ''}: ${a.subject}${a.count > 1 ? ` (×${a.count})` : ''}`);
    if (a.outcomes.length === 0) lines.push('      no outcome yet');
    for (const o of a.outcomes) lines.push(`      ${o.latest ? '→' : ' '} ${OUTCOME_TEXT[o.outcome]}${o.proposed ? ` (${o.proposed.action} ${o.proposed.name})` : ''}: ${o.note} (${o.by}, ${o.at})`);
  }
  lines.push('', 'Trend (week: questions, blocked, alerts):');
  for (const t of page.trend) lines.push(`  ${t.week}  ${String(t.questions).padStart(10)}  ${String(t.blocked).padStart(9)}  ${String(t.alerts).padStart(5)}`);
  lines.push('', `Devices blocked ${page.summary.minBlocked}+ times: ${page.summary.repeatedBlocks.length === 0 ? 'none' : ''}`);
  for (const d of page.summary.repeatedBlocks) lines.push(`  ${d.device} ${d.count}: ${d.categories.map((c) => `${c.category} ${c.count}`).join(', ')}${d.visitors ? ` — ${d.visitors.join('; ')}` : ''}`);
  lines.push(`Bypass, tethering and P2P attempts: ${page.attempts.length}`);
  for (const e of page.attempts) lines.push(`  ${e.at} ${e.kind} ${e.mac ?? ''} ${e.networkId ?? ''}`);
  lines.push(`Visitors: ${page.visitors.length}`);
  for (const v of page.visitors) lines.push(`  ${v.from} ${v.device}: ${v.who}`);
  lines.push(`Block-page reports: ${page.reports.length}`);
  for (const r of page.reports) lines.push(`  ${r.at} ${r.kind} ${r.name ?? '(restricted entry)'}: ${r.comment}`);
  lines.push(`Filtering changes: ${page.changes.length}`);
  for (const c of page.changes) lines.push(`  ${c.at} ${c.actor} ${c.action}${c.subject ? ` ${c.subject}` : ''}`);
  lines.push(`Review due: ${page.due.length === 0 ? 'none' : ''}`);
  for (const d of page.due) lines.push(dueLine(d));
  return printable(lines);
}

async function outcome(values: OptionValues, args: string[]): Promise<number> {
  if (args.length !== 1) throw new UsageError('usage: schoolgate review outcome ALERT_ID --outcome OUTCOME --note "TEXT" [--propose allow|block:NAME]');
  const alert = Number(args[0]!.replace(/^#/, ''));
  if (!Number.isInteger(alert) || alert < 1) throw new UsageError(`"${args[0]}" is not an alert number (see schoolgate review week)`);
  if (typeof values.outcome !== 'string' || !(OUTCOMES as readonly string[]).includes(values.outcome)) throw new UsageError(`--outcome must be one of ${OUTCOMES.join(', ')}`);
  if (typeof values.note !== 'string' || values.note.trim() === '') throw new UsageError('missing --note: what was done, and why');
  const params: Record<string, unknown> = { alert, outcome: values.outcome as Outcome, note: values.note.trim() };
  if (values.propose !== undefined) {
    const m = /^(allow|block):(.+)$/.exec(String(values.propose));
    if (!m) throw new UsageError('--propose is allow:NAME or block:NAME (the list change a false positive proposes)');
    params.proposed = { action: m[1], name: m[2]!.toLowerCase() };
  } else if (values.outcome === 'false-positive') throw new UsageError('a false positive needs --propose allow:NAME or block:NAME');
  const row = await callDaemon(socketOf(values), 'review.outcome', params) as OutcomeRecord;
  printResult(values, row, `Alert ${row.alertId} (week of ${row.week}): ${OUTCOME_TEXT[row.outcome]} — recorded as ${row.by} in the audit log.\n`);
  return EXIT.ok;
}

/** What a check sent, one line per notice and one per message; a failed delivery says why. */
export function formatCheck(result: ReviewCheckResult): string {
  if (result.sent.length === 0) return 'Nothing due: every reminder and overdue alert due so far has been sent (each goes once per week).\n';
  const lines: string[] = [];
  for (const s of result.sent) {
    lines.push(s.kind === 'reminder'
      ? `Reminder for the week of ${s.week} (due ${s.dueAt.slice(0, 16).replace('T', ' ')} UTC)`
      : `OVERDUE: the week of ${s.week} was not signed off by ${s.dueAt.slice(0, 16).replace('T', ' ')} UTC; alert ${s.alert} raised`);
    if (s.deliveries.length === 0) lines.push('  no e-mail sent (alerts.email not set, or no one to send it to)');
    for (const d of s.deliveries) lines.push(`  ${d.channel} to ${d.to}: ${d.ok ? 'sent' : `FAILED: ${d.error ?? 'unknown error'}`}`);
  }
  return printable(lines);
}

async function signOff(values: OptionValues): Promise<number> {
  const week = weekOption(values, true)!;
  const params: Record<string, unknown> = { week };
  if (typeof values['on-behalf-of'] === 'string') params.onBehalfOf = values['on-behalf-of'];
  if (typeof values.note === 'string') params.summary = values.note;
  const signed = await callDaemon(socketOf(values), 'review.sign-off', params) as SignOff;
  printResult(values, signed, `The week of ${signed.week} is signed off by ${signed.reviewedBy}${signed.onBehalfOf ? ` on behalf of ${signed.onBehalfOf}` : ''} (${signed.alerts} alerts reviewed).\n`);
  return EXIT.ok;
}

export const review: Command = {
  positionals: true,
  summary: 'the weekly review: weeks, outcomes, sign-off, review-due items, the reminder/overdue check',
  usage: `schoolgate review [list] [--json]
schoolgate review week [--week YYYY-MM-DD] [--json]
schoolgate review outcome ALERT_ID --outcome OUTCOME --note "TEXT" [--propose allow:NAME|block:NAME]
schoolgate review sign-off --week YYYY-MM-DD [--on-behalf-of USERNAME] [--note "SUMMARY"]
schoolgate review due [--all] [--json]
schoolgate review check [--json]

The headteacher's (or DSL's, or their delegate's) weekly monitoring review. \`list\` shows the last
12 weeks: signed off (by whom, on whose behalf) or open, and overdue once past the deadline
(review.deadlineDay/Time, default Friday 17:00 of the week after). \`week\` prints one week (default
the last whole week): its alerts and their outcomes, the trend against the 8 weeks before,
devices blocked again and again, bypass/tethering/P2P attempts, visitors and their sponsors,
block-page reports, filtering changes and review-due items.

\`outcome\` records what was done about an alert: ${OUTCOMES.join(', ')}
(a false positive proposes a list change: --propose allow:NAME). A second outcome for the same
alert is a correction: both are kept, the latest counts. \`sign-off\` needs every alert of the week
to have an outcome, and the week to be over; a delegate names the head with --on-behalf-of.
Nothing here is ever deleted; each step is in the audit log under your name.

\`check\` runs the reminder and overdue check now (the daemon runs it at start and every five
minutes) and prints what it sent to whom: the way to prove the mail path. Each reminder and
overdue alert goes once per week, so a second check sends nothing.

${dataDirHelp}
      --week DAY         any day of the week (YYYY-MM-DD)
      --outcome O        (outcome) ${OUTCOMES.join(' | ')}
      --note TEXT        (outcome) what was done; (sign-off) a summary
      --propose A:NAME   (outcome, false-positive) allow:NAME or block:NAME
      --on-behalf-of U   (sign-off) the head's or DSL's username
      --all              (due) closed items too
      --json             print the result as JSON`,
  options: {
    ...dataDirOption, json: { type: 'boolean' }, week: { type: 'string' }, outcome: { type: 'string' }, note: { type: 'string' },
    propose: { type: 'string' }, 'on-behalf-of': { type: 'string' }, all: { type: 'boolean' },
  },
  async run(values, positionals) {
    const [action, ...args] = positionals;
    if (action === undefined || action === 'list') {
      const list = await callDaemon(socketOf(values), 'review.list', {}) as ReviewList;
      printResult(values, list, formatList(list));
      return EXIT.ok;
    }
    if (action === 'week') {
      const week = weekOption(values, false);
      const page = await callDaemon(socketOf(values), 'review.week', week === undefined ? {} : { week }) as ReviewPage;
      printResult(values, page, formatWeek(page));
      return EXIT.ok;
    }
    if (action === 'outcome') return outcome(values, args);
    if (action === 'sign-off') return signOff(values);
    if (action === 'due') {
      const view = await callDaemon(socketOf(values), 'review.due', values.all ? { all: true } : {}) as DueView;
      printResult(values, view, view.due.length === 0 ? 'No review-due items open.\n' : printable(view.due.map(dueLine)));
      return EXIT.ok;
    }
    if (action === 'check') {
      const result = await callDaemon(socketOf(values), 'review.check', {}) as ReviewCheckResult;
      printResult(values, result, formatCheck(result));
      // A mail that did not go is a failure the technician must see in the exit status too.
      return result.sent.some((s) => s.deliveries.some((d) => !d.ok)) ? EXIT.failure : EXIT.ok;
    }
    throw new UsageError(`unknown review action "${action}" (list, week, outcome, sign-off, due, check)`);
  },
};
