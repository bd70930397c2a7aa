// A guest device's records name the visitor and the sponsor: the voucher-device records of the real
// registration flow (register on the portal, a sponsor approves) over a real state.db, read by the
// alert service when a guest device raises an alert. Before sign-in, after sign-out and on another
// network, the same MAC names no visitor.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../firmware/log.ts';
import type { AlertCandidate } from '../../../firmware/monitor/alerts/alert-schema.ts';
import { AlertService } from '../../../firmware/monitor/alerts/alert-service.ts';
import { RegistrationService } from '../../../firmware/portal/registration/service.ts';
import { adminMonitorSources } from '../../../firmware/admin/admin-monitor.ts';
import { guestAt, guestLabel, guestNamerFor, latestGuest, sessionAt, withGuest, type GuestSession } from '../../../firmware/portal/vouchers/guest-identity.ts';
import { VoucherService, type GuestDevice } from '../../../firmware/portal/vouchers/service.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';

const KEY = Buffer.alloc(32, 9);
const T0 = Date.UTC(2026, 11, 7, 9, 0);
const MINUTE = 60_000;
const VISITOR = '10.30.0.100';
const MAC = '02:00:00:00:00:01';
const NETWORKS = [{ id: 'guest', kind: 'guest' }, { id: 'staff', kind: 'staff' }];
const ADA = 'visitor Ada Supply (County Supply Ltd), sponsored by Amy Teacher';

async function approvedVisitor() {
  const clock = { now: T0 };
  const now = () => new Date(clock.now);
  const state = StateDatabase.open(':memory:', { now });
  const devices = new Map<string, GuestDevice>([[VISITOR, { mac: MAC, networkId: 'guest' }]]);
  const vouchers = new VoucherService({
    store: state.vouchers, transaction: (fn) => state.transaction(fn), key: KEY, deviceAt: (a) => devices.get(a),
    change: async () => true, events: state.networkEvents, now,
  });
  const registration = new RegistrationService({
    requests: state.visitorRequests, vouchers: state.vouchers, service: vouchers, accounts: state.accounts, audit: state.audit,
    transaction: (fn) => state.transaction(fn), key: KEY, deviceAt: (a) => devices.get(a), now, timezone: () => 'Europe/London',
  });
  const amy = state.accounts.insert({ username: 'amy', displayName: 'Amy Teacher', email: null, passwordHash: 'x', mustChangePassword: false, breakGlass: false, roles: ['staff'], createdAt: now().toISOString() });
  const registered = registration.register(VISITOR, { name: 'Ada Supply', organisation: 'County Supply Ltd', purpose: 'Supply teaching', sponsorId: amy.id, email: null, phone: null, termsVersion: 'builtin-1' });
  if (registered.outcome !== 'pending') throw new Error(registered.outcome);
  clock.now += 5 * MINUTE;
  const approved = await registration.approve(amy, registered.request.id, { validity: { hours: 2 }, maxDevices: 1 });
  expect(approved.signedIn.outcome).toBe('signed-in');
  const alerts = new AlertService({
    alerts: state.alerts, delivery: null, config: () => undefined, now, logger: silentLogger(),
    guestOf: guestNamerFor(state.vouchers, () => NETWORKS),
  });
  return { state, clock, vouchers, alerts };
}

// Each a kind of its own: one kind from one device within the throttle is one alert with a count.
function candidate(at: number, networkId = 'guest', kind: AlertCandidate['kind'] = 'dns.category'): AlertCandidate {
  return {
    kind, severity: 'medium', at: new Date(at).toISOString(), networkId, mac: MAC, address: VISITOR,
    subject: 'casino.example', reason: 'blocked: the gambling category (medium)', category: 'gambling', details: { list: 'test' },
  };
}

