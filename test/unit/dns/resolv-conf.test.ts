import { describe, expect, it } from 'vitest';
import { parseResolvConf, selectSystemResolvers } from '../../../firmware/dns/upstream/resolv-conf.ts';

describe('parseResolvConf', () => {
  it('reads nameserver lines in order, ignoring comments, options and junk', () => {
    const text = [
      '# generated',
      'search school.internal',
      'nameserver 10.255.255.53',
      '  nameserver   2001:db8::53  # ours',
      'nameserver fe80::1%eth0',
      'nameserver not-an-address',
      ';nameserver 192.0.2.9',
      'nameserver 192.0.2.10 extra',
      'options edns0 trust-ad',
      'nameserver 192.0.2.11\r',
    ].join('\n');
    expect(parseResolvConf(text)).toEqual(['10.255.255.53', '2001:db8::53', 'fe80::1%eth0', '192.0.2.11']);
    expect(parseResolvConf('')).toEqual([]);
  });
});

describe('selectSystemResolvers', () => {
  it('skips our own port-53 listeners, including everything local under a wildcard', () => {
    const ns = ['127.0.0.1', '127.0.0.53', '192.0.2.1', '10.0.0.5', '::1'];
    expect(selectSystemResolvers(ns, [{ address: '127.0.0.1', port: 53 }])).toEqual(['127.0.0.53', '192.0.2.1', '10.0.0.5', '::1']);
    expect(selectSystemResolvers(ns, [{ address: '0.0.0.0', port: 53 }], ['10.0.0.5'])).toEqual(['192.0.2.1']);
    expect(selectSystemResolvers(ns, [{ address: '127.0.0.1', port: 5353 }])).toEqual(ns);
  });
});
