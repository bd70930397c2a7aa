// The alert service on a real state.db (in memory) and a clock the test moves: de-duplication and
// throttling, acknowledged alerts never reopened, delivery of new critical alerts and their
// escalation contact by contact, the other sources (network events, feeds, a crash restart),
// acknowledgement through the control method, and retention.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alerts } from '../../../../firmware/config/alerts-schema.ts';
import { ControlFailure } from '../../../../firmware/control/server.ts';
import { silentLogger } from '../../../../firmware/log.ts';
import { registerAlertMethods, type AlertAckParams, type AlertListParams, type AlertListView } from '../../../../firmware/monitor/alerts/alert-methods.ts';
import type { Alert, AlertCandidate, AlertDelivery, DeliveryOutcome, DeliveryReason } from '../../../../firmware/monitor/alerts/alert-schema.ts';
import { AlertService } from '../../../../firmware/monitor/alerts/alert-service.ts';
import { crashRestartCandidate, feedFailedCandidate, networkEventCandidate } from '../../../../firmware/monitor/alerts/alert-sources.ts';
import { markRunning, markStopped, RUNNING_MARKER } from '../../../../firmware/monitor/crash-marker.ts';
import { escalationsDue } from '../../../../firmware/monitor/alerts/escalation.ts';
import { StateDatabase } from '../../../../firmware/state/database.ts';

const MAC = '3c:22:fb:01:a2:9e';
const MINUTE = 60_000;
const START = Date.UTC(2026, 11, 7, 9, 0);

/** A recording AlertDelivery: our own interface, as the e-mail and webhook sender implements it. */
class RecordingDelivery implements AlertDelivery {
  readonly sent: Array<{ id: number; to: string[]; why: DeliveryReason; level: number }> = [];
  fail = false;
  async deliver(alert: Alert, recipients: readonly { name: string }[], why: DeliveryReason): Promise<DeliveryOutcome[]> {
    this.sent.push({ id: alert.id, to: recipients.map((r) => r.name), why, level: alert.escalationLevel });
    return [{ channel: 'webhook', to: 'hooks.example', ok: !this.fail, ...(this.fail ? { error: 'refused' } : {}) }];
  }
}

const contacts: Alerts['contacts'] = [
  { name: 'Dee Ess-Ell', role: 'dsl', email: 'dsl@school.example' },
  { name: 'Dep Uty', role: 'deputy-dsl', email: 'deputy@school.example' },
  { name: 'Head Teacher', role: 'headteacher', email: 'head@school.example' },
];

// A channel configured, as on a school's box that sends alerts: without one nothing is sent.
const channels: Pick<Alerts, 'email' | 'webhook'> = { webhook: { url: 'https://hooks.example/schoolgate', secretFile: 'webhook.key' } };

function setup(config: Alerts | undefined = { contacts, escalateAfterMinutes: 30, throttleMinutes: 15, ...channels }, withDelivery = true) {
  let now = START;
  const state = StateDatabase.open(':memory:', { now: () => new Date(now) });
  const delivery = new RecordingDelivery();
  const service = new AlertService({
    alerts: state.alerts, delivery: withDelivery ? delivery : null, config: () => config, now: () => new Date(now), logger: silentLogger(),
    transaction: (fn) => state.transaction(fn),
  });
  return {
    state, delivery, service,
    advance: (minutes: number) => { now += minutes * MINUTE; },
    at: () => new Date(now).toISOString(),
  };
}

function candidate(over: Partial<AlertCandidate> = {}): AlertCandidate {
  return {
    kind: 'dns.keyword', severity: 'high', at: new Date(START).toISOString(), networkId: 'pupil', mac: MAC, address: '10.20.0.5',
    subject: 'atomwaffen.example', reason: 'a keyword', ...over,
  };
}