describe('the visitor and sponsor behind a guest device', () => {
  it('an alert for a signed-in guest device names them, in its reason and details; not before sign-in, after sign-out or on another network', async () => {
    const { state, clock, vouchers, alerts } = await approvedVisitor();
    const during = alerts.raise(candidate(T0 + 10 * MINUTE)).alert;
    expect(during.reason).toBe(`blocked: the gambling category (medium); ${ADA}`);
    expect(during.details).toEqual({ list: 'test', visitor: ADA });
    expect(alerts.raise(candidate(T0 + 2 * MINUTE, 'guest', 'dns.watch')).alert.details).not.toHaveProperty('visitor');
    expect(alerts.raise(candidate(T0 + 10 * MINUTE, 'staff', 'dns.keyword')).alert.reason).toBe('blocked: the gambling category (medium)');
    clock.now = T0 + 30 * MINUTE;
    expect(await vouchers.signOut(VISITOR)).toBe(true);
    expect(alerts.raise(candidate(T0 + 40 * MINUTE, 'guest', 'dns.bypass')).alert.details).not.toHaveProperty('visitor');
    // Read later, the time still names who it was: the session is kept after it ended.
    const sessions = state.vouchers.guestSessions(MAC);
    expect(sessions).toHaveLength(1);
    expect(guestAt(sessions, T0 + 20 * MINUTE, 'guest')).toBe(ADA);
    expect(guestAt(sessions, T0 + 31 * MINUTE, 'guest')).toBeUndefined();
    // The dashboard's most blocked devices: the guest device by its visitor, a device without a session by its table name.
    state.devices.upsertSeen('02:00:00:00:00:09', 'staff', new Date(T0));
    state.devices.update('02:00:00:00:00:09', { name: 'Staff laptop 3' });
    const monitor = adminMonitorSources({ dataDir: '/nonexistent', state, queryLog: undefined as never, config: undefined as never, lists: undefined as never, feeds: undefined as never });
    expect(monitor.deviceName(MAC)).toBe(ADA);
    expect(monitor.deviceName('02:00:00:00:00:09')).toBe('Staff laptop 3');
    state.close();
  });

  it('labels say who and who vouched: a registered visitor, an office voucher with its note, an unnamed one', () => {
    const base = { visitor: null, organisation: null, sponsor: null, label: null, issuedBy: 'account:bo' };
    expect(guestLabel({ ...base, visitor: 'Ada', organisation: 'Co', sponsor: 'Amy' })).toBe('visitor Ada (Co), sponsored by Amy');
    expect(guestLabel({ ...base, visitor: 'Ada', sponsor: 'Amy' })).toBe('visitor Ada, sponsored by Amy');
    expect(guestLabel({ ...base, label: 'Mr Smith, supply' })).toBe('visitor Mr Smith, supply, voucher issued by account:bo');
    expect(guestLabel(base)).toBe('an unnamed guest voucher issued by account:bo');
  });

  it('the session covering a moment is the latest begun, on the network it was on', () => {
    const s = (from: number, until: number, visitor: string, networkId = 'guest'): GuestSession => ({
      mac: MAC, networkId, from: new Date(from).toISOString(), until: new Date(until).toISOString(), visitor, organisation: null, sponsor: 'Amy', label: null, issuedBy: 'x',
    });
    const sessions = [s(T0, T0 + 60 * MINUTE, 'First'), s(T0 + 30 * MINUTE, T0 + 90 * MINUTE, 'Second'), s(T0, T0 + 90 * MINUTE, 'Elsewhere', 'guest2')];
    expect(sessionAt(sessions, T0 + 10 * MINUTE, 'guest')?.visitor).toBe('First');
    expect(sessionAt(sessions, T0 + 45 * MINUTE, 'guest')?.visitor).toBe('Second');
    expect(sessionAt(sessions, T0 + 45 * MINUTE, 'guest2')?.visitor).toBe('Elsewhere');
    expect(sessionAt(sessions, T0 + 91 * MINUTE, 'guest')).toBeUndefined();
    expect(sessionAt(sessions, T0 - 1, 'guest')).toBeUndefined();
  });

  it('a recent span names the latest session still running in it', () => {
    const s = (from: number, until: number, visitor: string): GuestSession => ({
      mac: MAC, networkId: 'guest', from: new Date(from).toISOString(), until: new Date(until).toISOString(), visitor, organisation: null, sponsor: 'Amy', label: null, issuedBy: 'x',
    });
    const sessions = [s(T0, T0 + 60 * MINUTE, 'Monday'), s(T0 + 1440 * MINUTE, T0 + 1500 * MINUTE, 'Tuesday')];
    expect(latestGuest(sessions, T0)).toBe('visitor Tuesday, sponsored by Amy');
    expect(latestGuest(sessions, T0 + 1501 * MINUTE)).toBeUndefined();
  });

  it('a long reason keeps the label whole within 500 characters', () => {
    const reason = withGuest('x'.repeat(500), ADA);
    expect(reason).toHaveLength(500);
    expect(reason.endsWith(`; ${ADA}`)).toBe(true);
  });
});
