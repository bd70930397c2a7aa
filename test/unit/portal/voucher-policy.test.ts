// A voucher's policy is what its guest devices get: a real DnsService on loopback answers a guest
// address under the guest policy, then under the voucher's policy once the device signs in (the
// voucher service over a real state.db feeding DNS's directory), and under the guest policy again
// after sign-out, revoke and expiry. A policy a configuration change removed falls back to the
// network's, with one event and `status` saying so; `schoolgate check` tells which applied.
import { describe, expect, it } from 'vitest';
import { ClientDirectory } from '../../../firmware/clients/directory.ts';
import { parseAddress } from '../../../firmware/clients/ip.ts';
import { LeaseDevices } from '../../../firmware/clients/lease-devices.ts';
import type { Config } from '../../../firmware/config/schema.ts';
import { checkName } from '../../../firmware/dns/policy/check-name.ts';
import { Decision } from '../../../firmware/dns/policy/decision.ts';
import { VoucherPolicies } from '../../../firmware/portal/vouchers/dns-policies.ts';
import { VoucherService, type GuestDevice } from '../../../firmware/portal/vouchers/service.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { GATEWAY, GUEST, PUPIL, type ListSpec, useScriptedUpstream, useWorlds, type World } from '../dns/filtering/harness.ts';
import { DEFAULT_V4 } from '../dns/filtering/scripted-upstream.ts';

const SOCIAL: ListSpec = { id: 'social', category: 'social', text: 'chatter.test\n' };
const GUEST_MAC = '02:00:00:00:00:31';
const T0 = new Date('2026-12-07T09:00:00Z');
const HOUR = 3_600_000;
const addressOf = (a: string): number => Number(parseAddress(a)!.value);

const upstream = useScriptedUpstream();
const startWorld = useWorlds(upstream);

/** The staff policy's categories (social acceptable) as a policy for visiting staff. */
function withVisitorPolicy(c: Config): void {
  const staff = c.policies.find((p) => p.id === 'staff')!;
  c.policies.push({ ...structuredClone(staff), id: 'staff-visitor', name: 'Visiting staff' });
}

async function guestWorld() {
  const w: World = await startWorld({ lists: [SOCIAL], edit: withVisitorPolicy });
  const state = StateDatabase.open(':memory:');
  let now = T0;
  const leases = new Map<string, GuestDevice>([[GUEST, { mac: GUEST_MAC, networkId: 'guest' }]]);
  // The guest's lease, as DHCP tells DNS.
  w.service.devices.set(addressOf(GUEST), GUEST_MAC, null);
  let policyIds = w.config.policies.map((p) => p.id);
  const timers: Array<{ fn: () => void; ms: number; cancelled: boolean }> = [];
  const policies = new VoucherPolicies({
    active: (at) => state.vouchers.activePolicies(at), policies: () => policyIds,
    apply: (changes) => { for (const c of changes) w.service.devices.applyPolicy(c); },
    events: state.networkEvents, now: () => now,
    setTimer: (fn, ms) => {
      const t = { fn, ms, cancelled: false };
      timers.push(t);
      return () => { t.cancelled = true; };
    },
  });
  const vouchers = new VoucherService({
    store: state.vouchers, transaction: (fn) => state.transaction(fn), key: Buffer.alloc(32, 3),
    deviceAt: (a) => leases.get(a), change: async () => true, events: state.networkEvents, now: () => now,
    changed: () => policies.sync(),
  });
  const answerFor = async (name: string, from = GUEST) => (await w.ask(name, from)).data;
  return {
    w, state, vouchers, policies, timers, answerFor,
    advance: (ms: number) => { now = new Date(now.getTime() + ms); },
    removePolicy: (id: string) => { policyIds = policyIds.filter((p) => p !== id); },
  };
}

