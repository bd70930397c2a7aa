// The rogue watch's judgement (whose OFFER or ACK is it?), its probe, its once-an-hour reporting,
// and reading the neighbour table for the offender's MAC.
import { describe, expect, it } from 'vitest';
import { parseIPv4 } from '../../../firmware/dhcp/ipv4.ts';
import { macFromArpTable } from '../../../firmware/dhcp/neighbours.ts';
import { MESSAGE_TYPE, OPT, u32 } from '../../../firmware/dhcp/options.ts';
import { encodeReply, parseRequest } from '../../../firmware/dhcp/packet.ts';
import { judgeReply, probeDiscover, RogueWatch, type RogueSighting } from '../../../firmware/dhcp/rogue-watch.ts';
import type { DhcpArrival, DhcpDestination, DhcpSocket } from '../../../firmware/dhcp/transport-types.ts';

const OURS = parseIPv4('10.10.0.1')!;
const chaddr = new Uint8Array(16);

function reply(type: number, server: string | null, yiaddr = '10.10.0.150'): Uint8Array {
  const options: (readonly [number, Uint8Array])[] = [[OPT.MESSAGE_TYPE, Uint8Array.of(type)]];
  if (server !== null) options.push([OPT.SERVER_ID, u32(parseIPv4(server)!)]);
  return encodeReply({ xid: 7, flags: 0x8000, ciaddr: 0, yiaddr: parseIPv4(yiaddr)!, siaddr: 0, giaddr: 0, chaddr, options });
}

describe('judgeReply', () => {
  it('reports another server\'s OFFER and ACK, by its server identifier', () => {
    expect(judgeReply(reply(MESSAGE_TYPE.OFFER, '192.168.1.1'), { sourceAddress: '192.168.1.1' }, OURS))
      .toEqual({ server: '192.168.1.1', sourceAddress: '192.168.1.1', messageType: 'OFFER', offered: '10.10.0.150' });
    expect(judgeReply(reply(MESSAGE_TYPE.ACK, '10.10.0.7'), { sourceAddress: '10.10.0.7' }, OURS)?.messageType).toBe('ACK');
    // No server identifier: named by where it came from.
    expect(judgeReply(reply(MESSAGE_TYPE.OFFER, null), { sourceAddress: '10.10.0.9' }, OURS)?.server).toBe('10.10.0.9');
  });

  it('ignores our own replies, NAKs, requests and garbage', () => {
    expect(judgeReply(reply(MESSAGE_TYPE.OFFER, '10.10.0.1'), { sourceAddress: '10.10.0.1' }, OURS)).toBeUndefined();
    expect(judgeReply(reply(MESSAGE_TYPE.OFFER, null), { sourceAddress: '10.10.0.1' }, OURS)).toBeUndefined();
    expect(judgeReply(reply(MESSAGE_TYPE.NAK, '192.168.1.1'), { sourceAddress: '192.168.1.1' }, OURS)).toBeUndefined();
    expect(judgeReply(probeDiscover(new Uint8Array(6).fill(2)), { sourceAddress: '192.168.1.1' }, OURS)).toBeUndefined();
    expect(judgeReply(new Uint8Array(40), { sourceAddress: '192.168.1.1' }, OURS)).toBeUndefined();
  });
});

describe('probeDiscover', () => {
  it('is a DISCOVER a server accepts, asking for a broadcast answer, from the given MAC, with a fresh xid', () => {
    const mac = Uint8Array.of(0x02, 0x5c, 0, 0x10, 0, 0x01);
    const a = parseRequest(probeDiscover(mac));
    const b = parseRequest(probeDiscover(mac));
    if (!a.ok || !b.ok) throw new Error('probe did not parse as a request');
    expect(a.message.messageType).toBe(MESSAGE_TYPE.DISCOVER);
    expect(a.message.mac).toBe('02:5c:00:10:00:01');
    expect(a.message.flags & 0x8000).toBe(0x8000);
    expect(a.message.xid).not.toBe(b.message.xid);
  });
});

