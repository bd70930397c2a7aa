import { describe, expect, it } from 'vitest';
import { formatIPv4 } from '../../../firmware/dhcp/ipv4.ts';
import { OFFER_HOLD_MS, QUARANTINE_MS } from '../../../firmware/dhcp/lease-table.ts';
import { MESSAGE_TYPE, OPT, readU32 } from '../../../firmware/dhcp/options.ts';
import { BROADCAST_FLAG, parseReply } from '../../../firmware/dhcp/packet.ts';
import { DhcpResponder, type DhcpResponse } from '../../../firmware/dhcp/responder.ts';
import type { DhcpNetwork } from '../../../firmware/dhcp/settings.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { labNetwork, request, type RequestSpec } from './requests.ts';

const T0 = Date.parse('2026-03-02T08:45:00.000Z');
const PUPIL_SERVER = '10.20.0.1';
const MAC_A = '02:5c:00:20:00:10';
const MAC_B = '3c:22:fb:01:a2:9e';

function server(network: DhcpNetwork = labNetwork('pupil'), state = StateDatabase.open(':memory:')) {
  const responder = new DhcpResponder({
    network, leases: state.leases, stored: state.leases.forNetwork(network.id),
    schoolOwned: (mac) => state.devices.get(mac)?.schoolOwned ?? false,
  });
  const send = (spec: RequestSpec, at = T0): DhcpResponse => responder.respond(request(spec), at);
  return { responder, state, send };
}

function yiaddr(response: DhcpResponse): string {
  expect(response.reply).not.toBeNull();
  return formatIPv4(response.reply!.yiaddr);
}

function options(response: DhcpResponse): Map<number, Uint8Array> {
  return new Map(parseReply(response.reply!.bytes)!.options);
}

/** DISCOVER then REQUEST (SELECTING); returns the ACKed address. */
function dora(send: (spec: RequestSpec, at?: number) => DhcpResponse, spec: Partial<RequestSpec> = {}, at = T0, serverId = PUPIL_SERVER): string {
  const offer = send({ type: MESSAGE_TYPE.DISCOVER, ...spec }, at);
  expect(offer.outcome).toBe('offer');
  const ack = send({ type: MESSAGE_TYPE.REQUEST, ...spec, requested: yiaddr(offer), serverId }, at);
  expect(ack.outcome).toBe('ack');
  return yiaddr(ack);
}