describe('storing', () => {
  it('makes a burst of one kind from one device one alert with a count, within the throttle of its last one', () => {
    const { state, service } = setup();
    const first = service.raise(candidate());
    expect(first.created).toBe(true);
    for (const minutes of [5, 19, 33]) {
      const again = service.raise(candidate({ at: new Date(START + minutes * MINUTE).toISOString(), subject: `n${minutes}.example` }));
      expect(again).toMatchObject({ created: false, alert: { id: first.alert.id } });
    }
    const [alert] = state.alerts.list();
    expect(alert).toMatchObject({ count: 4, firstAt: new Date(START).toISOString(), lastAt: new Date(START + 33 * MINUTE).toISOString(), subject: 'atomwaffen.example' });
    expect(alert!.details.subjects).toEqual(['atomwaffen.example', 'n5.example', 'n19.example', 'n33.example']);
    // A candidate standing for several occurrences (merged by its source) adds them all.
    service.raise(candidate({ at: new Date(START + 34 * MINUTE).toISOString(), count: 10 }));
    expect(state.alerts.get(first.alert.id).count).toBe(14);
    // 16 minutes after the last one: a new alert.
    expect(service.raise(candidate({ at: new Date(START + 50 * MINUTE).toISOString() })).created).toBe(true);
    expect(state.alerts.list().map((a) => a.count)).toEqual([1, 14]);
  });

  it('keeps kinds, devices and severities apart; an address stands for a device DHCP has not named', () => {
    const { state, service } = setup();
    service.raise(candidate());
    service.raise(candidate({ kind: 'dns.category' }));
    service.raise(candidate({ mac: '3c:22:fb:01:a2:9f' }));
    service.raise(candidate({ severity: 'critical' }));
    service.raise(candidate({ mac: null, address: '10.20.0.6' }));
    service.raise(candidate({ mac: null, address: '10.20.0.6' }));
    expect(state.alerts.list().map((a) => [a.kind, a.severity, a.mac ?? a.address, a.count]).sort()).toEqual([
      ['dns.category', 'high', MAC, 1],
      ['dns.keyword', 'critical', MAC, 1],
      ['dns.keyword', 'high', '10.20.0.6', 2],
      ['dns.keyword', 'high', MAC, 1],
      ['dns.keyword', 'high', '3c:22:fb:01:a2:9f', 1],
    ]);
  });

  it('never reopens an acknowledged alert: the next occurrence starts a new one', () => {
    const { state, service } = setup();
    const { alert } = service.raise(candidate());
    state.alerts.acknowledge(alert.id, 'ssh:alice', 'spoke to the class teacher', new Date(START + MINUTE));
    const next = service.raise(candidate({ at: new Date(START + 2 * MINUTE).toISOString() }));
    expect(next.created).toBe(true);
    expect(state.alerts.get(alert.id)).toMatchObject({ status: 'acknowledged', count: 1 });
  });

  it('names the device from the device table when it has a name', () => {
    const { state, service } = setup();
    state.devices.upsertSeen(MAC, 'pupil', new Date(START));
    state.devices.update(MAC, { name: 'Year 3 iPad 12' });
    service.raise(candidate());
    expect(state.alerts.list()[0]!.deviceName).toBe('Year 3 iPad 12');
  });

  it('refuses a candidate that is not an alert, storing nothing', () => {
    const { state, service } = setup();
    expect(() => service.raise(candidate({ reason: '' }))).toThrow(/invalid alert/);
    expect(() => service.raise(candidate({ mac: 'not-a-mac' }))).toThrow(/invalid alert/);
    service.raiseAll([candidate({ reason: '' }), candidate()]);
    expect(state.alerts.count()).toBe(1);
    expect(service.stats()).toMatchObject({ raised: 4, stored: 1, refused: 3 });
  });
});

