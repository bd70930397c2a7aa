// Random conversations of a few clients with one small pool: whatever they send and whenever,
// no ACK gives an address another client holds, a reserved address goes only to its device, and
// every address given is the network's to give.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIPv4 } from '../../../firmware/dhcp/ipv4.ts';
import { MESSAGE_TYPE } from '../../../firmware/dhcp/options.ts';
import { DhcpResponder } from '../../../firmware/dhcp/responder.ts';
import { inPools } from '../../../firmware/dhcp/settings.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { labNetwork, request } from './requests.ts';

const MACS = ['02:00:00:00:00:01', '02:00:00:00:00:02', '02:00:00:00:00:03', '02:00:00:00:00:04', '02:00:00:00:00:05', '3c:22:fb:01:a2:9e'];
const RESERVED = { mac: MACS[5]!, address: '10.20.0.101' };
const ADDRESSES = ['10.20.0.100', '10.20.0.101', '10.20.0.102', '10.20.0.103', '10.20.0.50', '10.30.0.100'];

const stepArb = fc.record({
  client: fc.nat(MACS.length - 1),
  type: fc.constantFrom(MESSAGE_TYPE.DISCOVER, MESSAGE_TYPE.REQUEST, MESSAGE_TYPE.DECLINE, MESSAGE_TYPE.RELEASE, MESSAGE_TYPE.INFORM),
  state: fc.constantFrom('selecting', 'init-reboot', 'renewing', 'other-server'),
  address: fc.nat(ADDRESSES.length - 1),
  advanceMs: fc.oneof(fc.constant(0), fc.nat(5000), fc.nat(3_700_000)),
});

describe('allocation (property)', () => {
  it('never ACKs an address held by another client, nor a reservation to anyone but its device', () => {
    fc.assert(fc.property(fc.array(stepArb, { minLength: 1, maxLength: 80 }), (steps) => {
      const state = StateDatabase.open(':memory:');
      const network = labNetwork('pupil', (c) => {
        c.networks[1]!.dhcp!.pools = [{ first: '10.20.0.100', last: '10.20.0.103' }];
        c.networks[1]!.dhcp!.leaseSeconds = 3600;
        c.reservations = [RESERVED];
      });
      let responder = new DhcpResponder({ network, leases: state.leases, stored: [] });
      const holders = new Map<string, { mac: string; untilMs: number }>();
      let now = Date.parse('2026-03-02T08:45:00.000Z');
      // A reserved device that declined its own address (someone else answers on it) is given a
      // pool address while that one is set aside: the reservation cannot be honoured then.
      let reservedDeclined = false;
      for (const [i, step] of steps.entries()) {
        now += step.advanceMs;
        // Now and then the daemon restarts: the table is rebuilt from state.db alone.
        if (i % 17 === 16) responder = new DhcpResponder({ network, leases: state.leases, stored: state.leases.forNetwork('pupil') });
        const mac = MACS[step.client]!;
        const address = ADDRESSES[step.address]!;
        const spec = step.type === MESSAGE_TYPE.REQUEST
          ? step.state === 'selecting' ? { requested: address, serverId: '10.20.0.1' }
            : step.state === 'other-server' ? { requested: address, serverId: '10.20.0.254' }
              : step.state === 'init-reboot' ? { requested: address } : { ciaddr: address }
          : step.type === MESSAGE_TYPE.DECLINE ? { requested: address, serverId: '10.20.0.1' }
            : step.type === MESSAGE_TYPE.RELEASE || step.type === MESSAGE_TYPE.INFORM ? { ciaddr: address } : {};
        const response = responder.respond(request({ type: step.type, mac, ...spec }), now);
        expect(response.outcome).not.toBe('store-failed');
        if (response.outcome === 'released') holders.delete(address);
        if (response.outcome === 'declined') holders.delete(address);
        if (response.outcome === 'declined' && address === RESERVED.address) reservedDeclined = true;
        if (response.outcome !== 'ack' && response.outcome !== 'offer') continue;
        const given = formatIPv4(response.reply!.yiaddr);
        expect(inPools(network, response.reply!.yiaddr) || given === RESERVED.address).toBe(true);
        if (given === RESERVED.address) expect(mac).toBe(RESERVED.mac);
        if (mac === RESERVED.mac && !reservedDeclined) expect(given).toBe(RESERVED.address);
        const holder = holders.get(given);
        if (holder !== undefined && holder.mac !== mac) expect(holder.untilMs).toBeLessThanOrEqual(now);
        if (response.outcome === 'ack') {
          for (const [a, h] of holders) if (h.mac === mac) holders.delete(a);
          holders.set(given, { mac, untilMs: now + 3600_000 });
        }
      }
      // And state.db agrees: no address bound twice, no client bound twice, at the end.
      const active = state.leases.list({ activeAt: new Date(now) });
      expect(new Set(active.map((l) => l.clientKey)).size).toBe(active.length);
      state.close();
    }), { numRuns: 300 });
  });
});
