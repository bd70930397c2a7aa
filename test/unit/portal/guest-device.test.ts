// The device behind a guest address is the one whose lease holds it now, on an enabled guest
// network: an expired lease, a released one, or a lease on a staff network signs no one in.
import { describe, expect, test } from 'vitest';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { guestDeviceAt } from '../../../firmware/portal/voucher-portal.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import type { Lease } from '../../../firmware/state/schemas.ts';

const NOW = new Date('2026-12-07T10:00:00Z');

function lease(networkId: string, address: string, mac: string, patch: Partial<Lease> = {}): Lease {
  return {
    networkId, address, clientKey: `mac:${mac}`, mac, clientId: null, hostname: '', vendorClass: '', parameters: [], relayAgent: null, relayInfo: null,
    state: 'bound', expires: '2026-12-07T11:00:00.000Z', updated: '2026-12-07T09:00:00.000Z', ...patch,
  };
}

describe('guestDeviceAt', () => {
  test('a bound, unexpired lease on a guest network names the device; nothing else does', () => {
    const config = defaultConfig();
    const guest = config.networks.find((n) => n.kind === 'guest')!;
    const staff = config.networks.find((n) => n.kind === 'staff')!;
    const state = StateDatabase.open(':memory:');
    state.leases.bind(lease(guest.id, '10.30.0.100', '02:00:00:00:00:01'));
    state.leases.bind(lease(guest.id, '10.30.0.101', '02:00:00:00:00:02', { expires: '2026-12-07T09:59:59.000Z' }));
    state.leases.save(lease(guest.id, '10.30.0.102', '02:00:00:00:00:03', { state: 'released' }));
    state.leases.bind(lease(staff.id, '10.10.0.100', '02:00:00:00:00:04'));
    expect(guestDeviceAt(state, config, '10.30.0.100', NOW)).toEqual({ mac: '02:00:00:00:00:01', networkId: guest.id });
    expect(guestDeviceAt(state, config, '10.30.0.101', NOW)).toBeUndefined();
    expect(guestDeviceAt(state, config, '10.30.0.102', NOW)).toBeUndefined();
    expect(guestDeviceAt(state, config, '10.10.0.100', NOW)).toBeUndefined();
    expect(guestDeviceAt(state, config, '10.30.0.199', NOW)).toBeUndefined();
    guest.enabled = false;
    expect(guestDeviceAt(state, config, '10.30.0.100', NOW)).toBeUndefined();
  });
});
