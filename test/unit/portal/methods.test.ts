// The control methods behind `schoolgate vouchers`: issue and revoke audited with the change, the
// list never carrying a code, bad input named; the CLI's tier reader; and option 114 pointing at
// the path the portal's RFC 8908 API answers on.
import { describe, expect, test } from 'vitest';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import type { ControlMethod } from '../../../firmware/control/server.ts';
import { formatVouchers, parseTier } from '../../../firmware/cli/commands/vouchers.ts';
import { defaultCaptivePortal } from '../../../firmware/dhcp/settings.ts';
import { CAPTIVE_API_PATH } from '../../../firmware/portal/captive/routes.ts';
import { registerVoucherMethods, type VoucherIssued, type VoucherRevoked, type VouchersView } from '../../../firmware/portal/vouchers/methods.ts';
import { VoucherService } from '../../../firmware/portal/vouchers/service.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';

const CALLER = { user: 'root', sudoUser: 'office' };

function setup() {
  const state = StateDatabase.open(':memory:');
  const vouchers = new VoucherService({
    store: state.vouchers, transaction: (fn) => state.transaction(fn), key: Buffer.alloc(32, 3),
    deviceAt: () => ({ mac: '02:00:00:00:00:01', networkId: 'guest' }), change: async () => true, events: state.networkEvents, now: () => new Date(),
  });
  const methods = new Map<string, ControlMethod<unknown>>();
  registerVoucherMethods({ register: (name, method) => { methods.set(name, method as ControlMethod<unknown>); } }, { config: { current: defaultConfig() }, vouchers, audit: state.audit });
  const call = async (name: string, params: unknown) => methods.get(name)!.handle(params as never, CALLER, { progress: () => undefined });
  return { state, vouchers, call };
}

describe('vouchers control methods', () => {
  test('issue and revoke are audited under the caller; the list has no code', async () => {
    const { state, vouchers, call } = setup();
    const issued = await call('vouchers.issue', { validSeconds: 3600, maxDevices: 2, label: 'Governor visit' }) as VoucherIssued;
    expect(issued.voucher).toMatchObject({ kind: 'single', label: 'Governor visit', issuedBy: 'ssh:office' });
    const list = await call('vouchers', {}) as VouchersView;
    expect(list.vouchers.map((v) => v.id)).toEqual([issued.voucher.id]);
    expect(JSON.stringify(list)).not.toContain(issued.code.replaceAll('-', ''));
    expect(formatVouchers(list)).toContain('Governor visit');
    await vouchers.redeem('10.30.0.100', issued.code, 'v1');
    const revoked = await call('vouchers.revoke', { id: issued.voucher.id, reason: 'left early' }) as VoucherRevoked;
    expect(revoked.ended.map((d) => d.mac)).toEqual(['02:00:00:00:00:01']);
    expect(((await call('vouchers', {})) as VouchersView).vouchers).toEqual([]);
    expect(((await call('vouchers', { all: true })) as VouchersView).vouchers).toHaveLength(1);
    const entries = state.audit.list({}).filter((e) => e.action.startsWith('voucher.'));
    expect(entries.map((e) => [e.actor, e.action, e.subject])).toEqual([
      ['ssh:office', 'voucher.issue', `voucher ${issued.voucher.id}`],
      ['ssh:office', 'voucher.revoke', `voucher ${issued.voucher.id}`],
    ]);
    expect(entries[1]!.details).toMatchObject({ reason: 'left early', devices: ['02:00:00:00:00:01'] });
    expect(JSON.stringify(entries)).not.toContain(issued.code.replaceAll('-', ''));
  });

  test('an unknown policy, an unknown voucher and a second revoke are named; nothing is stored for them', async () => {
    const { call, state } = setup();
    const staff = await call('vouchers.issue', { validSeconds: 3600, maxDevices: 1, policyId: 'staff' }) as VoucherIssued;
    expect(staff.voucher.policyId).toBe('staff');
    expect(formatVouchers((await call('vouchers', {})) as VouchersView)).toMatch(/ staff +ssh:office/);
    await expect(call('vouchers.issue', { validSeconds: 3600, maxDevices: 1, policyId: 'nope' })).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringMatching(/no policy "nope"/) });
    await expect(call('vouchers.revoke', { id: 42, reason: 'x' })).rejects.toMatchObject({ code: 'unknown-voucher' });
    const issued = await call('vouchers.issue', { validSeconds: 3600, maxDevices: 1 }) as VoucherIssued;
    await call('vouchers.revoke', { id: issued.voucher.id, reason: 'first' });
    await expect(call('vouchers.revoke', { id: issued.voucher.id, reason: 'second' })).rejects.toMatchObject({ code: 'invalid-input' });
    expect(state.audit.list({}).filter((e) => e.action === 'voucher.revoke')).toHaveLength(1);
    expect(state.vouchers.list(new Date(), { current: false }).map((v) => v.policyId)).toEqual([null, 'staff']);
  });

  test('--tier DOWN/UP, "-" for the policy\'s own', () => {
    expect(parseTier('5mbit/1mbit')).toEqual({ downKbit: 5000, upKbit: 1000 });
    expect(parseTier('2mbit/-')).toEqual({ downKbit: 2000, upKbit: null });
    expect(() => parseTier('5mbit')).toThrow(/DOWN\/UP/);
    expect(() => parseTier('fast/1mbit')).toThrow(/not a rate/);
  });

  test('option 114\'s default names the path the RFC 8908 API answers on', () => {
    const config = defaultConfig();
    config.web.portal = { address: '0.0.0.0', port: 443 };
    expect(defaultCaptivePortal(0x0a1e0001, config)).toBe(`https://10.30.0.1${CAPTIVE_API_PATH}`);
  });
});