class FakeSocket implements DhcpSocket {
  readonly interfaceName: string;
  readonly ifindex = 3;
  sent: DhcpDestination[] = [];
  closed = false;
  constructor(name: string) { this.interfaceName = name; }
  send(_bytes: Uint8Array, destination: DhcpDestination): void { this.sent.push(destination); }
  close(): void { this.closed = true; }
}

describe('RogueWatch', () => {
  it('probes every interface at start, reports a rogue once per repeat interval with its MAC, and closes its sockets', async () => {
    let now = 1_000_000;
    const receivers = new Map<string, (bytes: Uint8Array, arrival: DhcpArrival) => void>();
    const sockets: FakeSocket[] = [];
    const reports: Array<{ sighting: RogueSighting; mac: string | null }> = [];
    const watch = new RogueWatch({
      networks: [{ networkId: 'staff', interfaceName: 'lan-staff', serverAddress: OURS }],
      open: (name, onReceive) => { receivers.set(name, onReceive); const s = new FakeSocket(name); sockets.push(s); return s; },
      resolveMac: async (_if, address) => (address === '10.10.0.66' ? '02:5c:00:10:00:10' : null),
      interfaceMac: () => new Uint8Array(6),
      report: (sighting, mac) => reports.push({ sighting, mac }),
      probeEveryMs: 60_000, repeatAfterMs: 3_600_000, now: () => now,
      onError: (error) => { throw error; },
    });
    watch.start();
    expect(sockets[0]!.sent).toEqual([{ kind: 'broadcast' }]);
    const arrival: DhcpArrival = { ifindex: 3, sourceAddress: '10.10.0.66', sourcePort: 67, destinationAddress: '255.255.255.255' };
    const hear = receivers.get('lan-staff')!;
    hear(reply(MESSAGE_TYPE.OFFER, '10.10.0.66'), arrival);
    hear(reply(MESSAGE_TYPE.OFFER, '10.10.0.66'), arrival);
    hear(reply(MESSAGE_TYPE.OFFER, '10.10.0.1'), arrival);
    await expect.poll(() => reports.length).toBe(1);
    expect(reports[0]).toEqual({ sighting: { interfaceName: 'lan-staff', networkId: 'staff', server: '10.10.0.66', sourceAddress: '10.10.0.66', messageType: 'OFFER', offered: '10.10.0.150' }, mac: '02:5c:00:10:00:10' });
    expect(watch.sightings).toBe(2);
    now += 3_600_000;
    hear(reply(MESSAGE_TYPE.ACK, '10.10.0.66'), arrival);
    await expect.poll(() => reports.length).toBe(2);
    // A frame socket's arrival names the sender: no neighbour lookup (which knows no 192.168.1.1 here).
    hear(reply(MESSAGE_TYPE.OFFER, '192.168.1.1'), { ...arrival, sourceAddress: '192.168.1.1', sourceMac: '3c:22:fb:00:00:01' });
    await expect.poll(() => reports.length).toBe(3);
    expect(reports[2]).toMatchObject({ sighting: { server: '192.168.1.1' }, mac: '3c:22:fb:00:00:01' });
    watch.stop();
    expect(sockets[0]!.closed).toBe(true);
  });
});

describe('macFromArpTable', () => {
  const table = `IP address       HW type     Flags       HW address            Mask     Device
10.10.0.66       0x1         0x2         02:5C:00:10:00:10     *        lan-staff
10.10.0.67       0x1         0x0         00:00:00:00:00:00     *        lan-staff
10.20.0.66       0x1         0x2         02:5c:00:20:00:10     *        lan-pupil
`;
  it('finds a complete entry on the right interface only', () => {
    expect(macFromArpTable(table, '10.10.0.66', 'lan-staff')).toBe('02:5c:00:10:00:10');
    expect(macFromArpTable(table, '10.10.0.67', 'lan-staff')).toBeNull();
    expect(macFromArpTable(table, '10.20.0.66', 'lan-staff')).toBeNull();
    expect(macFromArpTable(table, '10.10.0.6', 'lan-staff')).toBeNull();
  });
});
