// Vouchers against a real state.db (in memory): issuing, signing in within the device limit,
// revoking, expiry, the start's reload, and the brute-force limits. The firewall and shaper are
// the recorded calls here (the kernel takes the lines in test/lab/portal-voucher.test.ts).
import { describe, expect, test, vi } from 'vitest';
import type { AlertCandidate } from '../../../firmware/monitor/alerts/alert-schema.ts';
import { hashCode } from '../../../firmware/portal/vouchers/code-key.ts';
import { authoriseLines, deauthoriseLines } from '../../../firmware/portal/vouchers/elements.ts';
import { attemptVerdict, DEFAULT_LIMITS, lockoutCaused } from '../../../firmware/portal/vouchers/limits.ts';
import type { BandwidthTier } from '../../../firmware/portal/vouchers/schema.ts';
import { VoucherService, type GuestDevice } from '../../../firmware/portal/vouchers/service.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import type { VoucherRepository } from '../../../firmware/state/vouchers.ts';

const KEY = Buffer.alloc(32, 7);
const T0 = new Date('2026-12-07T09:00:00Z');
const HOUR = 3_600_000;

function setup(limits = DEFAULT_LIMITS) {
  const state = StateDatabase.open(':memory:');
  let now = T0;
  const devices = new Map<string, GuestDevice>([
    ['10.30.0.100', { mac: '02:00:00:00:00:01', networkId: 'guest' }],
    ['10.30.0.101', { mac: '02:00:00:00:00:02', networkId: 'guest' }],
    ['10.30.0.102', { mac: '02:00:00:00:00:03', networkId: 'guest' }],
    ['10.30.0.103', { mac: '02:00:00:00:00:04', networkId: 'guest' }],
  ]);
  const changes: string[][] = [];
  const caps: Array<[string, BandwidthTier]> = [];
  const raised: AlertCandidate[] = [];
  const calls: string[] = [];
  // Records which store methods a sign-in used, in order: the same for every unusable code.
  const store = new Proxy(state.vouchers, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => { calls.push(String(prop)); return (value as (...a: unknown[]) => unknown).apply(target, args); };
    },
  }) as VoucherRepository;
  const deps = {
    store, transaction: <T>(fn: () => T) => state.transaction(fn), key: KEY,
    deviceAt: (address: string) => devices.get(address),
    change: async (lines: readonly string[]) => { changes.push([...lines]); return true; },
    setCap: async (mac: string, tier: BandwidthTier) => { caps.push([mac, tier]); },
    events: state.networkEvents, raise: (c: AlertCandidate) => raised.push(c), now: () => now, limits,
  };
  const service = new VoucherService(deps);
  return {
    state, service, devices, changes, caps, raised, calls, deps,
    advance: (ms: number) => { now = new Date(now.getTime() + ms); },
  };
}

describe('issuing', () => {
  test('the code is returned once and stored only as its keyed hash', () => {
    const { service, state } = setup();
    const { voucher, code } = service.issue({ kind: 'single', validSeconds: 8 * 3600, maxDevices: 2, label: 'Ms Patel (supply)' }, 'ssh:office');
    expect(voucher).toMatchObject({ kind: 'single', label: 'Ms Patel (supply)', maxDevices: 2, issuedBy: 'ssh:office', devicesNow: 0,
      validFrom: T0.toISOString(), validUntil: new Date(T0.getTime() + 8 * HOUR).toISOString() });
    const compact = code.replaceAll('-', '');
    expect(state.vouchers.byHash(hashCode(KEY, compact))?.id).toBe(voucher.id);
    expect(JSON.stringify(service.list())).not.toContain(compact);
    // A different key finds nothing: the hash alone signs no one in.
    expect(state.vouchers.byHash(hashCode(Buffer.alloc(32, 8), compact))).toBeUndefined();
  });
});