describe("a voucher's policy in DNS", () => {
  it('answers a guest under its voucher\'s policy while signed in, and under the guest policy after sign-out, revoke and expiry', async () => {
    const g = await guestWorld();
    const blocked = [GATEWAY.guest];
    expect(await g.answerFor('chatter.test')).toEqual(blocked);

    const { voucher, code } = g.vouchers.issue({ kind: 'single', validSeconds: 2 * 3600, maxDevices: 1, policyId: 'staff-visitor' }, 'office');
    expect(await g.vouchers.redeem(GUEST, code, null)).toMatchObject({ outcome: 'signed-in' });
    expect(g.policies.status()).toEqual({ devices: 1, missing: [] });
    expect(await g.answerFor('chatter.test')).toEqual([DEFAULT_V4]);
    // Only that device: a pupil is answered under the pupil policy as before.
    expect(await g.answerFor('chatter.test', PUPIL)).toEqual([GATEWAY.pupil]);

    expect(await g.vouchers.signOut(GUEST)).toBe(true);
    expect(g.policies.status().devices).toBe(0);
    expect(await g.answerFor('chatter.test')).toEqual(blocked);

    expect(await g.vouchers.redeem(GUEST, code, null)).toMatchObject({ outcome: 'signed-in' });
    expect(await g.answerFor('chatter.test')).toEqual([DEFAULT_V4]);
    await g.vouchers.revoke(voucher.id, 'office', 'visit over');
    expect(await g.answerFor('chatter.test')).toEqual(blocked);

    // Expiry: the timer set for the authorisation's end clears it at that minute, not at the next sweep.
    const second = g.vouchers.issue({ kind: 'single', validSeconds: 3600, maxDevices: 1, policyId: 'staff-visitor' }, 'office');
    expect(await g.vouchers.redeem(GUEST, second.code, null)).toMatchObject({ outcome: 'signed-in' });
    expect(await g.answerFor('chatter.test')).toEqual([DEFAULT_V4]);
    const timer = g.timers.filter((t) => !t.cancelled).at(-1)!;
    expect(timer.ms).toBe(HOUR);
    g.advance(HOUR);
    timer.fn();
    expect(await g.answerFor('chatter.test')).toEqual(blocked);
  });

  it('leaves a guest on the guest policy for a voucher without a policy', async () => {
    const g = await guestWorld();
    const { code } = g.vouchers.issue({ kind: 'single', validSeconds: 3600, maxDevices: 1 }, 'office');
    expect(await g.vouchers.redeem(GUEST, code, null)).toMatchObject({ outcome: 'signed-in' });
    expect(g.policies.status()).toEqual({ devices: 0, missing: [] });
    expect(await g.answerFor('chatter.test')).toEqual([GATEWAY.guest]);
  });

  it('falls back to the network\'s policy when a configuration change removed the voucher\'s, with one event and status saying so', async () => {
    const g = await guestWorld();
    const { voucher, code } = g.vouchers.issue({ kind: 'group', validSeconds: 3600, maxDevices: 5, policyId: 'staff-visitor' }, 'office');
    await g.vouchers.redeem(GUEST, code, null);
    expect(await g.answerFor('chatter.test')).toEqual([DEFAULT_V4]);

    g.removePolicy('staff-visitor');
    g.policies.sync();
    g.policies.sync();
    expect(g.policies.status()).toEqual({ devices: 0, missing: [{ voucherId: voucher.id, policyId: 'staff-visitor', devices: 1 }] });
    expect(await g.answerFor('chatter.test')).toEqual([GATEWAY.guest]);
    const events = g.state.networkEvents.list({ kind: 'portal.voucher-policy-missing' });
    expect(events).toHaveLength(1);
    expect(events[0]!.details).toEqual({ voucherId: voucher.id, policyId: 'staff-visitor', devices: 1 });
  });
});

describe('the engine and `schoolgate check` with a voucher policy', () => {
  it('decides under the voucher\'s policy, and under the network\'s (never "no-policy") for one that no longer exists', async () => {
    const g = await guestWorld();
    const filter = g.w.service.filter;
    const d = new Decision();
    filter.check('guest', undefined, 'chatter.test', T0.getTime(), d, 'staff-visitor');
    expect([d.action, d.policy?.id]).toEqual(['allow', 'staff-visitor']);
    filter.check('guest', undefined, 'chatter.test', T0.getTime(), d, 'gone');
    expect([d.action, d.reason, d.policy?.id]).toEqual(['block', 'category', 'guest']);

    const report = checkName(g.w.config, filter, { name: 'chatter.test', networkId: 'guest', policyId: 'staff-visitor', at: T0.getTime() });
    expect(report.answer).toBe('allowed');
    expect(report.policy.policy).toMatchObject({ id: 'staff-visitor', source: 'voucher' });
    const missing = checkName(g.w.config, filter, { name: 'chatter.test', networkId: 'guest', policyId: 'gone', at: T0.getTime() });
    expect(missing.answer).toBe('blocked');
    expect(missing.policy.policy).toMatchObject({ id: 'guest', source: 'network' });
    expect(missing.policy.policy!.note).toContain('names policy "gone", which no longer exists');
  });
});

describe("the directory's override map", () => {
  const config = { networks: [{ id: 'guest', name: 'Guest', kind: 'guest', enabled: true, interface: 'g0', subnets: ['10.30.0.0/24'], policy: 'guest' }] } as unknown as Config;
  const address = addressOf('10.30.0.50');

  it('keeps the override across a lease renewal, never gives it to another device at the address, and clears it', () => {
    const devices = new LeaseDevices();
    const directory = new ClientDirectory(config.networks, devices);
    devices.set(address, GUEST_MAC, null);
    expect(directory.lookup('10.30.0.50')?.policy).toBeUndefined();
    devices.applyPolicy([address, GUEST_MAC, 'staff-visitor']);
    expect(directory.lookup('10.30.0.50')).toMatchObject({ device: { id: GUEST_MAC }, policy: 'staff-visitor' });
    devices.set(address, GUEST_MAC, null);
    expect(directory.lookup('10.30.0.50')?.policy).toBe('staff-visitor');
    expect(devices.policySnapshot()).toEqual([[address, GUEST_MAC, 'staff-visitor']]);
    devices.set(address, '02:00:00:00:00:99', null);
    expect(directory.lookup('10.30.0.50')).toMatchObject({ device: { id: '02:00:00:00:00:99' } });
    expect(directory.lookup('10.30.0.50')?.policy).toBeUndefined();
    devices.set(address, GUEST_MAC, null);
    expect(directory.lookup('10.30.0.50')?.policy).toBe('staff-visitor');
    devices.applyPolicy([address]);
    expect(directory.lookup('10.30.0.50')?.policy).toBeUndefined();
    expect(devices.policySnapshot()).toEqual([]);
  });
});