describe('DISCOVER, OFFER, REQUEST, ACK', () => {
  it('offers the first pool address with the network options, and ACKs it once the lease is in state.db', () => {
    const { send, state } = server();
    const offer = send({ type: MESSAGE_TYPE.DISCOVER, hostname: 'ipad-7', vendorClass: 'android-dhcp-14' });
    expect(offer.outcome).toBe('offer');
    expect(offer.reply!.destination).toEqual({ kind: 'hardware', address: '10.20.0.100', mac: MAC_A });
    const o = options(offer);
    expect(o.get(OPT.MESSAGE_TYPE)).toEqual(Uint8Array.of(MESSAGE_TYPE.OFFER));
    expect(formatIPv4(readU32(o.get(OPT.SERVER_ID)!))).toBe(PUPIL_SERVER);
    expect(formatIPv4(readU32(o.get(OPT.SUBNET_MASK)!))).toBe('255.255.255.0');
    expect(formatIPv4(readU32(o.get(OPT.ROUTER)!))).toBe(PUPIL_SERVER);
    expect(formatIPv4(readU32(o.get(OPT.DNS)!))).toBe(PUPIL_SERVER);
    expect(formatIPv4(readU32(o.get(OPT.BROADCAST)!))).toBe('10.20.0.255');
    expect([readU32(o.get(OPT.LEASE_TIME)!), readU32(o.get(OPT.RENEWAL_TIME)!), readU32(o.get(OPT.REBINDING_TIME)!)]).toEqual([3600, 1800, 3150]);
    expect(new TextDecoder().decode(o.get(OPT.DOMAIN_NAME))).toBe('schoolgate.home.arpa');
    expect(o.has(OPT.CAPTIVE_PORTAL)).toBe(false);
    expect(state.leases.list()).toEqual([]); // an offer is never stored

    const ack = send({ type: MESSAGE_TYPE.REQUEST, requested: '10.20.0.100', serverId: PUPIL_SERVER, hostname: 'ipad-7', vendorClass: 'android-dhcp-14', params: [1, 3, 6] });
    expect(ack.outcome).toBe('ack');
    expect(yiaddr(ack)).toBe('10.20.0.100');
    expect(state.leases.list()).toMatchObject([{
      networkId: 'pupil', address: '10.20.0.100', mac: MAC_A, hostname: 'ipad-7', state: 'bound', parameters: [1, 3, 6],
      expires: new Date(T0 + 3600_000).toISOString(),
    }]);
    expect(state.devices.get(MAC_A)).toMatchObject({ networkId: 'pupil', hostname: 'ipad-7', vendorClass: 'android-dhcp-14', randomisedMac: true });
  });

  it('broadcasts to a client that sets the broadcast flag', () => {
    const { send } = server();
    expect(send({ type: MESSAGE_TYPE.DISCOVER, flags: BROADCAST_FLAG }).reply!.destination).toEqual({ kind: 'broadcast' });
  });

  it('sends option 114 on guest networks only, and only to a client that asks for it or sends no list', () => {
    const guest = server(labNetwork('guest')).send;
    const uri = (r: DhcpResponse) => new TextDecoder().decode(options(r).get(OPT.CAPTIVE_PORTAL));
    expect(uri(guest({ type: MESSAGE_TYPE.DISCOVER, params: [1, 3, 6, 114] }))).toBe('https://10.30.0.1/api/captive-portal');
    expect(uri(guest({ type: MESSAGE_TYPE.DISCOVER, mac: MAC_B }))).toBe('https://10.30.0.1/api/captive-portal');
    expect(options(guest({ type: MESSAGE_TYPE.DISCOVER, mac: '02:00:00:00:00:03', params: [1, 3, 6] })).has(OPT.CAPTIVE_PORTAL)).toBe(false);
    const pupil = server().send;
    expect(options(pupil({ type: MESSAGE_TYPE.DISCOVER, params: [1, 3, 6, 114] })).has(OPT.CAPTIVE_PORTAL)).toBe(false);
  });

  it('drops optional options before exceeding the size the client accepts', () => {
    const network = labNetwork('guest', (c) => {
      c.networks[2]!.dhcp!.domain = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.example`;
      c.networks[2]!.dhcp!.captivePortal = `https://portal.example/${'x'.repeat(200)}`;
    });
    const r = server(network).send({ type: MESSAGE_TYPE.DISCOVER });
    expect(r.reply!.bytes.length).toBeLessThanOrEqual(548);
    expect(options(r).has(OPT.CAPTIVE_PORTAL)).toBe(false);
    expect(options(r).has(OPT.SUBNET_MASK)).toBe(true);
  });

  it('gives a returning client its address again: while bound, after release, after expiry, and after a restart', () => {
    const { send, state } = server();
    dora(send, { mac: MAC_B });
    const first = dora(send);
    expect(first).toBe('10.20.0.101');
    expect(send({ type: MESSAGE_TYPE.RELEASE, ciaddr: first }, T0 + 1000).outcome).toBe('released');
    expect(state.leases.list({ networkId: 'pupil' }).find((l) => l.address === first)?.state).toBe('released');
    expect(dora(send, {}, T0 + 2000)).toBe(first);
    expect(dora(send, {}, T0 + 3600_000 * 5)).toBe(first);
    const restarted = server(labNetwork('pupil'), state);
    expect(dora(restarted.send, {}, T0 + 3600_000 * 6)).toBe(first);
    expect(dora(restarted.send, { mac: '02:00:00:00:00:09' }, T0 + 3600_000 * 6)).toBe('10.20.0.102');
  });

  it('keys a client by option 61 when it sends one, not by its MAC', () => {
    const { send } = server();
    const id = Uint8Array.of(0xff, 1, 2, 3, 4);
    // RFC 6842: the identifier comes back in the reply.
    expect([...options(send({ type: MESSAGE_TYPE.DISCOVER, clientId: id })).get(OPT.CLIENT_ID)!]).toEqual([...id]);
    const a = dora(send, { clientId: id });
    expect(dora(send, { clientId: Uint8Array.of(0xff, 9, 9, 9, 9) })).not.toBe(a);
    expect(dora(send, { clientId: id, mac: '02:00:00:00:00:44' })).toBe(a);
  });
});