describe('signing in', () => {
  test('adds address . MAC with the time left, counts devices, lets a phone with a new random MAC in within the limit, refuses one more', async () => {
    const { service, changes, advance } = setup();
    const { voucher, code } = service.issue({ kind: 'single', validSeconds: 8 * 3600, maxDevices: 2 }, 'ssh:office');
    advance(HOUR);
    const first = await service.redeem('10.30.0.100', code.toLowerCase(), 'v1');
    expect(first).toEqual({ outcome: 'signed-in', voucherId: voucher.id, until: voucher.validUntil, enforced: true });
    expect(changes.at(-1)).toEqual(authoriseLines('10.30.0.100', '02:00:00:00:00:01', new Date(voucher.validUntil), new Date(T0.getTime() + HOUR)));
    expect(changes.at(-1)!.at(-1)).toBe('add element inet schoolgate authorised_guests { 10.30.0.100 . 02:00:00:00:00:01 timeout 25200s }');
    // The same phone, new random MAC and address: the second device of two.
    expect((await service.redeem('10.30.0.101', code, 'v1')).outcome).toBe('signed-in');
    expect(await service.redeem('10.30.0.102', code, 'v1')).toEqual({ outcome: 'full', maxDevices: 2 });
    // Asking again from a device already in is no new device.
    expect((await service.redeem('10.30.0.100', code, 'v1')).outcome).toBe('signed-in');
    expect(service.sessionAt('10.30.0.100')).toMatchObject({ secondsLeft: 7 * 3600, voucher: { id: voucher.id, devicesNow: 2 } });
    // Signing out frees the place.
    expect(await service.signOut('10.30.0.101')).toBe(true);
    expect(changes.at(-1)).toEqual(deauthoriseLines('10.30.0.101', '02:00:00:00:00:02'));
    expect(service.sessionAt('10.30.0.101')).toBeUndefined();
    expect((await service.redeem('10.30.0.102', code, 'v1')).outcome).toBe('signed-in');
  });

  test('a device without a lease is not signed in; a typo is told apart and not counted', async () => {
    const { service, state } = setup();
    const { code } = service.issue({ kind: 'single', validSeconds: 3600, maxDevices: 1 }, 'ssh:office');
    expect(await service.redeem('10.30.0.250', code, null)).toEqual({ outcome: 'no-lease' });
    const c = code.replaceAll('-', '');
    const swapped = c.slice(0, 3) + c[4] + c[3] + c.slice(5);
    if (c[3] !== c[4]) expect(await service.redeem('10.30.0.100', swapped, null)).toEqual({ outcome: 'typo' });
    expect(await service.redeem('10.30.0.100', 'hello', null)).toEqual({ outcome: 'typo' });
    expect(state.vouchers.failuresOf('02:00:00:00:00:01', '10.30.0.100', T0)).toBe(0);
  });

  test('a voucher\'s bandwidth tier goes to the shaper for each device, and is lifted when it is revoked', async () => {
    const { service, caps } = setup();
    const tier = { downKbit: 2048, upKbit: 512 };
    const { voucher, code } = service.issue({ kind: 'group', validSeconds: 3600, maxDevices: 5, tier }, 'ssh:office');
    await service.redeem('10.30.0.100', code, 'v1');
    expect(caps).toEqual([['02:00:00:00:00:01', tier]]);
    await service.revoke(voucher.id, 'ssh:office', 'event over');
    expect(caps.at(-1)).toEqual(['02:00:00:00:00:01', { downKbit: null, upKbit: null }]);
  });

  test('a voucher\'s bandwidth tier is lifted when its time runs out, at the sweep', async () => {
    const { service, caps, advance } = setup();
    const tier = { downKbit: 1024, upKbit: null };
    const { code } = service.issue({ kind: 'single', validSeconds: 3600, maxDevices: 1, tier }, 'ssh:office');
    await service.redeem('10.30.0.101', code, 'v1');
    expect(caps).toEqual([['02:00:00:00:00:02', tier]]);
    advance(HOUR);
    service.sweep();
    await vi.waitFor(() => expect(caps.at(-1)).toEqual(['02:00:00:00:00:02', { downKbit: null, upKbit: null }]));
    // Marked once: a second sweep lifts nothing again.
    service.sweep();
    expect(caps).toHaveLength(2);
  });
});