describe('delivery and escalation', () => {
  it('sends a new critical alert to the first contact at once, non-critical ones to the webhook only, bursts not again', async () => {
    const { delivery, service, state } = setup();
    const { alert } = service.raise(candidate({ severity: 'critical', kind: 'dns.restricted', subject: '(restricted)' }));
    service.raise(candidate({ severity: 'critical', kind: 'dns.restricted', subject: '(restricted)' }));
    service.raise(candidate({ severity: 'medium', kind: 'dns.watch' }));
    await service.settled();
    expect(delivery.sent).toEqual([
      { id: alert.id, to: ['Dee Ess-Ell'], why: 'new', level: 0 },
      { id: alert.id + 1, to: [], why: 'new', level: 0 },
    ]);
    expect(state.alerts.get(alert.id)).toMatchObject({ escalationLevel: 0, notifiedAt: new Date(START).toISOString(), count: 2 });
    expect(state.alerts.get(alert.id + 1).notifiedAt).toBeNull();
  });

  it('escalates an unacknowledged critical alert to each next contact after the wait, until the list ends', async () => {
    const { delivery, service, state, advance } = setup();
    const { alert } = service.raise(candidate({ severity: 'critical', kind: 'dns.keyword', subject: 'suicide.example' }));
    service.raise(candidate({ severity: 'high' }));
    await service.settled();
    advance(29);
    expect(await service.escalate()).toBe(0);
    advance(1);
    expect(await service.escalate()).toBe(1);
    expect(state.alerts.get(alert.id)).toMatchObject({ escalationLevel: 1, notifiedAt: new Date(START + 30 * MINUTE).toISOString() });
    // The wait starts again from the last sending.
    advance(29);
    expect(await service.escalate()).toBe(0);
    advance(1);
    expect(await service.escalate()).toBe(1);
    advance(120);
    expect(await service.escalate()).toBe(0);
    expect(delivery.sent.map((s) => [s.id, s.to, s.why, s.level])).toEqual([
      [alert.id, ['Dee Ess-Ell'], 'new', 0],
      [alert.id + 1, [], 'new', 0],
      [alert.id, ['Dep Uty'], 'escalation', 1],
      [alert.id, ['Head Teacher'], 'escalation', 2],
    ]);
  });

  it('stops escalating once acknowledged, and escalates even when a sending failed', async () => {
    const { delivery, service, state, advance } = setup();
    delivery.fail = true;
    const a = service.raise(candidate({ severity: 'critical' })).alert;
    const b = service.raise(candidate({ severity: 'critical', mac: '3c:22:fb:01:a2:9f' })).alert;
    await service.settled();
    expect(service.stats()).toMatchObject({ deliveries: 2, deliveryFailures: 2 });
    state.alerts.acknowledge(a.id, 'ssh:alice', 'seen', new Date(START + MINUTE));
    advance(30);
    expect(await service.escalate()).toBe(1);
    expect(delivery.sent.at(-1)).toEqual({ id: b.id, to: ['Dep Uty'], why: 'escalation', level: 1 });
  });

  it('stores and lists alerts without a delivery, sending and escalating nothing', async () => {
    const { service, state, advance } = setup(undefined, false);
    const { alert } = service.raise(candidate({ severity: 'critical' }));
    advance(60);
    expect(await service.escalate()).toBe(0);
    expect(state.alerts.get(alert.id)).toMatchObject({ escalationLevel: 0, notifiedAt: null });
  });

  it('with a sender but no e-mail or webhook configured, sends nothing and marks nothing notified', async () => {
    const { service, state, delivery, advance } = setup({ contacts, escalateAfterMinutes: 30 });
    expect(service.delivering).toBe(false);
    const { alert } = service.raise(candidate({ severity: 'critical' }));
    await service.settled();
    advance(60);
    expect(await service.escalate()).toBe(0);
    expect(delivery.sent).toEqual([]);
    expect(state.alerts.get(alert.id)).toMatchObject({ escalationLevel: 0, notifiedAt: null });
  });

  it('decides escalations from the stored alerts and the time alone', () => {
    const base = { status: 'open', severity: 'critical', escalationLevel: 0, notifiedAt: null, firstAt: new Date(START).toISOString() } as unknown as Alert;
    const now = new Date(START + 30 * MINUTE);
    expect(escalationsDue([base], 3, 30, now).map((e) => e.level)).toEqual([1]);
    expect(escalationsDue([base], 1, 30, now)).toEqual([]);
    expect(escalationsDue([{ ...base, severity: 'high' }], 3, 30, now)).toEqual([]);
    expect(escalationsDue([{ ...base, status: 'acknowledged' }], 3, 30, now)).toEqual([]);
    expect(escalationsDue([{ ...base, escalationLevel: 2 }], 3, 30, now)).toEqual([]);
    expect(escalationsDue([{ ...base, notifiedAt: new Date(START + MINUTE).toISOString() }], 3, 30, now)).toEqual([]);
  });
});