describe('REQUEST in its other states', () => {
  it('quietly withdraws its offer when the client chose another server, so the address goes first to someone else', () => {
    const { send } = server(labNetwork('pupil', (c) => { c.networks[1]!.dhcp!.pools = [{ first: '10.20.0.100', last: '10.20.0.101' }]; }));
    expect(yiaddr(send({ type: MESSAGE_TYPE.DISCOVER, mac: MAC_B }))).toBe('10.20.0.100');
    expect(yiaddr(send({ type: MESSAGE_TYPE.DISCOVER }, T0 + 1))).toBe('10.20.0.101');
    expect(send({ type: MESSAGE_TYPE.REQUEST, requested: '10.20.0.101', serverId: '10.20.0.254' }, T0 + 2)).toMatchObject({ outcome: 'chose-other-server', reply: null });
    // Without the withdrawal the oldest unconfirmed offer (.100) would be reclaimed first.
    expect(yiaddr(send({ type: MESSAGE_TYPE.DISCOVER, mac: '02:00:00:00:00:03' }, T0 + 3))).toBe('10.20.0.101');
  });

  it('NAKs a SELECTING request for an address that is not available', () => {
    const { send } = server();
    dora(send, { mac: MAC_B });
    const nak = send({ type: MESSAGE_TYPE.REQUEST, requested: '10.20.0.100', serverId: PUPIL_SERVER });
    expect(nak.outcome).toBe('nak');
    expect(nak.reply!.destination).toEqual({ kind: 'broadcast' });
    expect(options(nak).get(OPT.MESSAGE_TYPE)).toEqual(Uint8Array.of(MESSAGE_TYPE.NAK));
  });

  it('INIT-REBOOT: ACKs its own address, NAKs another network\'s or someone else\'s, stays silent for a client it does not know', () => {
    const { send } = server();
    const mine = dora(send);
    expect(send({ type: MESSAGE_TYPE.REQUEST, requested: mine }, T0 + 10).outcome).toBe('ack');
    expect(send({ type: MESSAGE_TYPE.REQUEST, requested: '10.30.0.100' }, T0 + 10).outcome).toBe('nak');
    expect(send({ type: MESSAGE_TYPE.REQUEST, requested: '10.20.0.150' }, T0 + 10).outcome).toBe('nak');
    expect(send({ type: MESSAGE_TYPE.REQUEST, requested: mine, mac: MAC_B }, T0 + 10).outcome).toBe('nak');
    expect(send({ type: MESSAGE_TYPE.REQUEST, requested: '10.20.0.150', mac: MAC_B }, T0 + 10)).toMatchObject({ outcome: 'unknown-client', reply: null });
  });

  it('RENEWING and REBINDING extend the lease, unicast to the client, and are never rate limited', () => {
    const { send, state } = server(labNetwork('pupil', (c) => { c.networks[1]!.dhcp!.rateLimit = { perMacPerMinute: 1, perNetworkPerMinute: 1 }; }));
    const mine = dora(send);
    for (let i = 1; i <= 20; i++) {
      const renew = send({ type: MESSAGE_TYPE.REQUEST, ciaddr: mine, flags: i % 2 ? BROADCAST_FLAG : 0 }, T0 + i * 1000);
      expect(renew.outcome).toBe('ack');
      expect(renew.reply!.destination).toEqual({ kind: 'unicast', address: mine, port: 68 });
    }
    expect(state.leases.list()[0]!.expires).toBe(new Date(T0 + 20_000 + 3600_000).toISOString());
    expect(send({ type: MESSAGE_TYPE.REQUEST, ciaddr: '192.168.1.20' }, T0 + 30_000).outcome).toBe('not-ours');
  });

  it('NAKs a renewal of an address that is now reserved for another device', () => {
    const { send, state } = server();
    const mine = dora(send);
    const reserved = server(labNetwork('pupil', (c) => { c.reservations = [{ mac: MAC_B, address: mine }]; }), state);
    expect(reserved.send({ type: MESSAGE_TYPE.REQUEST, ciaddr: mine }, T0 + 1000).outcome).toBe('nak');
  });
});

