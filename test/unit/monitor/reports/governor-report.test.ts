// The anonymised governor report from a school's records full of pupils' MACs, addresses, device
// names, owners, visitors and accounts: its counts are right, and no field of it, nor of its
// e-mail's HTML, holds any of those (the report is built from counts, and this walks every field).
import { Value } from 'typebox/value';
import { afterEach, describe, expect, it } from 'vitest';
import { assuranceSummary } from '../../../../firmware/monitor/reports/assurance-summary.ts';
import { governorReportHtml } from '../../../../firmware/monitor/reports/governor-html.ts';
import { governorReport, type GovernorReportDeps } from '../../../../firmware/monitor/reports/governor-report.ts';
import { AssuranceSummary, GovernorReport } from '../../../../firmware/monitor/reports/report-schema.ts';
import type { ReportSources } from '../../../../firmware/monitor/reports/sources.ts';
import { useTempDir } from '../../state/temp-dir.ts';
import { ADDRESSES, CONFIG, GUEST, NAMES, NOW, PUPIL_A, PUPIL_B, seedSchool, type Seeded } from './seed.ts';

const tempDir = useTempDir();
let seeded: Seeded | undefined;
afterEach(async () => { await seeded?.close(); seeded = undefined; });

/** Every string and number in a value, with its path. */
function* leaves(value: unknown, path = '$'): Generator<[string, string]> {
  if (value === null || value === undefined) return;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    yield [path, String(value)];
    return;
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* leaves(item, `${path}[${i}]`);
    return;
  }
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    yield [`${path}.${key} (key)`, key];
    yield* leaves(item, `${path}.${key}`);
  }
}

const MACS = [PUPIL_A, PUPIL_B, GUEST];
// Every spelling a MAC might take in a report: colons, dashes, bare hex, upper case.
const FORBIDDEN = [...new Set([
  ...MACS.flatMap((m) => [m, m.replaceAll(':', '-'), m.replaceAll(':', ''), m.toUpperCase()]),
  ...ADDRESSES, ...Object.values(NAMES),
  // Parts of names too: a first name alone names a pupil in a small school.
  'Amelia', 'Noah', 'Priya', 'Hartley', 'Okafor', 'Whitcombe', 'agency.example', '07700',
].map((s) => s.toLowerCase()))];

function findPersonal(value: unknown): string[] {
  const found: string[] = [];
  for (const [path, text] of leaves(value)) {
    const lower = text.toLowerCase();
    for (const f of FORBIDDEN) if (lower.includes(f)) found.push(`${path} holds "${f}"`);
  }
  return found;
}

function deps(s: Seeded, sources?: ReportSources): GovernorReportDeps {
  return { config: () => CONFIG, queryLog: s.queryLog, alerts: s.state.alerts, selftest: s.state.selftest, visitors: s.state.vouchers, now: () => NOW, ...(sources ? { sources } : {}) };
}

