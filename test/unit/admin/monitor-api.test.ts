// The dashboard, alerts and health routes through the real app (fastify's inject), a real query
// log (its writer thread and rollups) and state.db: what each role may see and do, CSRF on the
// acknowledgement, and the acknowledgement audited as the account, as `schoolgate alerts ack` does.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listsView } from '../../../firmware/rules/lists-view.ts';
import { CachedRead, HOST_FACTS_TTL_MS, readHostFacts, systemProbe } from '../../../firmware/admin/host-facts.ts';
import { EventBuffer, type QueryEvent } from '../../../firmware/dns/events/event-buffer.ts';
import { silentLogger } from '../../../firmware/log.ts';
import type { AlertCandidate } from '../../../firmware/monitor/alerts/alert-schema.ts';
import { QueryLog } from '../../../firmware/monitor/query-log/query-log.ts';
import { testAdmin, type TestAdmin } from './admin-app.ts';
import { caller, roleSessions, type RoleSession } from './role-sessions.ts';

let dir: string;
let log: QueryLog;
let t: TestAdmin;
let s: Record<string, RoleSession>;
let call: ReturnType<typeof caller>;

const HOUR = 3_600_000;
const PUPIL_IPAD = '02:00:00:00:00:01';

function event(at: number, fields: Partial<QueryEvent>): QueryEvent {
  return { at, network: 'pupil', client: '10.20.0.5', device: PUPIL_IPAD, transport: 'udp', name: 'x.example', qtype: 1, verdict: 'forwarded', rcode: 0, latencyMs: 1, ...fields } as QueryEvent;
}

