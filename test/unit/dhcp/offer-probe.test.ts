// Probe before offer (firmware/dhcp/offer-probe.ts) with a real responder and state.db in memory;
// the probe is the I/O seam, here a table of which MAC answers for which address.
import { describe, expect, it } from 'vitest';
import { formatIPv4, parseIPv4 } from '../../../firmware/dhcp/ipv4.ts';
import { MESSAGE_TYPE } from '../../../firmware/dhcp/options.ts';
import { MAX_PROBES, OfferProbes } from '../../../firmware/dhcp/offer-probe.ts';
import { DhcpResponder } from '../../../firmware/dhcp/responder.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { labNetwork, request, type RequestSpec } from './requests.ts';

const T0 = Date.parse('2026-03-02T08:45:00.000Z');
const CLIENT = '02:5c:00:20:00:10';
const PRINTER = '3c:22:fb:01:a2:9e';
const SERVER = '10.20.0.1';

function setup(answers: Record<string, string> = {}) {
  const network = labNetwork('pupil');
  const state = StateDatabase.open(':memory:');
  const responder = new DhcpResponder({ network, leases: state.leases, stored: [] });
  const probed: string[] = [];
  let nowMs = T0;
  const probes = new OfferProbes(async (address) => {
    probed.push(formatIPv4(address));
    return answers[formatIPv4(address)] ?? null;
  }, () => nowMs);
  /** What the service does with one message: respond, and probe first when the offer is new. */
  const exchange = async (spec: RequestSpec) => {
    const message = request(spec);
    const before = probes.holding(responder, message.clientKey, nowMs);
    const response = responder.respond(message, nowMs);
    if (!probes.needed(response, before)) return { response, events: response.events, probedFirst: false };
    return { ...(await probes.settle(responder, message, response, before)), probedFirst: true };
  };
  const advance = (ms: number): void => { nowMs += ms; };
  return { responder, probes, probed, exchange, advance };
}

const discover = (mac = CLIENT): RequestSpec => ({ type: MESSAGE_TYPE.DISCOVER, mac });
const offered = (r: { response: { reply: { yiaddr: number } | null } | null }): string => formatIPv4(r.response!.reply!.yiaddr);

describe('probe before offer', () => {
  it('offers a new address once nothing answers for it', async () => {
    const { exchange, probed, probes } = setup();
    const first = await exchange(discover());
    expect(first.probedFirst).toBe(true);
    expect(offered(first)).toBe('10.20.0.100');
    expect(probed).toEqual(['10.20.0.100']);
    expect(probes.counters).toEqual({ probed: 1, inUse: 0, gaveUp: 0, whileProbing: 0 });
  });

  it('sets aside an address a device without a lease answers for, names that device, and offers the next', async () => {
    const { exchange, probed, responder } = setup({ '10.20.0.100': PRINTER });
    const r = await exchange(discover());
    expect(offered(r)).toBe('10.20.0.101');
    expect(probed).toEqual(['10.20.0.100', '10.20.0.101']);
    expect(r.events).toEqual([{ kind: 'dhcp.address-in-use', mac: PRINTER, details: { address: '10.20.0.100', client: CLIENT } }]);
    expect(responder.table.at(parseIPv4('10.20.0.100')!)?.state).toBe('in-use');
    // Another new client is not offered the printer's address either.
    expect(offered(await exchange(discover('02:5c:00:20:00:11')))).toBe('10.20.0.102');
  });

  it('offers the address when the client itself answers (it already uses it)', async () => {
    const { exchange } = setup({ '10.20.0.100': CLIENT });
    const r = await exchange(discover());
    expect(offered(r)).toBe('10.20.0.100');
    expect(r.events).toEqual([]);
  });

  it('gives up after MAX_PROBES answered probes, sends nothing, and probes again when the client retries', async () => {
    const answers = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`10.20.0.${100 + i}`, PRINTER]));
    const { exchange, probes, probed } = setup(answers);
    const r = await exchange(discover());
    expect(r.response).toBeNull();
    expect(probed).toHaveLength(MAX_PROBES);
    expect(r.events.filter((e) => e.kind === 'dhcp.address-in-use')).toHaveLength(MAX_PROBES);
    expect(probes.counters).toMatchObject({ probed: MAX_PROBES, inUse: MAX_PROBES, gaveUp: 1 });
    // The retransmission is probed like a new request: the withdrawn offer is not the client's.
    const again = await exchange(discover());
    expect(again.probedFirst).toBe(true);
    expect(probed.slice(MAX_PROBES)).toEqual(['10.20.0.103', '10.20.0.104', '10.20.0.105']);
  });

  it('never delays a client returning to its own lease, or retransmitting while its offer is held', async () => {
    const { exchange, probed, advance } = setup();
    const offer = await exchange(discover());
    const address = offered(offer);
    const retransmit = await exchange(discover());
    expect(retransmit.probedFirst).toBe(false);
    expect(offered(retransmit)).toBe(address);
    const ack = await exchange({ type: MESSAGE_TYPE.REQUEST, mac: CLIENT, requested: address, serverId: SERVER });
    expect(ack.response!.outcome).toBe('ack');
    advance(2 * 3600_000); // the lease has lapsed; the client comes back next week
    const back = await exchange(discover());
    expect(back.probedFirst).toBe(false);
    expect(offered(back)).toBe(address);
    expect(probed).toEqual([address]);
  });

  it('marks a client busy while its offer is probed', async () => {
    const { responder, probes } = setup();
    const message = request(discover());
    const before = probes.holding(responder, message.clientKey, T0);
    const settling = probes.settle(responder, message, responder.respond(message, T0), before);
    expect(probes.busy(message.clientKey)).toBe(true);
    await settling;
    expect(probes.busy(message.clientKey)).toBe(false);
  });
});
