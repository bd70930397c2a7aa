// Subject access and erasure against real files: a state.db and a logs.db in a temp directory,
// logs.db written and read through the real writer thread.
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { afterEach, expect, it } from 'vitest';
import { EventBuffer, type QueryEvent } from '../../../../firmware/dns/events/event-buffer.ts';
import { silentLogger } from '../../../../firmware/log.ts';
import { QueryLog, SUBJECT_PAGE } from '../../../../firmware/monitor/query-log/query-log.ts';
import { eraseSubject, exportSubject, type SubjectAccessDeps } from '../../../../firmware/monitor/subject/subject-access.ts';
import { EraseResult, SubjectExport } from '../../../../firmware/monitor/subject/subject-schema.ts';
import { queryEventsCsv } from '../../../../firmware/cli/format-data.ts';
import { StateDatabase } from '../../../../firmware/state/database.ts';
import { MacAddressError } from '../../../../firmware/state/mac.ts';
import type { AlertCandidate } from '../../../../firmware/monitor/alerts/alert-schema.ts';
import type { Lease } from '../../../../firmware/state/schemas.ts';
import { InvalidInputError } from '../../../../firmware/state/values.ts';
import { useTempDir } from '../../state/temp-dir.ts';

const tempDir = useTempDir();
const T0 = Date.UTC(2026, 11, 1, 9, 0);
const HOUR = 3_600_000;
const PUPIL = '02:5c:00:20:00:10';
const OTHER = '3c:22:fb:01:a2:9e';
const FIXED = '10.20.0.9';

const open: Array<{ close(): void }> = [];
afterEach(() => { for (const o of open.splice(0).reverse()) o.close(); });

function lease(mac: string, address: string): Lease {
  return {
    networkId: 'pupil', address, clientKey: `mac:${mac}`, mac, clientId: null, hostname: 'ipad-7', vendorClass: 'android-dhcp-14',
    parameters: [1, 3, 6], relayAgent: null, relayInfo: null, state: 'bound', expires: new Date(T0 + HOUR).toISOString(), updated: new Date(T0).toISOString(),
  };
}

function question(at: number, client: string, device: string | undefined, name: string, blocked: boolean): QueryEvent {
  return {
    at, network: 'pupil', client, ...(device ? { device } : {}), transport: 'udp', name, qtype: 1,
    verdict: blocked ? 'blocked' : 'forwarded', rcode: blocked ? 3 : 0, latencyMs: 1, ...(blocked ? { category: 'adult', list: 'test' } : {}),
  };
}

async function world(): Promise<{ deps: SubjectAccessDeps; state: StateDatabase; log: QueryLog; now: { at: number }; events: EventBuffer }> {
  const dir = tempDir();
  const now = { at: T0 + 30 * HOUR };
  const state = StateDatabase.open(join(dir, 'state.db'), { now: () => new Date(now.at) });
  open.push(state);
  const events = new EventBuffer(1000);
  const log = await QueryLog.open(join(dir, 'logs.db'), { events, logger: silentLogger(), flushIntervalMs: 60_000, timezone: 'Europe/London' });
  open.push(log);
  state.leases.bind(lease(PUPIL, '10.20.0.100'), { name: 'Year 3 iPad 12' });
  state.leases.bind(lease(OTHER, '10.20.0.101'));
  state.networkEvents.append({ at: new Date(T0), kind: 'net.tethering', networkId: 'pupil', mac: PUPIL, details: { ttl: 63 } });
  state.networkEvents.append({ at: new Date(T0 + HOUR), kind: 'net.bypass', networkId: 'pupil', mac: PUPIL, details: {} });
  state.networkEvents.append({ at: new Date(T0), kind: 'net.tethering', networkId: 'pupil', mac: OTHER, details: { ttl: 127 } });
  state.networkEvents.append({ at: new Date(T0), kind: 'dhcp.address-in-use', networkId: 'pupil', details: { address: FIXED } });
  // Alerts: two of the pupil's (one acknowledged, one open), the other device's, and the fixed
  // address's. Acknowledged with an actor never in the audit log: the tests count its entries.
  const alert = (at: number, mac: string | null, address: string, subject: string, kind: AlertCandidate['kind'] = 'dns.category') =>
    state.alerts.record({ kind, severity: 'high', at: new Date(at).toISOString(), networkId: 'pupil', mac, address, subject, reason: 'blocked: the adult category (high)', category: 'adult' }, new Date(at)).alert.id;
  state.alerts.acknowledge(alert(T0, PUPIL, '10.20.0.100', 'site0.example'), 'ssh:dsl', 'spoke to the class teacher', new Date(T0 + HOUR));
  alert(T0 + 26 * HOUR, PUPIL, '10.20.0.100', 'use-application-dns.net', 'dns.bypass');
  alert(T0, OTHER, '10.20.0.101', 'other0.example');
  state.alerts.acknowledge(alert(T0 + 2 * HOUR, null, FIXED, 'fixed2.example'), 'ssh:dsl', 'a visitor laptop', new Date(T0 + 3 * HOUR));
  state.audit.append({ actor: 'ssh:tech', action: 'device.name', subject: PUPIL, details: { from: '', to: 'Year 3 iPad 12' } });
  state.audit.append({ actor: 'ssh:tech', action: 'device.name', subject: OTHER, details: { from: '', to: 'Staff laptop' } });
  // The pupil's device over two days, the other device, a fixed address DHCP never named, and a
  // question the fixed address asked while a lease named it (which belongs to that device).
  for (let i = 0; i < 40; i++) events.push(question(T0 + (i % 30) * HOUR, '10.20.0.100', PUPIL, `site${i}.example`, i % 4 === 0));
  for (let i = 0; i < 25; i++) events.push(question(T0 + i * HOUR, '10.20.0.101', OTHER, `other${i}.example`, i % 5 === 0));
  for (let i = 0; i < 7; i++) events.push(question(T0 + i * HOUR, FIXED, undefined, `fixed${i}.example`, false));
  events.push(question(T0, FIXED, PUPIL, 'named.example', false));
  log.flush();
  return { deps: { state, queryLog: log, now: () => new Date(now.at) }, state, log, now, events };
}

