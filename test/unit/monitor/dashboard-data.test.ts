// The dashboard's pure parts: the span's hours in the school's time zone (across the clock
// change), every hour present with zero where nothing was asked, the top devices per network,
// and the lists' freshness and health problems in words.
import { expect, it } from 'vitest';
import { changeCounts, healthSummary, hourSeries, listFreshness, spanHours, topDevicesPerNetwork } from '../../../firmware/monitor/dashboard-data.ts';
import { needsAttention } from '../../../firmware/monitor/attention.ts';
import { sampleStatus } from '../status-fixture.ts';

const HOUR = 3_600_000;

it("starts today at the school's midnight, in summer time too, and the week 168 hours back", () => {
  // 10:20 BST on 2026-06-10 is 09:20 UTC; the school's day began at 23:00 UTC the evening before.
  expect(spanHours('today', new Date('2026-06-10T09:20:00Z'), 'Europe/London')).toEqual({ from: Date.parse('2026-06-09T23:00:00Z'), to: Date.parse('2026-06-10T10:00:00Z') });
  // The day the clocks go back is 25 hours long.
  const back = spanHours('today', new Date('2026-10-25T23:30:00Z'), 'Europe/London');
  expect((back.to - back.from) / HOUR).toBe(25);
  const week = spanHours('week', new Date('2026-12-07T09:20:00Z'), 'Europe/London');
  expect((week.to - week.from) / HOUR).toBe(168);
});

it('gives every hour of the span, zero where the rollups have nothing, blocked counted apart', () => {
  const from = Date.parse('2026-12-07T00:00:00Z');
  const hours = hourSeries(from, from + 3 * HOUR, [
    { period: from + HOUR, verdict: 'forwarded', count: 5 },
    { period: from + HOUR, verdict: 'blocked', count: 2 },
    { period: from + 9 * HOUR, verdict: 'blocked', count: 99 },
  ]);
  expect(hours).toEqual([
    { hour: '2026-12-07T00:00:00.000Z', questions: 0, blocked: 0 },
    { hour: '2026-12-07T01:00:00.000Z', questions: 7, blocked: 2 },
    { hour: '2026-12-07T02:00:00.000Z', questions: 0, blocked: 0 },
  ]);
});

it('keeps the most blocked devices of each network, at most N each', () => {
  const rows = [
    { network: 'pupil', device: 'a', count: 9 }, { network: 'pupil', device: 'b', count: 7 }, { network: 'pupil', device: 'c', count: 3 },
    { network: 'staff', device: 'd', count: 1 }, { network: 'staff', device: 'e', count: 0 },
  ];
  expect(topDevicesPerNetwork(rows, 2)).toEqual([
    { network: 'pupil', device: 'a', count: 9 }, { network: 'pupil', device: 'b', count: 7 }, { network: 'staff', device: 'd', count: 1 },
  ]);
});

it("names an unreadable list and a feed's failed download as problems, and a failing upstream", () => {
  const base = { format: 'domains', file: 'x.txt', restricted: false, enabled: true, entries: 3, badLines: 0, duplicates: 0, skipped: [], firstErrors: [], updatedAt: null };
  const lists = listFreshness({ names: 3, compileMs: 1, loadedAt: null, fromCache: false, lists: [
    { ...base, id: 'ok', name: 'Fine', category: 'adult', source: { kind: 'file', detail: 'x.txt' } },
    { ...base, id: 'feed', name: 'Feed', category: 'adult', source: { kind: 'feed', detail: 'lists.example' }, feed: { lastOutcome: 'failed', lastError: 'HTTP 503', nextRun: null } },
    { ...base, id: 'gone', name: 'Gone', category: 'adult', source: { kind: 'file', detail: 'y.txt' }, error: 'ENOENT' },
  ] });
  expect(lists.map((l) => [l.id, l.failed, l.problem])).toEqual([
    ['ok', false, null],
    ['feed', true, 'the last download failed (the last good copy is in service): HTTP 503'],
    ['gone', true, 'ENOENT'],
  ]);
  const status = sampleStatus();
  status.dns.upstreams = [{ name: 'one', address: '192.0.2.1', port: 53, failing: true }, { name: 'two', address: '192.0.2.2', port: 53, failing: false }];
  status.attention = needsAttention({ status, lists, now: new Date('2026-12-08T09:00:00Z'), timezone: 'Europe/London' });
  const summary = healthSummary(status);
  expect(summary.upstreamsFailing).toEqual(['one']);
  // The summary's problems are the status's own list, not a second set of rules.
  expect(summary.problems).toBe(status.attention);
  expect(summary.problems.map((p) => p.problem)).toEqual(expect.arrayContaining(['Upstream resolver failing: one.', '2 lists have a problem: Feed, Gone.']));
});

it('counts the change requests waiting for an approver and the approved ones for the IT provider (never an investigation), and nothing for others', () => {
  const changes = [
    { status: 'awaiting-approval' as const, kind: 'exception' as const }, { status: 'approved' as const, kind: 'exception' as const },
    { status: 'approved' as const, kind: 'config' as const }, { status: 'applied' as const, kind: 'exception' as const },
    // Applied on approval; one whose apply failed is retried by safeguarding staff, not the IT provider.
    { status: 'approved' as const, kind: 'investigation' as const },
  ];
  expect(changeCounts(changes, [1], { approve: true, apply: false })).toEqual({ toApprove: 1, toApply: null });
  expect(changeCounts(changes, [], { approve: false, apply: true })).toEqual({ toApprove: null, toApply: 2 });
  expect(changeCounts(changes, [1], { approve: false, apply: false })).toBeNull();
});