describe('the governor report', () => {
  it('counts filtering, alerts, self-tests and visitors in the span, naming no pupil, device or visitor anywhere', async () => {
    seeded = await seedSchool(tempDir());
    const report = await governorReport(deps(seeded), { from: '2026-11-20', to: '2026-12-06' });
    expect(Value.Check(GovernorReport, report)).toBe(true);
    expect(report.span).toEqual({ from: '2026-11-20', to: '2026-12-06', timezone: 'Europe/London' });
    // 40 questions, every fourth blocked: 10.
    expect(report.filtering).toMatchObject({ questions: 40, blocked: 10, blockedShare: 0.25 });
    expect(report.filtering.networks.map((n) => [n.networkName, n.questions, n.blocked])).toEqual([['Visitors', 13, 3], ['Pupil Wi-Fi', 27, 7]]);
    // The alert 60 days ago is outside; four inside.
    expect(report.alerts).toMatchObject({ total: 4, bySeverity: { critical: 1, high: 1, medium: 1, low: 1 }, acknowledged: 1, open: 3, byOutcome: null });
    expect(report.selftest.map((s) => [s.network, s.runs, s.runsPassed, s.passRate])).toEqual([['guest', 2, 1, 0.5], ['pupil', 2, 2, 1]]);
    expect(report.visitors).toEqual({ visitors: 1, devices: 1 });
    expect(report.incidents).toBeNull();
    expect(report.reviews).toBeNull();

    // The walk: every field and key of the report, then the e-mail made from it.
    expect(findPersonal(report)).toEqual([]);
    expect(findPersonal(governorReportHtml(report))).toEqual([]);
    // And the walk would find one: it is not a test that cannot fail.
    expect(findPersonal({ ...report, extra: [{ note: `seen: ${PUPIL_A.toUpperCase()}` }] })).toEqual([expect.stringContaining('$.extra[0].note')]);
    expect(governorReportHtml(report)).toContain('Not recorded yet');
  });

  it('reports the review outcomes, incidents and sign-offs when those records exist, as counts', async () => {
    seeded = await seedSchool(tempDir());
    const sources: ReportSources = {
      reviews: {
        lastSignedOff: () => ({ week: '2026-11-30', signedOffAt: '2026-12-04T15:00:00.000Z', by: 'Jo Head', onBehalfOf: null }),
        streakWeeks: () => 6,
        signedOffBetween: () => ({ weeks: 3, signedOff: 3, signedOffLate: 1 }),
        alertOutcomesBetween: () => [{ outcome: 'no-concern', count: 2 }, { outcome: 'spoke-to-pupil', count: 1 }],
      },
      incidents: { openIncidents: () => 1, openActions: () => 2, countsByOutcome: () => [{ outcome: 'internal-action', count: 2 }, { outcome: 'no-substance', count: 1 }] },
    };
    const report = await governorReport(deps(seeded, sources), { from: '2026-11-20', to: '2026-12-06' });
    expect(report.alerts.byOutcome).toEqual([{ outcome: 'no-concern', count: 2 }, { outcome: 'spoke-to-pupil', count: 1 }]);
    expect(report.incidents).toEqual({ opened: 3, byOutcome: [{ outcome: 'internal-action', count: 2 }, { outcome: 'no-substance', count: 1 }] });
    expect(report.reviews).toEqual({ weeks: 3, signedOff: 3, signedOffLate: 1 });
    expect(findPersonal(report)).toEqual([]);
    expect(governorReportHtml(report)).toContain('3 of 3 weekly reviews signed off, 1 after their deadline');
  });

  it('refuses a span that ends before it starts, or a day that is not one, and defaults to the 30 days to yesterday', async () => {
    seeded = await seedSchool(tempDir());
    await expect(governorReport(deps(seeded), { from: '2026-12-06', to: '2026-11-20' })).rejects.toThrow(/ends \(2026-11-20\) before it starts/);
    await expect(governorReport(deps(seeded), { from: '2026-02-30' })).rejects.toThrow(/"from" must be a day/);
    expect((await governorReport(deps(seeded), {})).span).toMatchObject({ from: '2026-11-07', to: '2026-12-06' });
  });
});

describe('the assurance summary', () => {
  it('says "not recorded yet" (null) for what no module records yet, and gives the self-test rate of the last 30 days', async () => {
    seeded = await seedSchool(tempDir());
    const s = seeded;
    const summary = assuranceSummary({
      config: () => ({ ...CONFIG, reports: { nextAnnualReview: '2027-03-15' } }), alerts: s.state.alerts, selftest: s.state.selftest, audit: s.state.audit, now: () => NOW,
    });
    expect(Value.Check(AssuranceSummary, summary)).toBe(true);
    expect(summary).toMatchObject({
      reviews: null, incidents: null, selftestDays: 30, openAlerts: { critical: 1, high: 2, medium: 1, low: 0 },
      nextAnnualReview: { date: '2027-03-15', source: 'configuration' }, auditChain: { verified: true, entries: 1 },
    });
    expect(summary.selftest.map((r) => [r.networkName, r.passRate])).toEqual([['Visitors', 0.5], ['Pupil Wi-Fi', 1]]);
    expect(findPersonal(summary)).toEqual([]);
  });
});