const sum = (rows: { count: number }[]): number => rows.reduce((n, r) => n + r.count, 0);

it('exports everything kept about a device, as one document of the published shape, and audits who exported it', async () => {
  const { deps, state } = await world();
  const doc = await exportSubject(deps, { subject: { kind: 'device', value: '02-5C-00-20-00-10' } }, 'ssh:dsl');
  expect(Value.Check(SubjectExport, doc), JSON.stringify([...Value.Errors(SubjectExport, doc)].slice(0, 2))).toBe(true);
  expect(doc.subject).toEqual({ kind: 'device', value: PUPIL });
  expect(doc.device).toMatchObject({ mac: PUPIL, name: 'Year 3 iPad 12' });
  expect(doc.leases.map((l) => l.address)).toEqual(['10.20.0.100']);
  expect(doc.networkEvents.map((e) => e.kind)).toEqual(['net.tethering', 'net.bypass']);
  expect(doc.queryEvents).toHaveLength(41);
  expect(doc.queryEvents.every((e) => e.device === PUPIL)).toBe(true);
  expect(doc.queryEvents.map((e) => e.name)).toContain('named.example');
  expect(sum(doc.hourlyRollups)).toBe(41);
  expect(sum(doc.dailyRollups)).toBe(41);
  expect(sum(doc.hourlyRollups.filter((r) => r.verdict === 'blocked'))).toBe(10);
  expect(doc.alerts.map((a) => [a.kind, a.subject, a.status, a.deviceName])).toEqual([
    ['dns.category', 'site0.example', 'acknowledged', 'Year 3 iPad 12'], ['dns.bypass', 'use-application-dns.net', 'open', 'Year 3 iPad 12'],
  ]);
  expect(doc.auditEntries.map((e) => [e.action, e.subject])).toEqual([['device.name', PUPIL]]);
  const [entry] = state.audit.list({ action: 'data.export' });
  expect(entry).toMatchObject({ actor: 'ssh:dsl', subject: PUPIL, details: { kind: 'device', queryEvents: 41, leases: 1, networkEvents: 2, alerts: 2, auditEntries: 1 } });
  // Who exported what, never the content.
  expect(JSON.stringify(entry!.details)).not.toMatch(/example|iPad/);
});

it('exports from --since on, and an unnamed address has only the records kept under it', async () => {
  const { deps } = await world();
  const since = new Date(T0 + 24 * HOUR).toISOString();
  const recent = await exportSubject(deps, { subject: { kind: 'device', value: PUPIL }, since }, 'ssh:dsl');
  // Questions 24..29 are at hours 24..29; 30..39 went back to hours 0..9.
  expect(recent.queryEvents.map((e) => e.name)).toEqual(['site24.example', 'site25.example', 'site26.example', 'site27.example', 'site28.example', 'site29.example']);
  expect(recent.queryEvents.every((e) => e.at >= T0 + 24 * HOUR)).toBe(true);
  expect(sum(recent.hourlyRollups)).toBe(recent.queryEvents.length);
  expect(recent.networkEvents).toEqual([]);
  expect(recent.alerts.map((a) => a.subject)).toEqual(['use-application-dns.net']);
  const fixed = await exportSubject(deps, { subject: { kind: 'address', value: FIXED } }, 'ssh:dsl');
  expect(fixed.device).toBeNull();
  expect(fixed.leases).toEqual([]);
  expect(fixed.queryEvents.map((e) => e.name)).toEqual(Array.from({ length: 7 }, (_, i) => `fixed${i}.example`));
  expect(sum(fixed.dailyRollups)).toBe(7);
  expect(fixed.networkEvents.map((e) => e.kind)).toEqual(['dhcp.address-in-use']);
  expect(fixed.alerts.map((a) => [a.address, a.mac, a.subject])).toEqual([[FIXED, null, 'fixed2.example']]);
});

