// What the weekly review's page costs at a school's scale: 10M DNS events stored through the real
// query log's writer thread (rollups made as they are stored, as logs.ts seeds them), and in a
// state.db on disk 2,000 alerts over a year, 52 weeks of reviews with an outcome for each alert
// (a tenth corrected), bypass/tethering/P2P events, block-page reports, filtering changes in the
// audit log and review-due items. Times the week page's one API call (the control method
// review.week: the week's alerts and outcomes, rollups of the week and the 8 before, the rest;
// review_page_ms, target ≤ 500) and the list of weeks (review_list_ms). Then the annual review
// pack over the same stores: the school's review of the 52 weeks up to the reviewed one, with the
// year's audit log (about 6,000 entries: logins, device and policy changes), a daily self-test on
// two networks, the alerts and the weekly reviews read through the daemon's own adapters
// (annual_pack_ms: rendering, the median of 5; annual_pack_gather_ms: reading the stores).
// scripts/bench/annual-pack.ts is the quick one: the pack alone on an in-memory year, in seconds.
//   npm run bench:review [-- --events 10000000 --alerts 2000 --weeks 52 --rounds 5]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Value } from 'typebox/value';
import { ReviewPage } from '../../firmware/admin/api/review-schema.ts';
import { EventBuffer, type EventFields } from '../../firmware/dns/events/event-buffer.ts';
import { handOver } from './hand-over.ts';
import { silentLogger } from '../../firmware/log.ts';
import { QueryLog } from '../../firmware/monitor/query-log/query-log.ts';
import { weekOf } from '../../firmware/monitor/review/review-data.ts';
import { reviewList, reviewPage, type ReviewPageSources } from '../../firmware/monitor/review/review-page.ts';
import { OUTCOMES } from '../../firmware/monitor/review/review-schema.ts';
import { CATALOGUE, defaultConfig } from '../../firmware/config/defaults.ts';
import { EXPORT_PROTECTION, incidentHistorySource, reviewHistorySource } from '../../firmware/monitor/record-sources.ts';
import type { NetworkRun } from '../../firmware/monitor/selftest/selftest-schema.ts';
import { StateDatabase } from '../../firmware/state/database.ts';
import { measureAnnualPack } from './annual-pack.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000000' },
    alerts: { type: 'string', default: '2000' },
    weeks: { type: 'string', default: '52' },
    devices: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '5' },
  },
});
const total = Number(values.events);
const alertCount = Number(values.alerts);
const weeks = Number(values.weeks);
const devices = Number(values.devices);
const rounds = Number(values.rounds);
for (const [name, n, min] of [['events', total, 1000], ['alerts', alertCount, 1], ['weeks', weeks, 1], ['devices', devices, 1], ['rounds', rounds, 1]] as const) {
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number of at least ${min}`);
}
const label = total % 1_000_000 === 0 ? `${total / 1_000_000}m` : total % 1000 === 0 ? `${total / 1000}k` : String(total);

const ZONE = 'Europe/London';
const WEEK = '2026-11-30'; // the reviewed week: a Monday in term, GMT throughout
const week = weekOf(WEEK, ZONE);
const HOUR = 3_600_000;
const DAY_MS = 86_400_000;
const NOW = new Date(week.toMs + 9 * HOUR); // the Monday after, 09:00: the reminder's morning
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const MACS = Array.from({ length: devices }, (_, d) => `02:5c:00:${((d >> 16) & 255).toString(16).padStart(2, '0')}:${((d >> 8) & 255).toString(16).padStart(2, '0')}:${(d & 255).toString(16).padStart(2, '0')}`);
const CATEGORIES = ['adult', 'gambling', 'violence', 'social', 'games', 'proxy'];

/**
 * Event `i`: three quarters in the reviewed week's school hours, the rest over the 8 weeks before
 * (the trend's), in time order within each part; 5% blocked. Fills one reused object, as the DNS
 * handler does.
 */
function fill(e: EventFields, i: number): void {
  const inWeek = Math.floor(total * 0.75);
  const schoolSeconds = 5 * 8 * 3600;
  const part = i < inWeek ? { n: inWeek, k: i, from: week.fromMs, weeks: 1 } : { n: total - inWeek, k: i - inWeek, from: week.fromMs - 8 * 7 * DAY_MS, weeks: 8 };
  const second = Math.floor((part.k / part.n) * schoolSeconds * part.weeks);
  const weekIndex = Math.floor(second / schoolSeconds);
  const inWeekSecond = second % schoolSeconds;
  const day = Math.floor(inWeekSecond / (8 * 3600));
  // The school's 08:00; the 8 weeks before include the clocks going back (26 Oct): an hour's error
  // there moves an event within its day, which is all the trend counts.
  e.at = part.from + weekIndex * 7 * DAY_MS + day * DAY_MS + 8 * HOUR + (inWeekSecond % (8 * 3600)) * 1000 + (i % 1000);
  const d = (i * 7919) % devices;
  e.device = MACS[d];
  e.client = `10.20.${d >> 8}.${d & 255}`;
  e.network = d % 6 === 0 ? 'staff' : 'pupil';
  e.name = `host${i % 5000}.site${i % 977}.example`;
  const blocked = i % 20 === 0;
  e.verdict = blocked ? 'blocked' : 'forwarded';
  e.rcode = blocked ? 3 : 0;
  e.category = blocked ? CATEGORIES[(i / 20) % CATEGORIES.length | 0] : i % 5 === 1 ? CATEGORIES[3 + (i % 3)] : undefined;
  e.list = blocked ? 'bench' : undefined;
  e.upstream = blocked ? undefined : 'provider';
}

/** The events through the writer thread as fast as it takes them (rollups made as they are stored). */
async function seedEvents(file: string): Promise<number> {
  const buffer = new EventBuffer(65536);
  const log = await QueryLog.open(file, { events: buffer, logger: silentLogger(), flushIntervalMs: 3_600_000, timezone: ZONE, maxInFlight: 200_000 });
  const start = performance.now();
  await handOver(log, buffer, total, fill);
  const stored = await log.count();
  log.close();
  if (stored !== total) throw new Error(`stored ${stored} of ${total} events`);
  return (performance.now() - start) / 1000;
}

const YEAR_AUDIT_PER_WEEK = 100;
const AUDIT_ACTIONS = ['account.login', 'account.login', 'voucher.issue', 'device.name', 'account.login', 'lists.update', 'account.logout', 'device.group'];

function selftestRun(network: string, passed: boolean): NetworkRun {
  return {
    network, policy: network, source: '10.20.0.1', server: '10.20.0.1:53', error: null, passed, untested: [],
    checks: [{ kind: 'category', subject: 'social', name: 'www.facebook.com', category: 'social', critical: false, expected: 'blocked', blockAnswer: 'block-page',
      got: passed ? '10.20.0.1 (block page)' : '198.51.100.81', pass: passed, failOpen: !passed }],
  };
}

/** A year of the school's review records in state.db, as the daemon would have written them week by week. */
function seedState(state: StateDatabase, setClock: (at: Date) => void): { outcomes: number; signOffs: number } {
  let outcomes = 0;
  let signOffs = 0;
  state.transaction(() => {
    for (let w = 0; w < weeks; w++) {
      const monday = week.fromMs - (weeks - 1 - w) * 7 * DAY_MS;
      const weekDay = new Date(monday + 12 * HOUR).toISOString().slice(0, 10);
      const ids: number[] = [];
      // The alerts spread evenly: week w has those from floor(w·N/W) up to floor((w+1)·N/W).
      const first = Math.floor((w * alertCount) / weeks);
      for (let n = first; n < Math.floor(((w + 1) * alertCount) / weeks); n++) {
        const a = n - first;
        const at = new Date(monday + (a % 5) * DAY_MS + 9 * HOUR + a * 60_000).toISOString();
        // Each alert its own device, so none merges into another's burst.
        const mac = `02:5d:00:${((n >> 16) & 255).toString(16).padStart(2, '0')}:${((n >> 8) & 255).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`;
        ids.push(state.alerts.record({ kind: n % 7 === 0 ? 'dns.keyword' : 'dns.category', severity: n % 11 === 0 ? 'high' : 'medium', at, networkId: 'pupil', mac, address: null,
          subject: `blocked${n}.site${n % 97}.example`, reason: 'a blocked category was looked up', category: CATEGORIES[n % CATEGORIES.length]! }, new Date(at)).alert.id);
      }
      for (let k = 0; k < 50; k++) state.networkEvents.append({ at: new Date(monday + (k % 5) * DAY_MS + 10 * HOUR + k * 1000), kind: (['net.bypass', 'net.tethering', 'net.p2p'] as const)[k % 3]!, networkId: 'pupil', mac: MACS[k % devices]!, details: { k } });
      for (let k = 0; k < 10; k++) {
        const at = new Date(monday + (k % 5) * DAY_MS + 11 * HOUR + k * 1000).toISOString();
        state.siteReports.addReport({ at, blockedAt: at, networkId: 'pupil', mac: MACS[k % devices]!, address: '10.20.0.5', name: `report${k}.example`, category: 'games', verdict: 'blocked', kind: 'should-not-be-blocked', comment: 'for a lesson' });
      }
      const changedAt = new Date(monday + 2 * DAY_MS + 15 * HOUR);
      setClock(changedAt);
      for (let k = 0; k < 20; k++) state.audit.append({ actor: 'account:tech', action: k % 4 === 0 ? 'policy.edit' : 'device.suspend', subject: `s${k}`, details: { k } });
      // The rest of the week's audit log, in time order after those: sign-ins, vouchers, devices (the annual pack reads the year's).
      for (let k = 0; k < YEAR_AUDIT_PER_WEEK; k++) {
        setClock(new Date(changedAt.getTime() + HOUR + k * 29 * 60_000));
        const action = AUDIT_ACTIONS[k % AUDIT_ACTIONS.length]!;
        state.audit.append({ actor: k % 3 === 0 ? 'account:office' : 'account:head', action, subject: action.startsWith('device.') ? MACS[k % devices]! : `s${k}`, details: { k } });
      }
      for (let d = 0; d < 7; d++) {
        state.selftest.record({ at: new Date(monday + d * DAY_MS + 7 * HOUR), trigger: 'scheduled', actor: 'system', networks: [selftestRun('pupil', (w * 7 + d) % 97 !== 0), selftestRun('staff', true)] });
      }
      if (w % 4 === 0) state.reviews.addDue(w % 8 === 0 ? 'filtering-change' : 'firmware-update', `week ${weekDay}: a change`, changedAt);
      // The reviewed week itself waits for its review; every earlier one was reviewed and signed off.
      if (weekDay >= WEEK) continue;
      const reviewed = new Date(monday + 7 * DAY_MS + 10 * HOUR);
      for (const [i, id] of ids.entries()) {
        const alert = state.alerts.get(id);
        const outcome = OUTCOMES[i % 4]!;
        state.reviews.recordOutcome({ week: weekDay, alert: { id, kind: alert.kind, severity: alert.severity, subject: alert.subject }, outcome, note: 'dealt with in school', by: 'account:head', at: reviewed });
        outcomes++;
        if (i % 10 === 0) {
          state.reviews.recordOutcome({ week: weekDay, alert: { id, kind: alert.kind, severity: alert.severity, subject: alert.subject }, outcome: 'false-positive', note: 'on reflection, a false positive', proposed: { name: `fp${id}.example`, action: 'allow' }, by: 'account:dsl', at: reviewed });
          outcomes++;
        }
        state.alerts.acknowledge(id, 'account:head', 'weekly review', reviewed);
      }
      state.reviews.signOff({ week: weekDay, reviewedBy: w % 3 === 0 ? 'account:osl' : 'account:head', onBehalfOf: w % 3 === 0 ? 'head' : null, summary: 'reviewed', alerts: ids.length, at: reviewed });
      signOffs++;
    }
  });
  return { outcomes, signOffs };
}

/**
 * The annual pack over the seeded stores: the school opens its review of the 52 weeks to the end of
 * the reviewed week (a review's own first and last days), as the daemon's `annual pack` renders it.
 */
function annualPack(state: StateDatabase): string[] {
  const config = defaultConfig();
  config.site.timezone = ZONE;
  const starts = new Date(week.fromMs - (weeks - 1) * 7 * DAY_MS).toISOString().slice(0, 10);
  const ends = new Date(week.toMs - DAY_MS).toISOString().slice(0, 10);
  state.annualReviews.open({ year: '2026-27', starts, ends, nextReview: '2027-12-06' }, 'account:head', NOW);
  const result = measureAnnualPack({
    config: () => config, categories: CATALOGUE.categories, state, now: () => NOW,
    reviews: reviewHistorySource(state.reviews, () => config, () => NOW), incidents: incidentHistorySource(state.incidents), exportProtection: EXPORT_PROTECTION,
  }, '2026-27', rounds);
  console.log(`  annual pack (${starts} to ${ends}): ${state.audit.count().toLocaleString('en-GB')} audit entries, ${Math.round(result.bytes / 1024)} KB of HTML; rendered in a median ${result.renderMs.toFixed(1)} ms of ${rounds}, its sources read in ${result.gatherMs.toFixed(1)} ms`);
  return [`annual_pack_ms=${result.renderMs.toFixed(1)}`, `annual_pack_gather_ms=${result.gatherMs.toFixed(1)}`, `annual_pack_kb=${Math.round(result.bytes / 1024)}`];
}

const dir = await mkdtemp(join(tmpdir(), 'schoolgate-bench-review-'));
try {
  console.log(`review: ${total.toLocaleString('en-GB')} DNS events (three quarters in the week of ${WEEK}, the rest in the 8 weeks before), ${alertCount.toLocaleString('en-GB')} alerts over ${weeks} weeks of reviews`);
  const seedSeconds = await seedEvents(join(dir, 'logs.db'));
  console.log(`  seeded the events through the writer thread in ${seedSeconds.toFixed(0)} s`);
  let clock = new Date(week.fromMs - weeks * 7 * DAY_MS);
  const state = StateDatabase.open(join(dir, 'state.db'), { now: () => clock });
  const log = await QueryLog.open(join(dir, 'logs.db'), { events: new EventBuffer(16), logger: silentLogger(), flushIntervalMs: 3_600_000, timezone: ZONE });
  try {
    const seeded = seedState(state, (at) => { clock = at; });
    clock = NOW;
    console.log(`  state.db: ${state.alerts.count().toLocaleString('en-GB')} alerts, ${seeded.outcomes.toLocaleString('en-GB')} outcomes, ${seeded.signOffs} weeks signed off`);
    const sources: ReviewPageSources = {
      reviews: state.reviews, alerts: state.alerts, queryLog: log, networkEvents: state.networkEvents, siteReports: state.siteReports,
      vouchers: state.vouchers, audit: state.audit, timezone: ZONE, now: () => NOW,
    };
    const pageMs: number[] = [];
    const listMs: number[] = [];
    let page: ReviewPage | undefined;
    for (let r = 0; r < rounds; r++) {
      const a = performance.now();
      page = await reviewPage(sources, WEEK);
      pageMs.push(performance.now() - a);
      const b = performance.now();
      const list = reviewList(sources, 52);
      listMs.push(performance.now() - b);
      if (list.weeks.length !== Math.min(52, weeks)) throw new Error(`the list has ${list.weeks.length} weeks`);
    }
    if (!Value.Check(ReviewPage, page)) throw new Error('the page does not fit its schema');
    const blocked = page!.trend.at(-1)!.blocked;
    // Event i is blocked when i is a multiple of 20, and the week's are the first three quarters.
    if (blocked !== Math.ceil(Math.floor(total * 0.75) / 20)) throw new Error(`the week counted ${blocked} blocked questions, ${Math.ceil(Math.floor(total * 0.75) / 20)} were asked`);
    if (page!.alerts.length === 0 || page!.withoutOutcome !== page!.alerts.length) throw new Error('the reviewed week should have alerts waiting for outcomes');
    console.log(`  the week's page: ${page!.alerts.length} alerts, ${page!.attempts.length} attempts, ${page!.reports.length} reports, ${page!.changes.length} filtering changes, ${page!.trend.length} weeks of trend`);
    console.log(`  week page (review.week): median ${median(pageMs).toFixed(1)} ms of ${rounds} (${pageMs.map((x) => x.toFixed(0)).join(', ')})`);
    console.log(`  list of 52 weeks (review.list): median ${median(listMs).toFixed(1)} ms of ${rounds}`);
    const keys = [
      `review_page_ms=${median(pageMs).toFixed(1)}`,
      `review_list_ms=${median(listMs).toFixed(1)}`,
      `review_events=${label}`,
      ...annualPack(state),
    ];
    console.log(keys.join('\n'));
  } finally {
    log.close();
    state.close();
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
