// What the monitoring costs at a school's scale, through the real query log and its writer thread:
// how many DNS events a second of its CPU the writer thread stores with its rollups (events_per_s,
// target ≥ 50,000; events_per_s_wall is end to end, which a busy box holds down),
// what an event costs on disk, and, with a school week of events stored (10M by default), how long
// the weekly review's reads from rollups take (review_week_10m_ms, target ≤ 500) and one device's
// week (device_week_10m_ms). The week is seeded through the writer itself, as fast as it takes
// events, so the ingest figure is that seed's. Then logs.db is made to look like one from before
// rollups (rollup tables dropped, schema version 2) and opened again: migration 3 counts every row
// (open_v2_…_ms), which must finish within the open's timeout. The writer runs the DNS alert rules
// on every event as the daemon gives them (the shipped keyword lists, the catalogue's severities,
// the demo configuration's self-test sources); --no-alert-rules measures it without, to compare.
//   npm run bench:logs [-- --events 10000000 --devices 300 --rounds 5 --no-migration --no-alert-rules]
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EventBuffer, type EventFields } from '../../firmware/dns/events/event-buffer.ts';
import { handOver } from './hand-over.ts';
import { CATEGORY_SEVERITIES, defaultConfig } from '../../firmware/config/defaults.ts';
import { silentLogger } from '../../firmware/log.ts';
import { dnsAlertRulesData, loadKeywordLists } from '../../firmware/monitor/alerts/alert-rules-config.ts';
import { QueryLog } from '../../firmware/monitor/query-log/query-log.ts';
import { deviceWeek, reviewWeek, weekOf } from '../../firmware/monitor/review/review-data.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000000' },
    devices: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '5' },
    'no-migration': { type: 'boolean', default: false },
    'no-alert-rules': { type: 'boolean', default: false },
  },
});
const total = Number(values.events);
const devices = Number(values.devices);
const rounds = Number(values.rounds);
if (!Number.isInteger(total) || total < 1000 || !Number.isInteger(devices) || devices < 1 || !Number.isInteger(rounds) || rounds < 1) {
  throw new Error('--events N (at least 1000) --devices N --rounds N: whole numbers');
}
const alertRules = values['no-alert-rules'] ? null : dnsAlertRulesData(defaultConfig(), CATEGORY_SEVERITIES, loadKeywordLists());
const label = total % 1_000_000 === 0 ? `${total / 1_000_000}m` : total % 1000 === 0 ? `${total / 1000}k` : String(total);

const ZONE = 'Europe/London';
const DAY = '2026-11-30'; // a Monday in term
const week = weekOf(DAY, ZONE);
const HOUR = 3_600_000;

/** CPU time of the writer thread (ns, from schedstat): the only worker thread in this process. */
function writerCpuNs(): number {
  for (const tid of readdirSync('/proc/self/task')) {
    if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() !== 'WorkerThread') continue;
    return Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
  }
  throw new Error('no writer thread');
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const MACS = Array.from({ length: devices }, (_, d) => `02:5c:00:${((d >> 16) & 255).toString(16).padStart(2, '0')}:${((d >> 8) & 255).toString(16).padStart(2, '0')}:${(d & 255).toString(16).padStart(2, '0')}`);
const CATEGORIES = ['adult', 'gambling', 'violence', 'social', 'games', 'proxy'];

/**
 * Event `i` of the week, in time order: school hours (08:00–16:00 at the school, Monday to
 * Friday), most devices on the pupil network; 5% blocked in one of six categories, 20% of the rest
 * in a watched or allowed category. Fills one reused object, as the DNS handler does.
 */