describe('other sources', () => {
  it('turns network events into alerts by the severity table, as any service appends them', () => {
    const { state, service } = setup();
    state.networkEvents.onAppend((event) => {
      const c = networkEventCandidate(event);
      if (c) service.raiseAll([c]);
    });
    state.networkEvents.append({ at: new Date(START), kind: 'dhcp.rogue-server', networkId: 'pupil', interface: 'eth0.20', mac: 'aa:bb:cc:00:00:01', details: { server: '10.20.0.250' } });
    state.networkEvents.append({ at: new Date(START), kind: 'net.tethering', networkId: 'pupil', mac: MAC, details: { mode: 'block' } });
    state.networkEvents.append({ at: new Date(START), kind: 'dhcp.declined', networkId: 'pupil', mac: MAC, details: {} });
    state.networkEvents.append({ at: new Date(START), kind: 'dhcp.pool-exhausted', networkId: 'guest', details: { poolSize: 200 } });
    const alerts = state.alerts.list();
    expect(alerts.map((a) => [a.kind, a.severity, a.networkId, a.mac]).sort()).toEqual([
      ['dhcp.pool-exhausted', 'medium', 'guest', null],
      ['dhcp.rogue-server', 'high', 'pupil', 'aa:bb:cc:00:00:01'],
      ['net.tethering', 'high', 'pupil', MAC],
    ]);
    const rogue = alerts.find((a) => a.kind === 'dhcp.rogue-server')!;
    expect(rogue.subject).toBe('server 10.20.0.250');
    expect(rogue.details).toEqual({ server: '10.20.0.250', interface: 'eth0.20' });
  });

  it('raises a failed feed, higher for a restricted list', () => {
    const { state, service } = setup();
    service.raise(feedFailedCandidate({ id: 'provider-iwf', restricted: true }, 'HTTP 503', new Date(START)));
    service.raise(feedFailedCandidate({ id: 'gambling' }, 'timed out', new Date(START)));
    expect(state.alerts.list().map((a) => [a.kind, a.severity, a.subject]).sort()).toEqual([
      ['lists.feed-failed', 'high', 'list provider-iwf'],
      ['lists.feed-failed', 'medium', 'list gambling'],
    ]);
  });

  describe('a restart after a crash', () => {
    let dir: string;
    beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'schoolgate-marker-')); });
    afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

    it('is found by the marker a clean stop removes, even one cut short', async () => {
      expect(await markRunning(dir, new Date(START))).toBeUndefined();
      await markStopped(dir);
      expect(await markRunning(dir, new Date(START))).toBeUndefined();
      // No stop: the next start finds the run before it.
      const previous = await markRunning(dir, new Date(START + MINUTE));
      expect(previous).toEqual({ startedAt: new Date(START).toISOString(), pid: process.pid });
      expect(JSON.parse(await readFile(join(dir, RUNNING_MARKER), 'utf8')).startedAt).toBe(new Date(START + MINUTE).toISOString());
      await writeFile(join(dir, RUNNING_MARKER), '{"startedAt": "20');
      expect(await markRunning(dir, new Date(START))).toEqual({});
      const { state, service } = setup();
      service.raise(crashRestartCandidate(previous!, new Date(START + MINUTE)));
      expect(state.alerts.list()[0]).toMatchObject({ kind: 'system.crash-restart', severity: 'high', subject: `the run started ${new Date(START).toISOString()}` });
    });
  });
});