describe('reservations', () => {
  const withReservation = labNetwork('pupil', (c) => {
    c.deviceGroups = [{ id: 'ks2-ipads', name: 'KS2 iPads' }];
    c.reservations = [{ mac: MAC_B, address: '10.20.0.100', name: 'Year 3 iPad 12', group: 'ks2-ipads' }, { mac: '02:00:00:00:00:07', address: '10.20.0.20' }];
  });

  it('gives a reserved device its address (also outside the pool) and names it in the device table', () => {
    const { send, state } = server(withReservation);
    expect(dora(send, { mac: MAC_B })).toBe('10.20.0.100');
    expect(dora(send, { mac: '02:00:00:00:00:07' })).toBe('10.20.0.20');
    expect(state.devices.get(MAC_B)).toMatchObject({ name: 'Year 3 iPad 12', groupId: 'ks2-ipads' });
  });

  it('never gives a reserved address to anyone else, even when asked for it', () => {
    const { send } = server(withReservation);
    expect(dora(send, { requested: '10.20.0.100' })).toBe('10.20.0.101');
    expect(send({ type: MESSAGE_TYPE.REQUEST, requested: '10.20.0.100', serverId: PUPIL_SERVER, mac: '02:00:00:00:00:08' }).outcome).toBe('nak');
  });

  it('moves a device that had a dynamic address to its reservation', () => {
    const { send, state } = server();
    const before = dora(send, { mac: MAC_B, requested: '10.20.0.150' });
    expect(before).toBe('10.20.0.150');
    const after = server(withReservation, state);
    expect(after.send({ type: MESSAGE_TYPE.REQUEST, ciaddr: before, mac: MAC_B }, T0 + 1000).outcome).toBe('nak');
    expect(dora(after.send, { mac: MAC_B }, T0 + 2000)).toBe('10.20.0.100');
  });
});

describe('DECLINE, RELEASE, INFORM', () => {
  it('quarantines a declined address with an event, and offers another', () => {
    const { send, state } = server();
    const first = dora(send);
    const decline = send({ type: MESSAGE_TYPE.DECLINE, requested: first, serverId: PUPIL_SERVER }, T0 + 10);
    expect(decline.outcome).toBe('declined');
    expect(decline.events).toEqual([{ kind: 'dhcp.declined', mac: MAC_A, details: { address: first, quarantineSeconds: QUARANTINE_MS / 1000 } }]);
    expect(state.leases.list()).toMatchObject([{ address: first, state: 'declined' }]);
    expect(dora(send, {}, T0 + 20)).not.toBe(first);
    expect(dora(send, { mac: MAC_B, requested: first }, T0 + 30)).not.toBe(first);
  });

  it('ignores a DECLINE or RELEASE from a client that does not hold the address', () => {
    const { send } = server();
    const a = dora(send);
    expect(send({ type: MESSAGE_TYPE.DECLINE, requested: a, serverId: PUPIL_SERVER, mac: MAC_B }).outcome).toBe('ignored');
    expect(send({ type: MESSAGE_TYPE.RELEASE, ciaddr: a, mac: MAC_B }).outcome).toBe('ignored');
    expect(send({ type: MESSAGE_TYPE.REQUEST, ciaddr: a }).outcome).toBe('ack');
  });

  it('answers INFORM with the options but no lease, to the client\'s address', () => {
    const { send, state } = server();
    const inform = send({ type: MESSAGE_TYPE.INFORM, ciaddr: '10.20.0.50' });
    expect(inform.outcome).toBe('inform');
    expect(inform.reply!.destination).toEqual({ kind: 'unicast', address: '10.20.0.50', port: 68 });
    expect(inform.reply!.yiaddr).toBe(0);
    const o = options(inform);
    expect(o.get(OPT.MESSAGE_TYPE)).toEqual(Uint8Array.of(MESSAGE_TYPE.ACK));
    expect(o.has(OPT.LEASE_TIME)).toBe(false);
    expect(o.has(OPT.ROUTER)).toBe(true);
    expect(state.leases.list()).toEqual([]);
  });
});

describe('relayed requests', () => {
  it('answers the relay on port 67, echoes option 82 and records it with the lease', () => {
    const { send, state } = server();
    const relay = { giaddr: '10.20.0.2', relayInfo: Uint8Array.of(1, 4, 0x47, 0x69, 0x31, 0x30) };
    const offer = send({ type: MESSAGE_TYPE.DISCOVER, ...relay });
    expect(offer.reply!.destination).toEqual({ kind: 'unicast', address: '10.20.0.2', port: 67 });
    expect([...options(offer).get(OPT.RELAY_AGENT_INFO)!]).toEqual([...relay.relayInfo]);
    expect(parseReply(offer.reply!.bytes)!.giaddr).toBe(0x0a140002);
    send({ type: MESSAGE_TYPE.REQUEST, ...relay, requested: yiaddr(offer), serverId: PUPIL_SERVER });
    expect(state.leases.list()[0]).toMatchObject({ relayAgent: '10.20.0.2', relayInfo: '010447693130' });
    const nak = send({ type: MESSAGE_TYPE.REQUEST, ...relay, requested: '10.30.0.5' });
    expect(nak.reply!.destination).toEqual({ kind: 'unicast', address: '10.20.0.2', port: 67 });
    expect(nak.reply!.bytes[10]! & 0x80).toBe(0x80);
  });
});