it('a guest device\'s questions name the visitor and sponsor of the voucher it was signed in with then, and the export lists those visits', async () => {
  const { deps, state, log, events } = await world();
  const GUEST = '02:aa:00:00:00:07';
  const visitor = state.vouchers.createVisitor({ name: 'Ada Supply', organisation: 'County Supply Ltd', sponsorAccount: 'amy', sponsorName: 'Amy Teacher', termsVersion: 'v1', created: new Date(T0) });
  const voucher = state.vouchers.insert({
    codeHash: 'a'.repeat(64), kind: 'single', label: 'Ada Supply', visitorId: visitor.id, validFrom: new Date(T0), validUntil: new Date(T0 + 8 * HOUR),
    maxDevices: 1, downKbit: null, upKbit: null, policyId: null, issuedBy: 'account:amy', issuedAt: new Date(T0),
  });
  state.vouchers.authorise({ voucherId: voucher.id, mac: GUEST, address: '10.30.0.100', networkId: 'guest', until: new Date(T0 + 8 * HOUR), termsVersion: 'v1', at: new Date(T0 + HOUR) });
  state.vouchers.end(voucher.id, new Date(T0 + 3 * HOUR), 'signed-out', GUEST);
  const ask = (at: number, name: string): QueryEvent => ({ ...question(at, '10.30.0.100', GUEST, name, false), network: 'guest' });
  events.push(ask(T0 + HOUR / 2, 'before.example'));
  events.push(ask(T0 + 2 * HOUR, 'during.example'));
  events.push(ask(T0 + 4 * HOUR, 'after.example'));
  log.flush();
  const doc = await exportSubject(deps, { subject: { kind: 'device', value: GUEST } }, 'ssh:dsl');
  expect(Value.Check(SubjectExport, doc), JSON.stringify([...Value.Errors(SubjectExport, doc)].slice(0, 2))).toBe(true);
  const ada = 'visitor Ada Supply (County Supply Ltd), sponsored by Amy Teacher';
  expect(doc.queryEvents.map((e) => [e.name, e.visitor])).toEqual([['before.example', undefined], ['during.example', ada], ['after.example', undefined]]);
  expect(doc.guestVisits).toEqual([{ networkId: 'guest', from: new Date(T0 + HOUR).toISOString(), until: new Date(T0 + 3 * HOUR).toISOString(), visitor: ada }]);
  expect(queryEventsCsv(doc.queryEvents).split('\r\n')[2]).toContain(',"visitor Ada Supply (County Supply Ltd), sponsored by Amy Teacher"');
  // A device never on guest has no visits, and its questions name no one.
  const pupil = await exportSubject(deps, { subject: { kind: 'device', value: PUPIL } }, 'ssh:dsl');
  expect(pupil.guestVisits).toEqual([]);
  expect(pupil.queryEvents.some((e) => 'visitor' in e)).toBe(false);
});

it('erases a device from both databases, records counts and kinds only, and the audit chain stays valid', async () => {
  const { deps, state, log } = await world();
  const before = await log.count();
  const alertsBefore = state.alerts.count();
  state.alerts.acknowledge(state.alerts.about(PUPIL).find((a) => a.status === 'open')!.id, 'ssh:dsl', 'talked it through', new Date(T0 + 27 * HOUR));
  const result = await eraseSubject(deps, { kind: 'device', value: PUPIL }, 'Subject access request 2026-14 (parent)', 'ssh:dsl');
  expect(Value.Check(EraseResult, result)).toBe(true);
  expect(result.erased).toEqual({
    device: true, leases: 1, networkEvents: { 'net.tethering': 1, 'net.bypass': 1 }, queryEvents: 41,
    hourlyRollups: result.erased.hourlyRollups, dailyRollups: 4, alerts: 2, reason: 'Subject access request 2026-14 (parent)',
  });
  expect(state.alerts.count()).toBe(alertsBefore - 2);
  expect(result.erased.hourlyRollups).toBeGreaterThan(0);
  expect(await log.count()).toBe(before - 41);
  const after = await exportSubject(deps, { subject: { kind: 'device', value: PUPIL } }, 'ssh:dsl');
  expect(after).toMatchObject({ device: null, leases: [], networkEvents: [], queryEvents: [], hourlyRollups: [], dailyRollups: [], alerts: [] });
  // The log keeps who erased what and why: the erasure is part of what the subject can be shown.
  expect(after.auditEntries.map((e) => e.action)).toEqual(['device.name', 'data.erase']);
  const [erase] = state.audit.list({ action: 'data.erase' });
  expect(erase).toMatchObject({ seq: result.auditSeq, actor: 'ssh:dsl', subject: PUPIL });
  expect(JSON.stringify(erase!.details)).not.toMatch(/example|iPad|ipad-7|10\.20|dns\.|adult/);
  expect(state.audit.verify()).toMatchObject({ ok: true });
  // The other device and the unnamed address are untouched.
  const other = await exportSubject(deps, { subject: { kind: 'device', value: OTHER } }, 'ssh:dsl');
  expect(other.device).not.toBeNull();
  expect(other.queryEvents).toHaveLength(25);
  expect(sum(other.hourlyRollups)).toBe(25);
  expect(other.networkEvents).toHaveLength(1);
  expect(other.alerts).toHaveLength(1);
  expect((await exportSubject(deps, { subject: { kind: 'address', value: FIXED } }, 'ssh:dsl')).queryEvents).toHaveLength(7);
  expect(state.audit.verify()).toMatchObject({ ok: true });
});

