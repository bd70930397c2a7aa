// Group vouchers and regular visitors below the API: a group issued in one transaction (all its
// codes or none), revoked as one, its record purged with its vouchers; `schoolgate vouchers
// issue --group` through the control methods; when a regular visitor's access ends (the term's
// last day at 23:59 local, the next term in a holiday, a date); where a slip's QR code points.
import { describe, expect, test } from 'vitest';
import { formatGroupIssued, formatGroups } from '../../../firmware/cli/commands/vouchers.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import type { ControlMethod } from '../../../firmware/control/server.ts';
import { regularUntil } from '../../../firmware/portal/registration/validity.ts';
import { registerVoucherMethods, type VoucherGroupIssued, type VoucherGroupRevoked, type VoucherGroupsView } from '../../../firmware/portal/vouchers/methods.ts';
import { VoucherService } from '../../../firmware/portal/vouchers/service.ts';
import { portalAddress, slipFor } from '../../../firmware/portal/vouchers/slip.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';

const T0 = new Date('2026-12-07T09:00:00.000Z');

function setup(pick?: (n: number) => number) {
  const state = StateDatabase.open(':memory:');
  const changes: string[][] = [];
  const devices = new Map([['10.30.0.100', { mac: '02:00:00:00:00:01', networkId: 'guest' }], ['10.30.0.101', { mac: '02:00:00:00:00:02', networkId: 'guest' }]]);
  const vouchers = new VoucherService({
    store: state.vouchers, transaction: (fn) => state.transaction(fn), key: Buffer.alloc(32, 4), deviceAt: (a) => devices.get(a),
    change: async (lines) => { changes.push([...lines]); return true; }, events: state.networkEvents, now: () => T0, ...(pick ? { pick } : {}),
  });
  const methods = new Map<string, ControlMethod<unknown>>();
  registerVoucherMethods({ register: (name, method) => { methods.set(name, method as ControlMethod<unknown>); } }, { config: { current: defaultConfig() }, vouchers, audit: state.audit });
  const call = async (name: string, params: unknown) => methods.get(name)!.handle(params as never, { user: 'root', sudoUser: 'sam' }, { progress: () => undefined });
  return { state, vouchers, changes, call };
}

describe('group vouchers', () => {
  test('issued through the control method as one group, listed without codes, revoked in one change of the set; the CLI prints each', async () => {
    const { state, vouchers, changes, call } = setup();
    const issued = await call('vouchers.issue-group', { name: 'First aid course', count: 3, validSeconds: 6 * 3600, maxDevices: 1 }) as VoucherGroupIssued;
    expect(issued.group).toMatchObject({ name: 'First aid course', count: 3, issuedBy: 'ssh:sam', validUntil: '2026-12-07T15:00:00.000Z' });
    expect(issued.codes).toHaveLength(3);
    expect(formatGroupIssued(issued)).toContain(issued.codes[2]!.code);
    expect(state.vouchers.list(T0).map((v) => [v.kind, v.groupId, v.label])).toEqual([3, 2, 1].map((k) => ['group', issued.group.id, `First aid course #${k}`]));
    await vouchers.redeem('10.30.0.100', issued.codes[0]!.code, 'v1');
    await vouchers.redeem('10.30.0.101', issued.codes[1]!.code, 'v1');
    const listed = await call('vouchers.groups', {}) as VoucherGroupsView;
    expect(listed.groups).toEqual([expect.objectContaining({ id: issued.group.id, devicesNow: 2 })]);
    expect(JSON.stringify(listed)).not.toContain(issued.codes[0]!.code);
    expect(formatGroups(listed, T0.getTime())).toMatch(/First aid course\s+valid/);
    changes.length = 0;
    const revoked = await call('vouchers.revoke-group', { id: issued.group.id, reason: 'course moved' }) as VoucherGroupRevoked;
    expect(revoked.ended.map((d) => d.mac).sort()).toEqual(['02:00:00:00:00:01', '02:00:00:00:00:02']);
    expect(changes).toHaveLength(1);
    expect(state.vouchers.list(T0).every((v) => v.revokedAt !== null && v.revokeReason === 'course moved')).toBe(true);
    await expect(call('vouchers.revoke-group', { id: issued.group.id, reason: 'again' })).rejects.toMatchObject({ code: 'invalid-input' });
    expect(state.audit.list({}).filter((e) => e.action.startsWith('voucher.')).map((e) => [e.actor, e.action])).toEqual([['ssh:sam', 'voucher.issue-group'], ['ssh:sam', 'voucher.revoke-group']]);
  });

  test('all the codes or none: a failure part-way leaves no group and no voucher', () => {
    let calls = 0;
    // The same code twice: the second insert breaks the UNIQUE hash, inside the group's transaction.
    const { state, vouchers } = setup(() => { calls += 1; return 0; });
    expect(() => vouchers.issueGroup('Parents evening', 5, { validSeconds: 3600, maxDevices: 1 }, 'ssh:sam')).toThrow();
    expect(calls).toBeGreaterThan(0);
    expect(state.vouchers.list(T0)).toEqual([]);
    expect(state.vouchers.groups(T0)).toEqual([]);
    expect(() => vouchers.issueGroup('Too many', 201, { validSeconds: 3600, maxDevices: 1 }, 'ssh:sam')).toThrow(/1 to 200/);
  });

  test('retention purges a group with the last of its vouchers', () => {
    const { state, vouchers } = setup();
    vouchers.issueGroup('Sports day', 2, { validSeconds: 3600, maxDevices: 1 }, 'ssh:sam');
    expect(state.vouchers.purgeBefore(new Date('2026-12-07T09:30:00.000Z'))).toMatchObject({ vouchers: 0 });
    expect(state.vouchers.groups(T0)).toHaveLength(1);
    expect(state.vouchers.purgeBefore(new Date('2027-01-01T00:00:00.000Z'))).toMatchObject({ vouchers: 2 });
    expect(state.vouchers.groups(T0)).toEqual([]);
  });
});

