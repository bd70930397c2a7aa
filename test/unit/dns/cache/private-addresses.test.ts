// The private/local address table, range by range with the addresses either side of each edge,
// and the rebinding verdict built on it.
import { describe, expect, it } from 'vitest';
import {
  isPrivateOrLocal, isPrivateV4, isPrivateV6, isUnder, rebindingVerdict, type AddressSet, type RebindingOptions,
} from '../../../../firmware/dns/answers/private-addresses.ts';
import { v4, v6 } from './responses.ts';

describe('isPrivateOrLocal: IPv4', () => {
  // [range, first address in it, last address in it, the public neighbours just outside]
  const ranges: [string, string, string, string[]][] = [
    ['0.0.0.0/8', '0.0.0.0', '0.255.255.255', ['1.0.0.0']],
    ['10.0.0.0/8', '10.0.0.0', '10.255.255.255', ['9.255.255.255', '11.0.0.0']],
    ['100.64.0.0/10', '100.64.0.0', '100.127.255.255', ['100.63.255.255', '100.128.0.0']],
    ['127.0.0.0/8', '127.0.0.0', '127.255.255.255', ['126.255.255.255', '128.0.0.0']],
    ['169.254.0.0/16', '169.254.0.0', '169.254.255.255', ['169.253.255.255', '169.255.0.0']],
    ['172.16.0.0/12', '172.16.0.0', '172.31.255.255', ['172.15.255.255', '172.32.0.0']],
    ['192.0.0.0/24', '192.0.0.0', '192.0.0.255', ['191.255.255.255', '192.0.1.0']],
    ['192.168.0.0/16', '192.168.0.0', '192.168.255.255', ['192.167.255.255', '192.169.0.0']],
    ['198.18.0.0/15', '198.18.0.0', '198.19.255.255', ['198.17.255.255', '198.20.0.0']],
    ['224.0.0.0/4', '224.0.0.0', '239.255.255.255', ['223.255.255.255']],
    ['240.0.0.0/4', '240.0.0.0', '255.255.255.255', []],
  ];
  for (const [range, first, last, outside] of ranges) {
    it(`${range}: ${first} and ${last} private; ${outside.join(', ') || 'nothing above'} public`, () => {
      expect(isPrivateOrLocal(4, v4(first))).toBe(true);
      expect(isPrivateOrLocal(4, v4(last))).toBe(true);
      for (const o of outside) expect(isPrivateOrLocal(4, v4(o))).toBe(false);
    });
  }

  it('public addresses, documentation ranges included, are public', () => {
    for (const p of ['8.8.8.8', '1.1.1.1', '192.0.2.1', '198.51.100.7', '203.0.113.9', '151.101.1.1', '192.0.1.255']) {
      expect(isPrivateV4(v4(p))).toBe(false);
    }
  });

  it('reads four bytes at an offset as well as a number', () => {
    expect(isPrivateOrLocal(4, Uint8Array.of(9, 9, 172, 16, 0, 1), 2)).toBe(true);
    expect(isPrivateOrLocal(4, Uint8Array.of(9, 9, 172, 15, 255, 255), 2)).toBe(false);
    expect(isPrivateOrLocal(4, Uint8Array.of(8, 8, 8), 0)).toBe(true); // short: fail closed
  });

  it('takes a signed number as the same address', () => {
    expect(isPrivateOrLocal(4, v4('255.255.255.255') | 0)).toBe(true);
    expect(isPrivateOrLocal(4, v4('200.1.1.1') | 0)).toBe(false);
  });
});