describe('revoke, expiry and the daemon\'s start', () => {
  test('revoke removes every device\'s element in one change, and the code stops working', async () => {
    const { service, changes } = setup();
    const { voucher, code } = service.issue({ kind: 'group', validSeconds: 3600, maxDevices: 10 }, 'ssh:office');
    await service.redeem('10.30.0.100', code, 'v1');
    await service.redeem('10.30.0.101', code, 'v1');
    const revoked = await service.revoke(voucher.id, 'ssh:dsl', 'misuse');
    expect(revoked.voucher).toMatchObject({ revokedBy: 'ssh:dsl', revokeReason: 'misuse', devicesNow: 0 });
    expect(revoked.ended.map((d) => d.endedReason)).toEqual(['revoked', 'revoked']);
    expect(changes.at(-1)).toEqual([...deauthoriseLines('10.30.0.100', '02:00:00:00:00:01'), ...deauthoriseLines('10.30.0.101', '02:00:00:00:00:02')]);
    expect(await service.redeem('10.30.0.102', code, 'v1')).toEqual({ outcome: 'invalid' });
    await expect(service.revoke(voucher.id, 'ssh:dsl', 'again')).rejects.toThrow(/already revoked/);
    await expect(service.revoke(999, 'ssh:dsl', 'x')).rejects.toThrow(/no voucher 999/);
  });

  test('expiry: the session ends with the voucher and is marked expired; a new start loads only what is still in force', async () => {
    const { service, state, changes, advance, deps } = setup();
    const short = service.issue({ kind: 'single', validSeconds: 3600, maxDevices: 1 }, 'ssh:office');
    const long = service.issue({ kind: 'single', validSeconds: 4 * 3600, maxDevices: 1 }, 'ssh:office');
    await service.redeem('10.30.0.100', short.code, 'v1');
    await service.redeem('10.30.0.101', long.code, 'v1');
    advance(2 * HOUR);
    expect(service.sessionAt('10.30.0.100')).toBeUndefined();
    const restarted = new VoucherService(deps);
    expect(await restarted.loadAll()).toBe(1);
    expect(changes.at(-1)).toEqual(authoriseLines('10.30.0.101', '02:00:00:00:00:02', new Date(long.voucher.validUntil), new Date(T0.getTime() + 2 * HOUR)));
    expect(state.vouchers.devicesOf(short.voucher.id)[0]).toMatchObject({ endedReason: 'expired', endedAt: short.voucher.validUntil });
  });

  test('retention: ended vouchers, their devices and unreferenced visitors go; current ones stay', async () => {
    const { service, state, advance } = setup();
    const visitor = state.vouchers.createVisitor({ name: 'A Visitor', sponsorName: 'Mr Jones', termsVersion: 'v1', created: T0 });
    const old = service.issue({ kind: 'single', validSeconds: 3600, maxDevices: 1, visitorId: visitor.id }, 'ssh:office');
    await service.redeem('10.30.0.100', old.code, 'v1');
    advance(40 * 24 * HOUR);
    const current = service.issue({ kind: 'single', validSeconds: 3600, maxDevices: 1 }, 'ssh:office');
    expect(state.vouchers.purgeBefore(new Date(T0.getTime() + 30 * 24 * HOUR))).toEqual({ vouchers: 1, visitors: 1 });
    expect(service.list().map((v) => v.id)).toEqual([current.voucher.id]);
    expect(state.vouchers.devicesOf(old.voucher.id)).toEqual([]);
  });
});