describe('pools, exhaustion and starvation', () => {
  const small = (size: number, edit?: (n: NonNullable<ReturnType<typeof labNetwork>>) => void) => {
    const n = labNetwork('pupil', (c) => { c.networks[1]!.dhcp!.pools = [{ first: '10.20.0.100', last: formatIPv4(0x0a140064 + size - 1) }]; });
    edit?.(n);
    return n;
  };
  const mac = (i: number) => `02:aa:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;

  it('reports an exhausted pool as an event (once a minute), not an error, and reclaims expired leases first', () => {
    const { send } = server(small(2));
    dora(send, { mac: mac(1) });
    dora(send, { mac: mac(2) });
    const full = send({ type: MESSAGE_TYPE.DISCOVER, mac: mac(3) }, T0 + 1);
    expect(full).toMatchObject({ outcome: 'pool-exhausted', reply: null });
    expect(full.events).toMatchObject([{ kind: 'dhcp.pool-exhausted', details: { poolSize: 2 } }]);
    expect(send({ type: MESSAGE_TYPE.DISCOVER, mac: mac(4) }, T0 + 2).events).toEqual([]);
    // After the leases lapse, the longest-lapsed goes first.
    send({ type: MESSAGE_TYPE.REQUEST, mac: mac(2), ciaddr: '10.20.0.101' }, T0 + 1000);
    expect(yiaddr(send({ type: MESSAGE_TYPE.DISCOVER, mac: mac(3) }, T0 + 3600_000 + 500))).toBe('10.20.0.100');
  });

  it('reclaims offers never confirmed before refusing anyone', () => {
    const { send } = server(small(2));
    send({ type: MESSAGE_TYPE.DISCOVER, mac: mac(1) });
    send({ type: MESSAGE_TYPE.DISCOVER, mac: mac(2) }, T0 + 10);
    expect(yiaddr(send({ type: MESSAGE_TYPE.DISCOVER, mac: mac(3) }, T0 + 20))).toBe('10.20.0.100');
    expect(yiaddr(send({ type: MESSAGE_TYPE.DISCOVER, mac: mac(4) }, T0 + OFFER_HOLD_MS + 30))).toBe('10.20.0.101');
  });

  it('a starvation run of thousands of random MACs leaves room for a real client that asks again, and is an event', () => {
    const { send, responder } = server(labNetwork('pupil'));
    const events: string[] = [];
    let bound = 0;
    // 5000 DORA exchanges in 5 seconds, each from a new MAC, as perfdhcp or dhcpstarv would send them.
    for (let i = 0; i < 5000; i++) {
      const at = T0 + i;
      const offer = send({ type: MESSAGE_TYPE.DISCOVER, mac: mac(i + 1), xid: i }, at);
      events.push(...offer.events.map((e) => e.kind));
      if (offer.reply === null) continue;
      const ack = send({ type: MESSAGE_TYPE.REQUEST, mac: mac(i + 1), xid: i, requested: yiaddr(offer), serverId: PUPIL_SERVER }, at);
      if (ack.outcome === 'ack') bound++;
    }
    expect(events).toContain('dhcp.starvation');
    expect(bound).toBeLessThan(100);
    expect(responder.table.freeCount(T0 + 5000)).toBeGreaterThanOrEqual(10);
    // The real client: refused while the flood runs, it retransmits a second later and gets in.
    const realMac = '3c:22:fb:01:a2:9e';
    const attempts = [T0 + 5000, T0 + 6000, T0 + 7000].map((at) => send({ type: MESSAGE_TYPE.DISCOVER, mac: realMac, xid: 0x5151 }, at));
    const offered = attempts.find((r) => r.outcome === 'offer');
    expect(offered).toBeDefined();
    expect(send({ type: MESSAGE_TYPE.REQUEST, mac: realMac, xid: 0x5151, requested: yiaddr(offered!), serverId: PUPIL_SERVER }, T0 + 7000).outcome).toBe('ack');
    expect(responder.admission.networkLimited).toBeGreaterThan(4000);
  });

  it('a minute-long flood that repeats its MACs (each request a new exchange) never reaches the reserve; a retransmitting client does', () => {
    const { send, responder } = server(labNetwork('pupil'));
    let random = 7;
    const next = () => { random = (random * 1103515245 + 12345) >>> 0; return random; };
    // perfdhcp -R 3000 -r 1000 for 60 s: 60000 exchanges from 3000 MACs, a fresh xid each time.
    for (let i = 0; i < 60_000; i++) {
      const at = T0 + i;
      const m = mac(1 + (next() % 3000));
      const offer = send({ type: MESSAGE_TYPE.DISCOVER, mac: m, xid: i }, at);
      if (offer.reply !== null) send({ type: MESSAGE_TYPE.REQUEST, mac: m, xid: i, requested: yiaddr(offer), serverId: PUPIL_SERVER }, at);
    }
    expect(responder.admission.admittedPatient).toBe(0);
    expect(responder.table.freeCount(T0 + 60_000)).toBeGreaterThanOrEqual(10);
    const realMac = '3c:22:fb:01:a2:9e';
    expect(send({ type: MESSAGE_TYPE.DISCOVER, mac: realMac, xid: 77 }, T0 + 59_000).outcome).toBe('rate-limited');
    expect(send({ type: MESSAGE_TYPE.DISCOVER, mac: realMac, xid: 77 }, T0 + 60_000).outcome).toBe('offer');
    expect(responder.admission.admittedPatient).toBe(1);
  });

  it('limits new leases per MAC, with an event naming it', () => {
    const { send } = server();
    const outcomes: string[] = [];
    const events: string[] = [];
    for (let i = 0; i < 8; i++) {
      const offer = send({ type: MESSAGE_TYPE.DISCOVER }, T0 + i * 100);
      outcomes.push(offer.outcome);
      events.push(...offer.events.map((e) => `${e.kind} ${e.mac}`));
      if (offer.reply) send({ type: MESSAGE_TYPE.DECLINE, requested: yiaddr(offer), serverId: PUPIL_SERVER }, T0 + i * 100);
    }
    expect(outcomes).toEqual(['offer', 'offer', 'offer', 'offer', 'offer', 'offer', 'rate-limited', 'rate-limited']);
    expect(events).toEqual([`dhcp.rate-limited ${MAC_A}`]);
  });

  it('skips an address a probe found in use', () => {
    const { send, responder } = server();
    responder.markInUse(0x0a140064, T0);
    expect(yiaddr(send({ type: MESSAGE_TYPE.DISCOVER }))).toBe('10.20.0.101');
    expect(send({ type: MESSAGE_TYPE.REQUEST, requested: '10.20.0.100', serverId: PUPIL_SERVER, mac: MAC_B }).outcome).toBe('nak');
  });
});

describe('the lease store', () => {
  it('sends no ACK when the lease cannot be committed', () => {
    const { send, state } = server();
    const offer = send({ type: MESSAGE_TYPE.DISCOVER });
    state.close();
    const result = send({ type: MESSAGE_TYPE.REQUEST, requested: yiaddr(offer), serverId: PUPIL_SERVER });
    expect(result).toMatchObject({ outcome: 'store-failed', reply: null });
    expect(result.error).toBeInstanceOf(Error);
  });

  it('raises an event when a school-owned device asks on the guest network, at most every ten minutes', () => {
    const state = StateDatabase.open(':memory:');
    state.devices.upsertSeen(MAC_B, 'staff', new Date(T0));
    state.devices.update(MAC_B, { schoolOwned: true });
    const { send } = server(labNetwork('guest'), state);
    const first = send({ type: MESSAGE_TYPE.DISCOVER, mac: MAC_B, hostname: 'staff-laptop-3' });
    expect(first.outcome).toBe('offer');
    expect(first.events).toEqual([{ kind: 'dhcp.school-device-on-guest', mac: MAC_B, details: { hostname: 'staff-laptop-3', message: 'DISCOVER' } }]);
    expect(send({ type: MESSAGE_TYPE.DISCOVER, mac: MAC_B }, T0 + 60_000).events).toEqual([]);
    expect(send({ type: MESSAGE_TYPE.DISCOVER, mac: MAC_A }, T0 + 60_000).events).toEqual([]);
  });
});