describe('isPrivateOrLocal: IPv6', () => {
  const cases: [string, boolean][] = [
    ['::', true],
    ['::1', true],
    ['::2', false],
    ['fc00::', true],
    ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', true],
    ['fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', false],
    ['fe00::', false],
    ['fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff', false],
    ['fe80::', true],
    ['febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', true],
    ['fec0::1', true],
    ['ff00::', true],
    ['ff02::1', true],
    ['2001:db8::1', false],
    ['2606:4700:4700::1111', false],
    ['::ffff:10.1.2.3', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:172.15.255.255', false],
    ['::ffff:8.8.8.8', false],
    ['64:ff9b::192.168.0.1', true],
    ['64:ff9b::100.64.0.1', true],
    ['64:ff9b::8.8.8.8', false],
    ['64:ff9b:1::8.8.8.8', false],
    ['::fffe:10.1.2.3', false],
  ];
  for (const [text, expected] of cases) {
    it(`${text} is ${expected ? 'private' : 'public'}`, () => {
      expect(isPrivateOrLocal(6, v6(text))).toBe(expected);
    });
  }

  it('reads the address at an offset, and calls a short buffer private', () => {
    const bytes = new Uint8Array(40);
    bytes.set(v6('2001:db8::1'), 3);
    bytes.set(v6('fd12::1'), 20);
    expect(isPrivateOrLocal(6, bytes, 3)).toBe(false);
    expect(isPrivateOrLocal(6, bytes, 20)).toBe(true);
    expect(isPrivateV6(bytes, 30)).toBe(true);
    expect(isPrivateV6(new Uint8Array(8))).toBe(true);
  });
});

function set(...addresses: string[]): AddressSet {
  const addressFamily = new Uint8Array(addresses.length);
  const addressBytes = new Uint8Array(addresses.length * 16);
  addresses.forEach((text, i) => {
    if (text.includes(':')) {
      addressFamily[i] = 6;
      addressBytes.set(v6(text), i * 16);
    } else {
      addressFamily[i] = 4;
      addressBytes.set(text.split('.').map(Number), i * 16);
    }
  });
  return { addressCount: addresses.length, addressFamily, addressBytes };
}

describe('rebindingVerdict', () => {
  const policy: RebindingOptions = { enabled: true, allowedDomains: ['intranet.example.org', '*.lab.example.net'], localDomain: 'schoolgate.home.arpa' };

  it('refuses a public name with any private or local address', () => {
    expect(rebindingVerdict('evil.example.com', set('192.168.1.1'), policy)).toBe('refused');
    expect(rebindingVerdict('evil.example.com', set('203.0.113.5', '127.0.0.1'), policy)).toBe('refused');
    expect(rebindingVerdict('evil.example.com', set('2001:db8::1', 'fe80::1'), policy)).toBe('refused');
    expect(rebindingVerdict('evil.example.com', set('::ffff:10.0.0.1'), policy)).toBe('refused');
    expect(rebindingVerdict('evil.example.com', set('64:ff9b::10.0.0.1'), policy)).toBe('refused');
  });

  it('allows public names with public addresses, and empty answers', () => {
    expect(rebindingVerdict('www.example.com', set('203.0.113.5', '2001:db8::5', '64:ff9b::8.8.8.8'), policy)).toBe('allowed');
    expect(rebindingVerdict('www.example.com', set(), policy)).toBe('allowed');
  });

  it('allows private answers for the local domain, single labels and allowed domains', () => {
    const lan = set('192.168.1.10');
    expect(rebindingVerdict('printer', lan, policy)).toBe('allowed');
    expect(rebindingVerdict('schoolgate.home.arpa', lan, policy)).toBe('allowed');
    expect(rebindingVerdict('nas.office.schoolgate.home.arpa', lan, policy)).toBe('allowed');
    expect(rebindingVerdict('intranet.example.org', lan, policy)).toBe('allowed');
    expect(rebindingVerdict('wiki.intranet.example.org', lan, policy)).toBe('allowed');
    expect(rebindingVerdict('box.lab.example.net', lan, policy)).toBe('allowed');
  });

  it('matches domains on label boundaries only, and "*." only below', () => {
    const lan = set('10.0.0.5');
    expect(rebindingVerdict('evilschoolgate.home.arpa', lan, policy)).toBe('refused');
    expect(rebindingVerdict('notintranet.example.org', lan, policy)).toBe('refused');
    expect(rebindingVerdict('lab.example.net', lan, policy)).toBe('refused');
    expect(rebindingVerdict('example.org', lan, policy)).toBe('refused');
    // An escaped dot is part of a label, not a boundary.
    expect(rebindingVerdict('x\\.schoolgate.home.arpa', lan, policy)).toBe('refused');
    expect(rebindingVerdict('x\\.intranet.example.org', lan, { ...policy, allowedDomains: ['intranet.example.org'] })).toBe('refused');
    expect(rebindingVerdict('printer\\.local', lan, policy)).toBe('allowed');
  });

  it('allows everything when disabled', () => {
    expect(rebindingVerdict('evil.example.com', set('127.0.0.1'), { ...policy, enabled: false })).toBe('allowed');
  });
});

describe('isUnder', () => {
  it('handles exact, below, wildcard and trailing-dot domains', () => {
    expect(isUnder('a.b.c', 'b.c')).toBe(true);
    expect(isUnder('b.c', 'b.c')).toBe(true);
    expect(isUnder('b.c', '*.b.c')).toBe(false);
    expect(isUnder('a.b.c', '*.b.c')).toBe(true);
    expect(isUnder('a.b.c', 'b.c.')).toBe(true);
    expect(isUnder('ab.c', 'b.c')).toBe(false);
    expect(isUnder('c', 'b.c')).toBe(false);
    expect(isUnder('a.b.c', '')).toBe(false);
  });
});
