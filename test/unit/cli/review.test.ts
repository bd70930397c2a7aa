// `schoolgate review` on a terminal: the weeks with who signed off for whom, and one week with
// every outcome of each alert (the latest marked); text from the network and notes printed with
// their control characters replaced, so an escape sequence cannot move the cursor or forge a line;
// `review check` with each notice and each message, a failure with its reason, or nothing due.
import { describe, expect, it } from 'vitest';
import type { ReviewCheckResult, ReviewList, ReviewPage } from '../../../firmware/admin/api/review-schema.ts';
import { formatCheck, formatList, formatWeek } from '../../../firmware/cli/commands/review.ts';

const SPAN = { timezone: 'Europe/London', from: '2026-11-30', to: '2026-12-07', fromMs: Date.parse('2026-11-30T00:00:00Z'), toMs: Date.parse('2026-12-07T00:00:00Z') };

describe('formatList', () => {
  it('shows each week signed off, open or overdue, and the streak', () => {
    const list: ReviewList = {
      weeks: [
        { week: '2026-11-30', status: 'open', signOff: null, deadline: '2026-12-11T17:00:00.000Z', overdue: false, alerts: 3, withoutOutcome: 1 },
        { week: '2026-11-23', status: 'signed-off', signOff: { week: '2026-11-23', reviewedBy: 'account:osl', onBehalfOf: 'head', at: '2026-11-30T10:00:00.000Z', summary: '', alerts: 2, reviewedByName: 'Olu Sule', onBehalfOfName: 'Alex Head' }, deadline: '2026-12-04T17:00:00.000Z', overdue: false, alerts: 2, withoutOutcome: 0 },
        { week: '2026-11-16', status: 'open', signOff: null, deadline: '2026-11-27T17:00:00.000Z', overdue: true, alerts: 0, withoutOutcome: 0 },
      ],
      due: [{ id: 1, reason: 'filtering-change', detail: 'filtering changed: policies', at: '2026-12-01T16:00:00.000Z', closedBy: null }],
      streak: 0,
    };
    const out = formatList(list);
    expect(out).toMatch(/2026-11-30 +open +3 +1 +due by 2026-12-11 17:00 UTC/);
    expect(out).toMatch(/2026-11-23 +signed off +2 +0 +account:osl for head at 2026-11-30 10:00/);
    expect(out).toMatch(/2026-11-16 +OVERDUE/);
    expect(out).toContain('Weeks signed off in a row: 0');
    expect(out).toMatch(/filtering-change +filtering changed: policies/);
  });
});

describe('formatWeek', () => {
  it('prints every outcome of each alert, the latest marked, and no control characters', () => {
    const page: ReviewPage = {
      week: SPAN, status: 'open', signOff: null, deadline: '2026-12-11T17:00:00.000Z', overdue: false, ended: true,
      alerts: [{
        id: 7, kind: 'dns.category', severity: 'medium', subject: 'evil\u001b[2J.example', reason: 'blocked', firstAt: '2026-12-01T10:00:00.000Z', lastAt: '2026-12-01T10:00:00.000Z',
        count: 1, networkId: 'pupil', device: '02:00:00:00:00:01', removed: false,
        outcomes: [
          { id: 1, week: '2026-11-30', alertId: 7, alertKind: 'dns.category', alertSeverity: 'medium', alertSubject: 'x', outcome: 'no-concern', note: 'fine', proposed: null, by: 'account:head', at: '2026-12-07T10:00:00.000Z', latest: false },
          { id: 2, week: '2026-11-30', alertId: 7, alertKind: 'dns.category', alertSeverity: 'medium', alertSubject: 'x', outcome: 'false-positive', note: 'line one\nline two', proposed: { name: 'maths.example', action: 'allow' }, by: 'account:dsl', at: '2026-12-07T11:00:00.000Z', latest: true },
        ],
      }],
      withoutOutcome: 0,
      summary: { week: SPAN, totals: [], topBlockedCategories: [], repeatedBlocks: [], minBlocked: 20 },
      trend: [{ week: '2026-11-30', questions: 100, blocked: 5, allowed: 95, alerts: 1 }],
      attempts: [], visitors: [], reports: [], changes: [], due: [],
    };
    const out = formatWeek(page);
    expect(out).toContain('Open: due by 2026-12-11T17:00:00.000Z; 0 of 1 alerts without an outcome');
    expect(out).toMatch(/#7 medium dns\.category .*: evil\?\[2J\.example/);
    expect(out).toMatch(/^ {8}No concern: fine \(account:head/m);
    expect(out).toMatch(/^ {6}→ False positive: list change proposed \(allow maths\.example\): line one\?line two \(account:dsl/m);
    expect(out).not.toMatch(/\u001b/);
    const signed = formatWeek({ ...page, status: 'signed-off', signOff: { week: '2026-11-30', reviewedBy: 'account:osl', onBehalfOf: 'head', at: '2026-12-07T12:00:00.000Z', summary: '', alerts: 1, reviewedByName: 'Olu Sule', onBehalfOfName: 'Alex Head' } });
    expect(signed).toContain('Signed off by Olu Sule (account:osl) on behalf of Alex Head (head) at 2026-12-07T12:00:00.000Z');
  });
});

describe('formatCheck', () => {
  it('prints each notice sent and each message, a failure with its reason; or that nothing was due', () => {
    const result: ReviewCheckResult = {
      at: '2026-12-07T10:00:00.000Z',
      sent: [
        { week: '2026-11-23', kind: 'overdue', dueAt: '2026-12-04T17:00:00.000Z', alert: 12, deliveries: [{ channel: 'email', to: 'Ms Khan', ok: true }, { channel: 'email', to: 'Trust office', ok: false, error: 'connect ECONNREFUSED (3 attempts)' }] },
        { week: '2026-11-30', kind: 'reminder', dueAt: '2026-12-07T09:00:00.000Z', alert: null, deliveries: [] },
      ],
    };
    const out = formatCheck(result);
    expect(out).toContain('OVERDUE: the week of 2026-11-23 was not signed off by 2026-12-04 17:00 UTC; alert 12 raised');
    expect(out).toContain('  email to Ms Khan: sent');
    expect(out).toContain('  email to Trust office: FAILED: connect ECONNREFUSED (3 attempts)');
    expect(out).toMatch(/Reminder for the week of 2026-11-30 \(due 2026-12-07 09:00 UTC\)\n  no e-mail sent/);
    expect(formatCheck({ at: result.at, sent: [] })).toMatch(/^Nothing due/);
  });
});