it('erases an unnamed address\'s questions and counts, not those a lease had named', async () => {
  const { deps, log } = await world();
  const result = await eraseSubject(deps, { kind: 'address', value: FIXED }, 'request by a visitor', 'ssh:dsl');
  expect(result.erased).toMatchObject({ device: false, leases: 0, networkEvents: {}, queryEvents: 7, dailyRollups: 1, alerts: 1 });
  expect(deps.state.alerts.about(FIXED)).toEqual([]);
  expect(deps.state.alerts.about(PUPIL)).toHaveLength(2);
  expect((await log.recent({ client: FIXED, limit: 100 })).map((e) => e.name)).toEqual(['named.example']);
});

it('refuses bad input and a suspended device before anything is deleted', async () => {
  const { deps, state, log } = await world();
  const count = await log.count();
  const audited = state.audit.count();
  await expect(eraseSubject(deps, { kind: 'device', value: 'not-a-mac' }, 'a reason', 'ssh:dsl')).rejects.toThrow(MacAddressError);
  await expect(eraseSubject(deps, { kind: 'address', value: '10.20.0' }, 'a reason', 'ssh:dsl')).rejects.toThrow(InvalidInputError);
  await expect(eraseSubject(deps, { kind: 'device', value: PUPIL }, '  ', 'ssh:dsl')).rejects.toThrow(/needs a reason/);
  state.devices.suspend(PUPIL, new Date(T0 + 40 * HOUR), 'misuse');
  await expect(eraseSubject(deps, { kind: 'device', value: PUPIL }, 'a reason', 'ssh:dsl')).rejects.toThrow(/is suspended until .*resume it/);
  const kept: SubjectAccessDeps = { ...deps, keptBecause: (mac) => (mac === OTHER ? 'incident 7 is open' : undefined) };
  await expect(eraseSubject(kept, { kind: 'device', value: OTHER }, 'a reason', 'ssh:dsl')).rejects.toThrow(/must be kept: incident 7 is open/);
  // An open alert is a concern nobody has looked at yet: it stops the erasure, naming it.
  const [open] = state.alerts.about(OTHER);
  await expect(eraseSubject(deps, { kind: 'device', value: OTHER }, 'a reason', 'ssh:dsl')).rejects.toThrow(`${OTHER} has an open alert (#${open!.id}) nobody has acknowledged`);
  expect(await log.count()).toBe(count);
  expect(state.audit.count()).toBe(audited);
  expect(state.devices.get(OTHER)).toBeDefined();
  expect(state.alerts.about(OTHER)).toHaveLength(1);
});

it('reads a busy device\'s events page by page (the writer\'s heap is small), in order, each once', async () => {
  const dir = tempDir();
  const events = new EventBuffer(65536);
  const log = await QueryLog.open(join(dir, 'logs.db'), { events, logger: silentLogger(), flushIntervalMs: 60_000, maxBatch: 65536, maxInFlight: 65536 });
  open.push(log);
  const mine = 2 * SUBJECT_PAGE + 5;
  for (let i = 0; i < mine; i++) {
    events.push(question(T0 + i, '10.20.0.100', PUPIL, `n${i}.example`, false));
    if (i % 3 === 0) events.push(question(T0 + i, '10.20.0.101', OTHER, 'other.example', false));
  }
  log.flush();
  const found = await log.subject(PUPIL);
  expect(found.events.length).toBe(mine);
  expect(found.events.every((e, i) => e.name === `n${i}.example`)).toBe(true);
  expect(sum(found.days)).toBe(mine);
});
