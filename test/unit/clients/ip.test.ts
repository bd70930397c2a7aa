import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAddress, parseAddress, parsePrefix, prefixContains, prefixesOverlap, type Prefix } from '../../../firmware/clients/ip.ts';

const prefix = (text: string): Prefix => {
  const p = parsePrefix(text);
  if ('error' in p) throw new Error(p.error);
  return p;
};

describe('addresses', () => {
  it('parses IPv4, IPv6 and IPv4-mapped IPv6 (as IPv4)', () => {
    expect(parseAddress('10.20.0.5')).toEqual({ family: 4, value: 0x0a140005n });
    expect(parseAddress('::ffff:10.20.0.5')).toEqual({ family: 4, value: 0x0a140005n });
    expect(parseAddress('fd00::1')).toEqual({ family: 6, value: (0xfd00n << 112n) | 1n });
    expect(parseAddress('fe80::1%eth0')?.family).toBe(6);
    for (const bad of ['', '10.20.0', '10.20.0.256', '1.2.3.4.5', 'fd00:::1', 'example.com', '01.2.3.4']) {
      expect(parseAddress(bad), bad).toBeUndefined();
    }
  });

  it('formats what it parses (round trip)', () => {
    fc.assert(fc.property(fc.ipV4(), (text) => {
      const a = parseAddress(text)!;
      expect(formatAddress(a.family, a.value)).toBe(text);
    }));
    fc.assert(fc.property(fc.ipV6(), (text) => {
      const a = parseAddress(text);
      expect(a).toBeDefined();
      if (a!.family === 6) expect(parseAddress(formatAddress(6, a!.value))).toEqual(a);
    }));
    expect(formatAddress(6, parseAddress('fd00:0:0:1::5')!.value)).toBe('fd00:0:0:1::5');
  });
});

describe('prefixes', () => {
  it('parses and canonicalises', () => {
    expect(prefix('10.20.0.0/16').text).toBe('10.20.0.0/16');
    expect(prefix('FD00:20:0:0::/64').text).toBe('fd00:20::/64');
    expect(prefix('0.0.0.0/0').length).toBe(0);
  });

  it('explains what is wrong', () => {
    expect(parsePrefix('10.20.0.0')).toEqual({ error: 'missing "/length"' });
    expect(parsePrefix('10.20.0.1/16')).toEqual({ error: 'host bits are set; did you mean 10.20.0.0/16?' });
    expect(parsePrefix('10.20.0.0/33')).toEqual({ error: 'prefix length 33 is longer than 32' });
    expect(parsePrefix('10.20.0.0/x')).toEqual({ error: 'prefix length is not a number' });
    expect(parsePrefix('school/24')).toEqual({ error: 'not an IPv4 or IPv6 address before "/"' });
  });

  it('contains and overlaps', () => {
    const pupil = prefix('10.20.0.0/16');
    expect(prefixContains(pupil, parseAddress('10.20.255.1')!)).toBe(true);
    expect(prefixContains(pupil, parseAddress('10.21.0.1')!)).toBe(false);
    expect(prefixContains(pupil, parseAddress('::ffff:10.20.0.1')!)).toBe(true);
    expect(prefixContains(prefix('fd00:20::/64'), parseAddress('fd00:20::abcd')!)).toBe(true);
    expect(prefixesOverlap(pupil, prefix('10.20.5.0/24'))).toBe(true);
    expect(prefixesOverlap(pupil, prefix('10.30.0.0/16'))).toBe(false);
    expect(prefixesOverlap(pupil, prefix('fd00::/8'))).toBe(false);
  });

  it('agrees with a naive bit-by-bit check', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), (net, addr, len) => {
      const maskNum = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
      const p = prefix(`${formatAddress(4, BigInt((net & maskNum) >>> 0))}/${len}`);
      const expected = ((addr & maskNum) >>> 0) === ((net & maskNum) >>> 0);
      expect(prefixContains(p, { family: 4, value: BigInt(addr) })).toBe(expected);
    }));
  });
});
