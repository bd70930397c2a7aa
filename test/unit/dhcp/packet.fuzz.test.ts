// Random and mutated DHCP packets through the parser and the responder (with a real state.db in
// memory, a small pool so reclaiming and exhaustion are reached, a reservation, school devices):
// each must end as a reason it is malformed, a silence or a well-formed reply, never a throw.
// SCHOOLGATE_FUZZ_ITERATIONS=2000000 for a long run; SCHOOLGATE_FUZZ_SEED to replay one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { subnetContains } from '../../../firmware/dhcp/ipv4.ts';
import { MESSAGE_TYPE, OPT } from '../../../firmware/dhcp/options.ts';
import { parseReply, parseRequest } from '../../../firmware/dhcp/packet.ts';
import { DhcpResponder } from '../../../firmware/dhcp/responder.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { labNetwork, requestBytes, type RequestSpec } from './requests.ts';

const ITERATIONS = Number(process.env.SCHOOLGATE_FUZZ_ITERATIONS ?? 20_000);
const SEED = Number(process.env.SCHOOLGATE_FUZZ_SEED ?? Date.now() % 0x7fffffff) >>> 0 || 1;

const MACS = ['02:5c:00:30:00:10', '3c:22:fb:01:a2:9e', '02:00:00:00:00:01', '02:00:00:00:00:02'];

function seedPackets(): Uint8Array[] {
  const specs: RequestSpec[] = [];
  for (const mac of MACS) {
    specs.push(
      { type: MESSAGE_TYPE.DISCOVER, mac, params: [1, 3, 6, 15, 28, 114], hostname: 'laptop', vendorClass: 'MSFT 5.0' },
      { type: MESSAGE_TYPE.REQUEST, mac, requested: '10.30.0.100', serverId: '10.30.0.1' },
      { type: MESSAGE_TYPE.REQUEST, mac, requested: '10.30.0.101' },
      { type: MESSAGE_TYPE.REQUEST, mac, ciaddr: '10.30.0.100', flags: 0x8000 },
      { type: MESSAGE_TYPE.DECLINE, mac, requested: '10.30.0.100', serverId: '10.30.0.1' },
      { type: MESSAGE_TYPE.RELEASE, mac, ciaddr: '10.30.0.100', serverId: '10.30.0.1' },
      { type: MESSAGE_TYPE.INFORM, mac, ciaddr: '10.30.0.50' },
      { type: MESSAGE_TYPE.DISCOVER, mac, giaddr: '10.30.0.2', relayInfo: Uint8Array.of(1, 2, 3, 4), clientId: Uint8Array.of(1, 2, 3), maxSize: 1500 },
      { type: MESSAGE_TYPE.DISCOVER, mac, extra: [[OPT.OVERLOAD, Uint8Array.of(3)]] },
    );
  }
  return specs.map(requestBytes);
}

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'truncate'; at: number }
  | { op: 'append'; bytes: Uint8Array }
  | { op: 'option'; at: number; code: number; length: number }
  | { op: 'address'; at: number; value: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(600), bit: fc.nat(7) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(600), value: fc.nat(255) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat(600) }),
  fc.record({ op: fc.constant('append' as const), bytes: fc.uint8Array({ maxLength: 80 }) }),
  // An option header written over the options area: codes we read, lengths that lie.
  fc.record({ op: fc.constant('option' as const), at: fc.integer({ min: 240, max: 320 }), code: fc.constantFrom(12, 50, 52, 53, 54, 55, 57, 60, 61, 82, 255, 0, 99), length: fc.nat(255) }),
  // An address field (ciaddr, yiaddr, siaddr, giaddr) set to something in or near the subnet.
  fc.record({ op: fc.constant('address' as const), at: fc.constantFrom(12, 16, 20, 24), value: fc.oneof(fc.integer({ min: 0x0a1e0000, max: 0x0a1e00ff }), fc.nat(0xffffffff)) }),
);

function mutate(base: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let p = Uint8Array.from(base);
  for (const m of mutations) {
    switch (m.op) {
      case 'flip': if (p.length > 0) p[m.at % p.length]! ^= 1 << m.bit; break;
      case 'set': if (p.length > 0) p[m.at % p.length] = m.value; break;
      case 'truncate': p = p.subarray(0, m.at % (p.length + 1)); break;
      case 'append': { const q = new Uint8Array(p.length + m.bytes.length); q.set(p); q.set(m.bytes, p.length); p = q; break; }
      case 'option': if (p.length > m.at + 1) { p[m.at] = m.code; p[m.at + 1] = m.length; } break;
      case 'address': if (p.length >= m.at + 4) new DataView(p.buffer, p.byteOffset).setUint32(m.at, m.value); break;
    }
  }
  return p;
}

describe('DHCP packet fuzz', () => {
  it(`parses and answers ${ITERATIONS} random and mutated packets without throwing (seed ${SEED})`, () => {
    const state = StateDatabase.open(':memory:');
    state.devices.upsertSeen(MACS[1]!, 'staff', new Date(0));
    state.devices.update(MACS[1]!, { schoolOwned: true });
    const network = labNetwork('guest', (c) => {
      c.networks[2]!.dhcp!.pools = [{ first: '10.30.0.100', last: '10.30.0.107' }];
      c.reservations = [{ mac: MACS[0]!, address: '10.30.0.20', name: 'Reception PC' }];
    });
    const responder = new DhcpResponder({
      network, leases: state.leases, stored: [], schoolOwned: (mac) => state.devices.get(mac)?.schoolOwned ?? false,
    });
    const seeds = seedPackets();
    const malformed = new Map<string, number>();
    const outcomes = new Map<string, number>();
    let clock = Date.parse('2026-03-02T08:45:00.000Z');
    const packetArb = fc.oneof(
      { weight: 8, arbitrary: fc.tuple(fc.nat(seeds.length - 1), fc.array(mutationArb, { minLength: 0, maxLength: 4 })).map(([i, ms]) => mutate(seeds[i]!, ms)) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 700 }) },
    );
    fc.assert(fc.property(packetArb, fc.nat(120_000), (bytes, step) => {
      clock += step;
      const parsed = parseRequest(bytes);
      if (!parsed.ok) {
        malformed.set(parsed.reason, (malformed.get(parsed.reason) ?? 0) + 1);
        return;
      }
      const response = responder.respond(parsed.message, clock);
      outcomes.set(response.outcome, (outcomes.get(response.outcome) ?? 0) + 1);
      if (response.outcome === 'store-failed') throw response.error;
      if (response.reply === null) return;
      const reply = parseReply(response.reply.bytes);
      expect(reply).toBeDefined();
      expect(reply!.xid).toBe(parsed.message.xid);
      // Whatever came in, we only ever give out an address of this network's.
      if (reply!.yiaddr !== 0) expect(subnetContains(network.subnet, reply!.yiaddr)).toBe(true);
      expect(response.reply.bytes.length).toBeLessThanOrEqual(Math.max(300, parsed.message.maxReply));
    }), { numRuns: ITERATIONS, seed: SEED });
    // The run reached the responder's paths, not just the parser's refusals.
    expect(outcomes.get('offer') ?? 0).toBeGreaterThan(0);
    expect(outcomes.get('ack') ?? 0).toBeGreaterThan(0);
    expect(outcomes.get('nak') ?? 0).toBeGreaterThan(0);
    expect(malformed.size).toBeGreaterThan(3);
    state.close();
    // About 0.15 ms a packet on an idle core; the allowance leaves room for a loaded machine.
  }, Math.max(120_000, ITERATIONS * 2));
});