function candidate(fields: Partial<AlertCandidate>): AlertCandidate {
  return { kind: 'dns.category', severity: 'high', at: '2026-12-07T08:30:00.000Z', networkId: 'pupil', mac: PUPIL_IPAD, address: '10.20.0.5', subject: 'bet365.com', reason: 'a gambling site was looked up', category: 'gambling', ...fields };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'schoolgate-dash-'));
  const buffer = new EventBuffer(8192);
  log = await QueryLog.open(join(dir, 'logs.db'), { events: buffer, logger: silentLogger(), flushIntervalMs: 60_000, timezone: 'Europe/London' });
  const morning = Date.parse('2026-12-07T08:00:00.000Z');
  for (let i = 0; i < 30; i++) buffer.push(event(morning + i * 60_000, { verdict: 'blocked', category: 'gambling' }));
  for (let i = 0; i < 50; i++) buffer.push(event(morning - 2 * HOUR + i * 60_000, { device: '02:00:00:00:00:02', client: '10.20.0.6' }));
  for (let i = 0; i < 4; i++) buffer.push(event(morning + i * 60_000, { network: 'staff', device: '02:00:00:00:00:09', client: '10.10.0.9', verdict: 'blocked', category: 'adult' }));
  // A device DHCP never named: its address stands for it, with no name to look up.
  for (let i = 0; i < 2; i++) buffer.push(event(morning + i * 60_000, { network: 'guest', device: undefined, client: '10.30.0.7', verdict: 'blocked', category: 'adult' }));
  // Yesterday: in the week's span, not today's.
  buffer.push(event(morning - 24 * HOUR, { verdict: 'blocked', category: 'social' }));
  log.flush();
  t = await testAdmin({
    monitorOf: (state) => {
      const host = new CachedRead(async () => readHostFacts(await systemProbe(), dir, () => new Date()), HOST_FACTS_TTL_MS);
      return {
        queryLog: log,
        alerts: state.alerts,
        deviceName: (mac) => state.devices.get(mac)?.name || null,
        lists: () => listsView({ names: 10, compileMs: 5, loadedAt: '2026-12-07T06:00:00.000Z', fromCache: false, files: [{ id: 'adult-starter', bytes: 100, modifiedAt: '2026-12-01T10:00:00.000Z' }], lists: [
          { id: 'adult-starter', name: 'Adult starter', category: 'adult', format: 'domains', file: 'builtin:adult', restricted: false, enabled: true, entries: 10, badLines: 0, duplicates: 0, skipped: [], firstErrors: [] },
        ] }, { lists: [] }),
        hostFacts: () => host.get(),
      };
    },
  });
  s = await roleSessions(t, ['technician', 'online-safety-lead', 'office', 'governor']);
  call = caller(t);
  t.state.devices.upsertSeen(PUPIL_IPAD, 'pupil', new Date('2026-12-07T07:00:00.000Z'));
  t.state.devices.update(PUPIL_IPAD, { name: 'Year 3 iPad 12' });
  const throttle = new Date('2026-12-07T00:00:00.000Z');
  t.state.alerts.record(candidate({}), throttle);
  t.state.alerts.record(candidate({ kind: 'dns.restricted', severity: 'critical', subject: 'list iwf', reason: 'a restricted list matched' }), throttle);
  t.state.alerts.record(candidate({ kind: 'net.p2p', severity: 'medium', networkId: 'staff', mac: '02:00:00:00:00:09', address: '10.10.0.9', subject: 'BitTorrent', reason: 'peer-to-peer refused' }), throttle);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await log?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('dashboard', () => {
  it("answers today's hours, the top categories and devices from the rollups, open alerts by severity and the lists", async () => {
    const r = await call({ url: '/api/dashboard', cookie: s.headteacher!.cookie });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const d = r.json;
    expect(d.span).toBe('today');
    expect(d.from).toBe('2026-12-07T00:00:00.000Z');
    expect(d.hours.map((h: { hour: string }) => h.hour).at(-1)).toBe('2026-12-07T09:00:00.000Z');
    expect(d.totals).toEqual({ questions: 86, blocked: 36 });
    expect(d.hours.find((h: { hour: string }) => h.hour === '2026-12-07T08:00:00.000Z')).toEqual({ hour: '2026-12-07T08:00:00.000Z', questions: 36, blocked: 36 });
    expect(d.topCategories).toEqual([{ category: 'gambling', count: 30 }, { category: 'adult', count: 6 }]);
    expect(d.topDevices).toEqual([
      { network: 'guest', device: '10.30.0.7', name: null, count: 2 },
      { network: 'pupil', device: PUPIL_IPAD, name: 'Year 3 iPad 12', count: 30 },
      { network: 'staff', device: '02:00:00:00:00:09', name: null, count: 4 },
    ]);
    expect(d.alerts.open).toEqual({ critical: 1, high: 1, medium: 1, low: 0 });
    expect(d.lists).toEqual([{ id: 'adult-starter', name: 'Adult starter', category: 'adult', source: 'builtin', entries: 10, updatedAt: '2026-12-01T10:00:00.000Z', failed: false, problem: null }]);
    expect(d.health.problems).toEqual(expect.any(Array));
  });

  it('counts the last seven days for the week span', async () => {
    const r = await call({ url: '/api/dashboard?span=week', cookie: s.technician!.cookie });
    expect(r.status).toBe(200);
    expect(r.json.hours).toHaveLength(168);
    expect(r.json.totals).toEqual({ questions: 87, blocked: 37 });
    expect(r.json.topCategories.map((c: { category: string }) => c.category)).toContain('social');
    expect((await call({ url: '/api/dashboard?span=month', cookie: s.technician!.cookie })).status).toBe(400);
  });

  it('is refused to the office, governors and the signed-out', async () => {
    expect((await call({ url: '/api/dashboard', cookie: s.office!.cookie })).status).toBe(403);
    expect((await call({ url: '/api/dashboard', cookie: s.governor!.cookie })).status).toBe(403);
    expect((await call({ url: '/api/dashboard' })).status).toBe(401);
  });
});

