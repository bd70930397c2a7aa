// The weekly review as the daemon wires it, on a real configuration file and state.db: a start on
// a new version makes a review due, and so does each configuration applied that changes filtering
// or adds a network (through the store, whichever path changed it: a page's save, a reload, setup);
// reviewDue is there for the incidents; the reminder and overdue check runs once at start.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { defaultConfig } from '../../../../firmware/config/defaults.ts';
import { ConfigStore } from '../../../../firmware/config/store.ts';
import { silentLogger } from '../../../../firmware/log.ts';
import { startWeeklyReview } from '../../../../firmware/monitor/review/review-wiring.ts';
import { StateDatabase } from '../../../../firmware/state/database.ts';

let dir: string;
let state: StateDatabase;
const stops: Array<() => unknown> = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'schoolgate-review-wiring-'));
  state = StateDatabase.open(join(dir, 'state.db'));
});
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  state.close();
  await rm(dir, { recursive: true, force: true });
});

async function start(config: ConfigStore, version: string) {
  return startWeeklyReview({
    config, state, alerts: { raise: (c) => state.alerts.record(c, new Date(Date.parse(c.at) - 15 * 60_000)) }, mailer: null, version, logger: silentLogger(),
    stops: { push: (stop) => stops.push(stop) }, now: () => new Date('2026-12-02T10:00:00Z'),
  });
}

it('makes a review due for a new firmware version, a filtering change, a network added and an incident', async () => {
  const config = await ConfigStore.open(join(dir, 'config.json'), { createWith: defaultConfig });
  await start(config, '1.0.0');
  expect(state.reviews.due()).toEqual([]);
  for (const stop of stops.splice(0).reverse()) await stop();

  const review = await start(config, '1.1.0');
  await config.update((draft) => {
    draft.exceptions.push({ id: 'maths', domain: 'maths.example', action: 'allow', reason: 'a maths site for Year 4', requestedBy: 'Ms Khan' });
  });
  await config.update((draft) => {
    draft.site.name = 'Renamed Primary';
  });
  await config.update((draft) => {
    const { dhcp: _dhcp, ...first } = structuredClone(draft.networks[0]!);
    draft.networks.push({ ...first, id: 'visitors', name: 'Visitors', kind: 'guest', interface: 'lo', subnets: ['127.77.0.0/24'], gateway: { ipv4: '127.77.0.1' } });
  });
  review.reviewDue('incident', 'incident 3: a pupil shown an upsetting video');
  expect(state.reviews.due().map((d) => [d.reason, d.detail])).toEqual([
    ['incident', 'incident 3: a pupil shown an upsetting video'],
    ['new-network', 'network "Visitors" (guest) added'],
    ['filtering-change', 'filtering changed: exceptions (names allowed or blocked)'],
    ['firmware-update', 'firmware 1.0.0 → 1.1.0'],
  ]);
});

it('runs the reminder and overdue check once at start: a gateway off over a deadline raises the overdue alert at once', async () => {
  const config = await ConfigStore.open(join(dir, 'config.json'), { createWith: defaultConfig });
  // First ran three weeks before the start's clock, and nothing signed off since.
  state.reviews.recordStart('1.0.0', new Date('2026-11-11T10:00:00Z'));
  const review = await start(config, '1.0.0');
  const sent = await review.started;
  expect(sent.map((s) => [s.notice.week, s.notice.kind])).toEqual([['2026-11-09', 'overdue'], ['2026-11-16', 'overdue'], ['2026-11-23', 'reminder']]);
  expect(state.alerts.list().map((a) => [a.kind, a.subject]).sort()).toEqual([
    ['review.overdue', 'weekly review of the week of 2026-11-09'], ['review.overdue', 'weekly review of the week of 2026-11-16'],
  ]);
});