describe('brute force', () => {
  test('unknown, expired, revoked and not-yet-valid codes get the same answer from the same work, each counted', async () => {
    const { service, calls, advance } = setup({ ...DEFAULT_LIMITS, deviceFailures: 100 });
    const expired = service.issue({ kind: 'single', validSeconds: 60, maxDevices: 1 }, 'ssh:office');
    const revoked = service.issue({ kind: 'single', validSeconds: 3600, maxDevices: 1 }, 'ssh:office');
    await service.revoke(revoked.voucher.id, 'ssh:office', 'lost');
    const later = service.issue({ kind: 'single', validSeconds: 3600, maxDevices: 1, validFrom: new Date(T0.getTime() + 10 * HOUR).toISOString() }, 'ssh:office');
    advance(120_000);
    // An unknown code: a fresh one never issued (its hash is in no row).
    const unknown = setup().service.issue({ kind: 'single', validSeconds: 3600, maxDevices: 1 }, 'x').code;
    const traces: string[][] = [];
    const answers = [];
    for (const code of [unknown, expired.code, revoked.code, later.code]) {
      calls.length = 0;
      answers.push(await service.redeem('10.30.0.100', code, 'v1'));
      traces.push([...calls]);
    }
    expect(answers).toEqual(Array(4).fill({ outcome: 'invalid' }));
    expect(new Set(traces.map((t) => t.join(','))).size).toBe(1);
    expect(traces[0]).toContain('byHash');
    expect(traces[0]).toContain('recordAttempt');
  });

  test('a device is locked out after 5 wrong codes (a valid one too is refused then), with one event and one alert; another device is not', async () => {
    const { service, state, raised, advance } = setup();
    const { code } = service.issue({ kind: 'single', validSeconds: 8 * 3600, maxDevices: 3 }, 'ssh:office');
    const wrong = setup().service.issue({ kind: 'single', validSeconds: 3600, maxDevices: 1 }, 'x').code;
    for (let i = 0; i < 5; i++) expect(await service.redeem('10.30.0.100', wrong, null)).toEqual({ outcome: 'invalid' });
    expect(await service.redeem('10.30.0.100', code, null)).toEqual({ outcome: 'locked', retryAfterSeconds: 900 });
    expect(await service.redeem('10.30.0.100', wrong, null)).toEqual({ outcome: 'locked', retryAfterSeconds: 900 });
    const events = state.networkEvents.list({ kind: 'portal.lockout' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ mac: '02:00:00:00:00:01', networkId: 'guest', details: { address: '10.30.0.100', scope: 'device' } });
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ kind: 'portal.lockout', severity: 'medium', mac: '02:00:00:00:00:01' });
    expect((await service.redeem('10.30.0.101', code, null)).outcome).toBe('signed-in');
    // The window passes: it may try again.
    advance(901_000);
    expect((await service.redeem('10.30.0.100', code, null)).outcome).toBe('signed-in');
  });

  test('the MAC and the address are each counted: a new random MAC on the same address stays locked', async () => {
    const { service, devices } = setup({ ...DEFAULT_LIMITS, deviceFailures: 3 });
    const wrong = setup().service.issue({ kind: 'single', validSeconds: 3600, maxDevices: 1 }, 'x').code;
    for (let i = 0; i < 3; i++) await service.redeem('10.30.0.100', wrong, null);
    devices.set('10.30.0.100', { mac: '02:00:00:00:00:99', networkId: 'guest' });
    expect((await service.redeem('10.30.0.100', wrong, null)).outcome).toBe('locked');
  });

  test('past the global limit, devices that got a code wrong are refused, a visitor typing a right code first time is not', async () => {
    const { service, raised } = setup({ deviceFailures: 10, deviceWindowSeconds: 900, globalFailures: 4, globalWindowSeconds: 600 });
    const { code } = service.issue({ kind: 'group', validSeconds: 3600, maxDevices: 10 }, 'ssh:office');
    const wrong = setup().service.issue({ kind: 'single', validSeconds: 3600, maxDevices: 1 }, 'x').code;
    for (const a of ['10.30.0.100', '10.30.0.101', '10.30.0.100', '10.30.0.101']) await service.redeem(a, wrong, null);
    expect(raised.map((r) => [r.kind, r.severity])).toEqual([['portal.lockout', 'high']]);
    expect((await service.redeem('10.30.0.100', code, null)).outcome).toBe('locked');
    expect((await service.redeem('10.30.0.102', code, null)).outcome).toBe('signed-in');
  });

  test('the verdicts as numbers', () => {
    expect(attemptVerdict({ device: 4, global: 0 })).toEqual({ allowed: true });
    expect(attemptVerdict({ device: 5, global: 0 })).toEqual({ allowed: false, scope: 'device', retryAfterSeconds: 900 });
    expect(attemptVerdict({ device: 0, global: 1000 })).toEqual({ allowed: true });
    expect(attemptVerdict({ device: 1, global: 100 })).toEqual({ allowed: false, scope: 'global', retryAfterSeconds: 600 });
    expect(lockoutCaused({ device: 5, global: 7 })).toBe('device');
    expect(lockoutCaused({ device: 6, global: 7 })).toBeUndefined();
    expect(lockoutCaused({ device: 1, global: 100 })).toBe('global');
  });
});