describe('alerts', () => {
  it('lists open alerts to the DSL and online-safety lead, filtered by severity, kind and network, never to the technician or office', async () => {
    const all = await call({ url: '/api/alerts', cookie: s.dsl!.cookie });
    expect(all.status).toBe(200);
    expect(all.json.alerts).toHaveLength(3);
    const named = all.json.alerts.find((a: { kind: string }) => a.kind === 'dns.category');
    expect(named).toMatchObject({ deviceName: 'Year 3 iPad 12', subject: 'bet365.com', networkId: 'pupil', count: 1 });
    expect((await call({ url: '/api/alerts?severity=critical', cookie: s['online-safety-lead']!.cookie })).json.alerts.map((a: { kind: string }) => a.kind)).toEqual(['dns.restricted']);
    expect((await call({ url: '/api/alerts?kind=net.p2p', cookie: s.dsl!.cookie })).json.alerts.map((a: { subject: string }) => a.subject)).toEqual(['BitTorrent']);
    expect((await call({ url: '/api/alerts?network=staff', cookie: s.dsl!.cookie })).json.alerts).toHaveLength(1);
    expect((await call({ url: '/api/alerts?kind=nonsense', cookie: s.dsl!.cookie })).status).toBe(400);
    expect((await call({ url: '/api/alerts', cookie: s.technician!.cookie })).status).toBe(403);
    expect((await call({ url: '/api/alerts', cookie: s.office!.cookie })).status).toBe(403);
    expect((await call({ url: '/api/alerts', cookie: s.governor!.cookie })).status).toBe(403);
  });

  it('acknowledges with a note, audited as the account; refuses without CSRF, an empty note, twice, and to the technician', async () => {
    const target = t.state.alerts.list({ kind: 'dns.category' })[0]!;
    const url = `/api/alerts/${target.id}/ack`;
    const dsl = s.dsl!;
    expect((await call({ method: 'POST', url, cookie: dsl.cookie, body: { note: 'spoke to the class teacher' } })).status).toBe(403);
    expect((await call({ method: 'POST', url, cookie: dsl.cookie, csrf: dsl.csrf, origin: 'http://evil.example', body: { note: 'x' } })).status).toBe(403);
    expect((await call({ method: 'POST', url, cookie: s.technician!.cookie, csrf: s.technician!.csrf, body: { note: 'x' } })).status).toBe(403);
    const blank = await call({ method: 'POST', url, cookie: dsl.cookie, csrf: dsl.csrf, body: { note: '   ' } });
    expect(blank.status).toBe(400);
    expect(blank.json.fields.note).toMatch(/what was done/);
    expect(t.state.alerts.get(target.id).status).toBe('open');

    const done = await call({ method: 'POST', url, cookie: dsl.cookie, csrf: dsl.csrf, body: { note: ' spoke to the class teacher ' } });
    expect(done.status, JSON.stringify(done.json)).toBe(200);
    expect(done.json).toMatchObject({ id: target.id, status: 'acknowledged', acknowledgedBy: 'account:sam.dsl', note: 'spoke to the class teacher' });
    const entry = t.state.audit.list({ action: 'alert.acknowledge' }).at(-1);
    expect(entry).toMatchObject({ actor: 'account:sam.dsl', subject: `alert ${target.id}`, details: { kind: 'dns.category', note: 'spoke to the class teacher' } });

    const again = await call({ method: 'POST', url, cookie: dsl.cookie, csrf: dsl.csrf, body: { note: 'again' } });
    expect(again.status).toBe(409);
    expect((await call({ method: 'POST', url: '/api/alerts/9999/ack', cookie: dsl.cookie, csrf: dsl.csrf, body: { note: 'x' } })).status).toBe(404);
    expect((await call({ url: '/api/alerts', cookie: dsl.cookie })).json.alerts).toHaveLength(2);
    expect((await call({ url: '/api/alerts?status=all', cookie: dsl.cookie })).json.alerts).toHaveLength(3);
  });
});

describe('health', () => {
  it("shows the technician and headteacher the host's facts and the daemon's state, and refuses the DSL and office", async () => {
    const r = await call({ url: '/api/health', cookie: s.technician!.cookie });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const h = r.json;
    expect(h.host.memory.totalBytes).toBeGreaterThan(0);
    expect(h.host.cpu.cores).toBeGreaterThan(0);
    expect(h.host.disk.path).toBe(dir);
    expect(h.host.interfaces.some((i: { name: string; up: boolean }) => i.name === 'lo' && i.up)).toBe(true);
    expect(h.daemon.queryLog).toBeDefined();
    expect(h.lists).toHaveLength(1);
    // Cached: a second request within the TTL gets the same reading.
    const again = await call({ url: '/api/health', cookie: s.headteacher!.cookie });
    expect(again.status).toBe(200);
    expect(again.json.host.readAt).toBe(h.host.readAt);
    expect((await call({ url: '/api/health', cookie: s.dsl!.cookie })).status).toBe(403);
    expect((await call({ url: '/api/health', cookie: s.office!.cookie })).status).toBe(403);
  });
});
