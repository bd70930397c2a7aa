// The ARP probe's packets (firmware/dhcp/arp-frame.ts): the probe is RFC 5227's (sender IP 0,
// target MAC 0), a reply yields who answered for which address, each way a reply can fail to add
// up is refused, and no input, however mangled, makes the reader throw or read past its bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARP_PACKET_BYTES, arpProbe, readArpReply } from '../../../firmware/dhcp/arp-frame.ts';

const MAC = Uint8Array.of(0x02, 0x5c, 0x00, 0x20, 0x00, 0x20);
const ADDRESS = 0x0a140064; // 10.20.0.100

/** A reply from `mac` for `address`, at `start` in a buffer with room around it, padded as Ethernet pads it. */
function reply(o: { start?: number; padding?: number; mac?: Uint8Array; address?: number } = {}): { bytes: Uint8Array; start: number; length: number } {
  const start = o.start ?? 0;
  const length = ARP_PACKET_BYTES + (o.padding ?? 0);
  const bytes = new Uint8Array(start + length + 5);
  const view = new DataView(bytes.buffer, start);
  view.setUint16(0, 1);
  view.setUint16(2, 0x0800);
  bytes[start + 4] = 6;
  bytes[start + 5] = 4;
  view.setUint16(6, 2);
  bytes.set(o.mac ?? MAC, start + 8);
  view.setUint32(14, o.address ?? ADDRESS);
  bytes.set([0xaa, 0xe0, 0x63, 0x32, 0xf6, 0x4e], start + 18);
  view.setUint32(24, 0);
  return { bytes, start, length };
}

describe('arpProbe', () => {
  it('asks who has the address, from our MAC and sender IP 0 (RFC 5227 2.1.1)', () => {
    const ours = Uint8Array.of(0xaa, 0xe0, 0x63, 0x32, 0xf6, 0x4e);
    expect([...arpProbe(ours, ADDRESS)]).toEqual([
      0, 1, 8, 0, 6, 4, 0, 1,
      0xaa, 0xe0, 0x63, 0x32, 0xf6, 0x4e, 0, 0, 0, 0,
      0, 0, 0, 0, 0, 0, 10, 20, 0, 100,
    ]);
  });

  it('refuses a MAC that is not 6 bytes and an address that is not 32 bits', () => {
    expect(() => arpProbe(new Uint8Array(5), ADDRESS)).toThrow(RangeError);
    expect(() => arpProbe(MAC, -1)).toThrow(RangeError);
    expect(() => arpProbe(MAC, 2 ** 32)).toThrow(RangeError);
    expect(() => arpProbe(MAC, 1.5)).toThrow(RangeError);
  });
});

describe('readArpReply', () => {
  it('reads who answered for which address, inside a buffer and before Ethernet padding', () => {
    const r = reply({ start: 7, padding: 18 });
    expect(readArpReply(r.bytes, r.start, r.length)).toEqual({ senderMac: '02:5c:00:20:00:20', senderAddress: ADDRESS, targetAddress: 0 });
  });

  it('refuses a reply that does not add up', () => {
    const cases: [string, (b: Uint8Array) => void][] = [
      ['not Ethernet', (b) => { b[1] = 6; }],
      ['not IPv4', (b) => { b[2] = 0x86; b[3] = 0xdd; }],
      ['a 7-byte MAC', (b) => { b[4] = 7; }],
      ['a 16-byte address', (b) => { b[5] = 16; }],
      ['a request', (b) => { b[7] = 1; }],
      ['a zero MAC', (b) => { b.fill(0, 8, 14); }],
      ['a multicast MAC', (b) => { b[8] = 0x01; }],
      ['a broadcast MAC', (b) => { b.fill(0xff, 8, 14); }],
    ];
    for (const [what, spoil] of cases) {
      const r = reply();
      spoil(r.bytes);
      expect(readArpReply(r.bytes, r.start, r.length), what).toBeUndefined();
    }
    const r = reply();
    expect(readArpReply(r.bytes, 0, 27), 'shorter than 28 bytes').toBeUndefined();
    expect(readArpReply(r.bytes, r.bytes.length - 27, 28), 'past the buffer').toBeUndefined();
    expect(readArpReply(r.bytes, -1, 28), 'before the buffer').toBeUndefined();
    expect(readArpReply(r.bytes, 0.5, 28), 'not a whole offset').toBeUndefined();
  });

  it('reads back what a probe asks about, and any reply it builds', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), fc.nat({ max: 0xffffffff }), fc.nat(20), (mac, address, padding) => {
      fc.pre(mac.some((b) => b !== 0) && (mac[0]! & 1) === 0);
      const r = reply({ mac, address, padding });
      const read = readArpReply(r.bytes, r.start, r.length)!;
      expect(read.senderAddress).toBe(address);
      expect(read.senderMac.split(':').map((h) => parseInt(h, 16))).toEqual([...mac]);
      const probe = arpProbe(mac, address);
      expect(new DataView(probe.buffer).getUint32(24)).toBe(address);
    }), { numRuns: 2000 });
  });

  it('never throws, and never reads outside the bytes it was given, whatever they hold', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), fc.integer({ min: -2, max: 80 }), fc.integer({ min: -2, max: 80 }), fc.nat({ max: 47 }), fc.nat(255), (random, start, length, at, value) => {
      // Mutate a real reply as well as trying pure noise: most noise fails at the first byte.
      const r = reply({ padding: 10 });
      r.bytes[at % r.bytes.length] = value;
      for (const [bytes, s, n] of [[r.bytes, r.start, r.length], [random, start, length]] as const) {
        // Bytes outside [s, s + n) must not matter: spoil them and the answer stays the same.
        const outside = bytes.slice();
        for (let i = 0; i < outside.length; i++) if (i < s || i >= s + n) outside[i] = 0xff - outside[i]!;
        const read = readArpReply(bytes, s, n);
        expect(readArpReply(outside, s, n)).toEqual(read);
        if (read === undefined) continue;
        expect(n).toBeGreaterThanOrEqual(ARP_PACKET_BYTES);
        expect(s + n).toBeLessThanOrEqual(bytes.length);
        expect(read.senderAddress).toBeGreaterThanOrEqual(0);
        expect(read.senderAddress).toBeLessThanOrEqual(0xffffffff);
      }
    }), { numRuns: 20_000 });
  });
});
