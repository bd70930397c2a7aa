// The IPv4/UDP header reader for the rogue watch's frames (firmware/dhcp/udp-frame.ts): what a
// well-formed packet yields, each way a packet can fail to add up, and that no input, however
// mangled, makes it throw or point outside the bytes it was given.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readUdpFrame } from '../../../firmware/dhcp/udp-frame.ts';

/** An IPv4 packet carrying a UDP datagram, at `start` in a buffer with room around it. */
function packet(payload: number[], o: { start?: number; options?: number; padding?: number } = {}): { bytes: Uint8Array; start: number; length: number } {
  const start = o.start ?? 0;
  const header = 20 + (o.options ?? 0);
  const udpLength = 8 + payload.length;
  const length = header + udpLength + (o.padding ?? 0);
  const bytes = new Uint8Array(start + length + 7);
  const b = bytes.subarray(start);
  b[0] = 0x40 | (header / 4);
  b[2] = (header + udpLength) >> 8;
  b[3] = (header + udpLength) & 0xff;
  b[8] = 64;
  b[9] = 17;
  b.set([192, 168, 1, 1], 12);
  b.set([255, 255, 255, 255], 16);
  b.set([0, 67, 0, 68, udpLength >> 8, udpLength & 0xff], header);
  b.set(payload, header + 8);
  return { bytes, start, length };
}

describe('readUdpFrame', () => {
  it('finds the payload, the ports and the addresses, after IP options and before Ethernet padding', () => {
    const p = packet([1, 2, 3], { start: 5, options: 4, padding: 6 });
    const f = readUdpFrame(p.bytes, p.start, p.length)!;
    expect(f).toEqual({ payloadStart: 5 + 24 + 8, payloadEnd: 5 + 24 + 8 + 3, sourcePort: 67, destinationPort: 68, sourceAt: 5 + 12, destinationAt: 5 + 16 });
    expect([...p.bytes.subarray(f.payloadStart, f.payloadEnd)]).toEqual([1, 2, 3]);
  });

  it('refuses a packet whose headers do not add up', () => {
    const cases: [string, (b: Uint8Array) => void, number?][] = [
      ['IPv6', (b) => { b[0] = 0x65; }],
      ['a header shorter than 20 bytes', (b) => { b[0] = 0x44; }],
      ['a total length past the bytes', (b) => { b[3]! += 1; }],
      ['a total length shorter than the headers', (b) => { b[2] = 0; b[3] = 27; }],
      ['TCP', (b) => { b[9] = 6; }],
      ['a fragment', (b) => { b[7] = 1; }],
      ['more fragments to come', (b) => { b[6] = 0x20; }],
      ['a UDP length under 8', (b) => { b[25] = 7; }],
      ['a UDP length past the IP packet', (b) => { b[25]! += 1; }],
    ];
    for (const [what, spoil] of cases) {
      const p = packet([1, 2, 3]);
      spoil(p.bytes);
      expect(readUdpFrame(p.bytes, p.start, p.length), what).toBeUndefined();
    }
    const p = packet([1, 2, 3]);
    expect(readUdpFrame(p.bytes, 0, 27), 'shorter than two headers').toBeUndefined();
    expect(readUdpFrame(p.bytes, p.bytes.length - 10, 28), 'past the buffer').toBeUndefined();
    expect(readUdpFrame(p.bytes, -1, 28), 'before the buffer').toBeUndefined();
  });

  it('never throws, and never points outside the bytes it was given, whatever they hold', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), fc.nat(20), fc.nat(120), fc.nat({ max: 119 }), fc.nat(255), (random, start, length, at, value) => {
      // Mutate a real packet as well as trying pure noise: most noise fails at the first byte.
      const p = packet([...random.subarray(0, 40)]);
      p.bytes[at % p.bytes.length] = value;
      for (const [bytes, s, n] of [[p.bytes, p.start, p.length], [random, start, length]] as const) {
        const f = readUdpFrame(bytes, s, n);
        if (f === undefined) continue;
        expect(f.payloadStart).toBeGreaterThanOrEqual(s + 28);
        expect(f.payloadEnd).toBeGreaterThanOrEqual(f.payloadStart);
        expect(f.payloadEnd).toBeLessThanOrEqual(s + n);
        expect(f.destinationAt + 4).toBeLessThanOrEqual(s + n);
      }
    }), { numRuns: 20_000 });
  });
});