describe('the control methods', () => {
  it('list open alerts by default, acknowledge one audited under the caller, and refuse a second acknowledgement', async () => {
    const { state, service, advance, at } = setup();
    const methods = new Map<string, { handle: (params: never, caller: never) => unknown }>();
    registerAlertMethods({ register: (name, method) => { methods.set(name, method as never); } }, {
      alerts: state.alerts, audit: state.audit, transaction: (fn) => state.transaction(fn), now: () => new Date(at()),
    });
    const call = <P>(name: string, params: P, user = 'alice') => methods.get(name)!.handle(params as never, { user } as never);
    const critical = service.raise(candidate({ severity: 'critical' })).alert;
    service.raise(candidate({ severity: 'medium', kind: 'dns.watch' }));
    advance(5);
    const acked = call<AlertAckParams>('alerts.ack', { id: critical.id, note: '  spoke to the pupil  ' }) as Alert;
    expect(acked).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'ssh:alice', note: 'spoke to the pupil', acknowledgedAt: new Date(START + 5 * MINUTE).toISOString() });
    expect(state.audit.list({ action: 'alert.*' }).map((e) => [e.actor, e.action, e.subject, e.details])).toEqual([
      ['ssh:alice', 'alert.acknowledge', `alert ${critical.id}`, { kind: 'dns.keyword', severity: 'critical', note: 'spoke to the pupil' }],
    ]);
    expect(() => call<AlertAckParams>('alerts.ack', { id: critical.id, note: 'again' }, 'bob')).toThrow(ControlFailure);
    try {
      call<AlertAckParams>('alerts.ack', { id: critical.id, note: 'again' }, 'bob');
    } catch (error) {
      expect(error).toMatchObject({ code: 'already-acknowledged', message: `alert ${critical.id} was already acknowledged by ssh:alice at ${new Date(START + 5 * MINUTE).toISOString()}` });
    }
    expect(() => call<AlertAckParams>('alerts.ack', { id: 999, note: 'x' })).toThrow('there is no alert 999');
    expect(state.audit.list({ action: 'alert.*' })).toHaveLength(1);
    expect((call<AlertListParams>('alerts', {}) as AlertListView).alerts.map((a) => a.kind)).toEqual(['dns.watch']);
    expect((call<AlertListParams>('alerts', { all: true }) as AlertListView).alerts).toHaveLength(2);
    expect((call<AlertListParams>('alerts', { all: true, severity: 'critical' }) as AlertListView).alerts.map((a) => a.id)).toEqual([critical.id]);
    expect((call<AlertListParams>('alerts', { all: true, since: new Date(START + MINUTE).toISOString() }) as AlertListView).alerts).toEqual([]);
  });
});

describe('retention', () => {
  it('deletes acknowledged alerts past their days and keeps open ones whatever their age', () => {
    const { state, service } = setup();
    const old = service.raise(candidate()).alert;
    const oldOpen = service.raise(candidate({ kind: 'dns.watch' })).alert;
    const recent = service.raise(candidate({ at: new Date(START + 10 * 86_400_000).toISOString(), kind: 'dns.bypass' })).alert;
    for (const a of [old, recent]) state.alerts.acknowledge(a.id, 'ssh:alice', 'done', new Date(START + 11 * 86_400_000));
    expect(state.alerts.purgeAcknowledgedBefore(new Date(START + 5 * 86_400_000))).toBe(1);
    expect(state.alerts.list({ all: true }).map((a) => a.id).sort()).toEqual([oldOpen.id, recent.id].sort());
  });
});