describe('a regular visitor\'s end', () => {
  const TERMS = [{ name: 'Summer 1', start: '2027-04-19', end: '2027-05-28' }, { name: 'Autumn 2', start: '2026-11-02', end: '2026-12-18' }, { name: 'Spring 1', start: '2027-01-05', end: '2027-02-12' }];

  test('the current term\'s last day at 23:59 local; in a holiday, the next term\'s; in summer time, an hour earlier in UTC', () => {
    expect(regularUntil({ term: 'current' }, T0, 'Europe/London', TERMS)).toEqual({ ok: true, until: new Date('2026-12-18T23:59:00.000Z'), term: 'Autumn 2' });
    expect(regularUntil({ term: 'current' }, new Date('2026-12-18T22:00:00.000Z'), 'Europe/London', TERMS)).toMatchObject({ term: 'Autumn 2' });
    expect(regularUntil({ term: 'current' }, new Date('2026-12-24T12:00:00.000Z'), 'Europe/London', TERMS)).toMatchObject({ term: 'Spring 1', until: new Date('2027-02-12T23:59:00.000Z') });
    expect(regularUntil({ term: 'current' }, new Date('2027-03-01T12:00:00.000Z'), 'Europe/London', TERMS)).toMatchObject({ term: 'Summer 1', until: new Date('2027-05-28T22:59:00.000Z') });
    expect(regularUntil({ term: 'current' }, new Date('2027-07-01T12:00:00.000Z'), 'Europe/London', TERMS)).toMatchObject({ ok: false, error: expect.stringMatching(/choose a date/) });
    expect(regularUntil({ term: 'current' }, T0, 'Europe/London', [])).toMatchObject({ ok: false });
  });

  test('a date: 23:59 local that day, today included, never a day gone or a date that is not one', () => {
    expect(regularUntil({ date: '2026-12-07' }, T0, 'Europe/London', [])).toEqual({ ok: true, until: new Date('2026-12-07T23:59:00.000Z'), term: null });
    expect(regularUntil({ date: '2027-06-30' }, T0, 'Europe/London', [])).toMatchObject({ until: new Date('2027-06-30T22:59:00.000Z') });
    expect(regularUntil({ date: '2026-12-06' }, T0, 'Europe/London', [])).toMatchObject({ ok: false, error: expect.stringMatching(/passed/) });
    expect(regularUntil({ date: '2026-13-45' }, T0, 'Europe/London', [])).toMatchObject({ ok: false });
  });
});

describe('a slip', () => {
  test('points at the portal a guest reaches, with the code prefilled, as a QR code', async () => {
    const config = defaultConfig();
    expect(portalAddress(config)).toBe('http://127.30.0.1/portal');
    config.web.portal = { address: '10.30.0.1', port: 8082 };
    expect(portalAddress(config)).toBe('http://10.30.0.1:8082/portal');
    // On a real gateway the phone is on the guest Wi-Fi: the surface on its gateway's port 80.
    config.networks.find((n) => n.kind === 'guest')!.gateway.ipv4 = '10.40.0.1';
    expect(portalAddress(config)).toBe('http://10.40.0.1/portal');
    config.networks = config.networks.filter((n) => n.kind !== 'guest');
    delete config.web.portal;
    expect(portalAddress(config)).toBeNull();
    const slip = await slipFor('KXM4P-7TRAW-9HCDE', 'http://10.30.0.1/portal');
    expect(slip.link).toBe('http://10.30.0.1/portal?code=KXM4P-7TRAW-9HCDE');
    expect(slip.qrSvg).toMatch(/^<svg[^>]*viewBox/);
    expect(await slipFor('KXM4P-7TRAW-9HCDE', null)).toEqual({ code: 'KXM4P-7TRAW-9HCDE', link: null, qrSvg: null });
  });
});