function fill(e: EventFields, i: number): void {
  const schoolSeconds = 5 * 8 * 3600;
  const second = Math.floor((i / total) * schoolSeconds);
  const day = Math.floor(second / (8 * 3600));
  // The school's 08:00 is 8 hours after its midnight (GMT in term: no clock change in this week).
  e.at = week.fromMs + day * 24 * HOUR + 8 * HOUR + (second % (8 * 3600)) * 1000 + (i % 1000);
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

async function seed(file: string): Promise<{ eventsPerS: number; writerUsPerEvent: number; candidates: number }> {
  const buffer = new EventBuffer(65536);
  // The candidates go to the main thread, where the daemon's alert service would store them: here
  // they are counted (the writer's part, running the rules and sending them, is what is measured).
  let candidates = 0;
  const log = await QueryLog.open(file, {
    events: buffer, logger: silentLogger(), flushIntervalMs: 3_600_000, timezone: ZONE, maxInFlight: 200_000,
    alertRules, onAlerts: (batch) => { candidates += batch.length; },
  });
  const cpu0 = writerCpuNs();
  const start = performance.now();
  await handOver(log, buffer, total, fill);
  // Answered once every batch before it is written.
  const stored = await log.count();
  const seconds = (performance.now() - start) / 1000;
  const cpu = writerCpuNs() - cpu0;
  log.close();
  if (stored !== total || log.stats().writeErrors !== 0) throw new Error(`stored ${stored} of ${total} events, ${log.stats().writeErrors} write errors`);
  // 5% of the events are blocked, most in categories that alert: rules that raised nothing did not run.
  if (alertRules !== null && candidates === 0) throw new Error('the alert rules raised nothing');
  return { eventsPerS: total / seconds, writerUsPerEvent: cpu / 1000 / total, candidates };
}

interface Reads {
  openMs: number;
  reviewMs: number[];
  deviceMs: number[];
  blocked: number;
  /** A subject-access export of one device, and the erasure of another (each a scan of every row). */
  exportMs: number;
  exported: number;
  eraseMs: number;
  erased: number;
}

async function reads(file: string): Promise<Reads> {
  const t0 = performance.now();
  const log = await QueryLog.open(file, { events: new EventBuffer(16), logger: silentLogger(), flushIntervalMs: 3_600_000, timezone: ZONE });
  const openMs = performance.now() - t0;
  try {
    const source = { queryLog: log, timezone: ZONE };
    const reviewMs: number[] = [];
    const deviceMs: number[] = [];
    let blocked = 0;
    for (let r = 0; r < rounds; r++) {
      const a = performance.now();
      const review = await reviewWeek(source, '2026-12-02');
      reviewMs.push(performance.now() - a);
      blocked = review.totals.filter((t) => t.verdict === 'blocked').reduce((n, t) => n + t.count, 0);
      const b = performance.now();
      const one = await deviceWeek(source, MACS[(r * 37) % devices]!, '2026-12-02');
      deviceMs.push(performance.now() - b);
      if (one.hours.length === 0) throw new Error('the device week is empty');
    }
    const c = performance.now();
    const exported = (await log.subject(MACS[1]!)).events.length;
    const exportMs = performance.now() - c;
    const d = performance.now();
    const erased = (await log.eraseSubject(MACS[2]!)).events;
    const eraseMs = performance.now() - d;
    if (exported === 0 || erased === 0) throw new Error('the device to export or erase asked nothing');
    return { openMs, reviewMs, deviceMs, blocked, exportMs, exported, eraseMs, erased };
  } finally {
    log.close();
  }
}

/** Makes logs.db look like one from before rollups, then times the open that counts them. */
async function migration(file: string): Promise<{ openMs: number; counted: number }> {
  const db = new DatabaseSync(file);
  db.exec('DROP TABLE rollup_hours; DROP TABLE rollup_days; DROP TABLE rollup_mark; DELETE FROM schema_migrations WHERE version = 3; PRAGMA user_version = 2; VACUUM;');
  db.close();
  const t0 = performance.now();
  const log = await QueryLog.open(file, { events: new EventBuffer(16), logger: silentLogger(), flushIntervalMs: 3_600_000, timezone: ZONE });
  const openMs = performance.now() - t0;
  try {
    const rows = await log.rollupTotals({ kind: 'days', from: week.from, to: week.to, by: [] });
    return { openMs, counted: rows[0]?.count ?? 0 };
  } finally {
    log.close();
  }
}

const dir = await mkdtemp(join(tmpdir(), 'schoolgate-bench-logs-'));
try {
  const file = join(dir, 'logs.db');
  console.log(`logs: ${total.toLocaleString('en-GB')} DNS events of ${devices} devices over the school week of ${DAY}, through the real writer thread with rollups, alert rules ${alertRules === null ? 'off' : 'on'}`);
  const ingest = await seed(file);
  const bytes = (await stat(file)).size;
  console.log(`  ingest: ${Math.round(ingest.eventsPerS).toLocaleString('en-GB')} events/s end to end, the writer thread ${ingest.writerUsPerEvent.toFixed(2)} µs of CPU an event (${Math.round(1e6 / ingest.writerUsPerEvent).toLocaleString('en-GB')} a second of its CPU)`);
  if (alertRules !== null) console.log(`  alert rules: ${alertRules.keywordLists.length} keyword lists, ${ingest.candidates.toLocaleString('en-GB')} candidates sent (merged per batch)`);
  console.log(`  on disk: ${(bytes / 1e6).toFixed(0)} MB, ${(bytes / total).toFixed(1)} B an event (rows, the at index and the rollups)`);
  const r = await reads(file);
  if (r.blocked !== total / 20) throw new Error(`the review counted ${r.blocked} blocked questions, ${total / 20} were asked`);
  console.log(`  open with ${label} events stored: ${r.openMs.toFixed(0)} ms`);
  console.log(`  review week (totals, top blocked, repeated blocks): median ${median(r.reviewMs).toFixed(1)} ms of ${rounds} (${r.reviewMs.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`  one device's week: median ${median(r.deviceMs).toFixed(1)} ms of ${rounds} (${r.deviceMs.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`  subject access: export of a device's ${r.exported.toLocaleString('en-GB')} events ${(r.exportMs / 1000).toFixed(1)} s, erasure of another's ${r.erased.toLocaleString('en-GB')} ${(r.eraseMs / 1000).toFixed(1)} s (each scans every row)`);
  const keys = [
    `alert_rules=${alertRules === null ? 'off' : 'on'}`,
    // The writer thread's own rate: events per second of its CPU, whatever else the box is doing.
    `events_per_s=${Math.round(1e6 / ingest.writerUsPerEvent)}`,
    `events_per_s_wall=${Math.round(ingest.eventsPerS)}`,
    `writer_us_per_event=${ingest.writerUsPerEvent.toFixed(2)}`,
    `bytes_per_event=${(bytes / total).toFixed(1)}`,
    `open_${label}_ms=${r.openMs.toFixed(0)}`,
    `review_week_${label}_ms=${median(r.reviewMs).toFixed(1)}`,
    `device_week_${label}_ms=${median(r.deviceMs).toFixed(1)}`,
    `export_device_${label}_ms=${r.exportMs.toFixed(0)}`,
    `erase_device_${label}_ms=${r.eraseMs.toFixed(0)}`,
  ];
  if (!values['no-migration']) {
    const m = await migration(file);
    if (m.counted !== total - r.erased) throw new Error(`migration 3 counted ${m.counted} of ${total - r.erased} events`);
    console.log(`  open of a logs.db from before rollups (migration 3 counts every event): ${(m.openMs / 1000).toFixed(1)} s`);
    keys.push(`open_v2_${label}_ms=${m.openMs.toFixed(0)}`);
  }
  console.log(keys.join('\n'));
} finally {
  await rm(dir, { recursive: true, force: true });
}
