// Where the self-test's questions come from and go to: the gateway's own address on the network,
// which the DNS client directory attributes to that network, to the listener its devices use.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../../firmware/config/defaults.ts';
import type { Config } from '../../../../firmware/config/schema.ts';
import { routeFor, selftestSources } from '../../../../firmware/monitor/selftest/route.ts';

/** The lab's layout: one listener per network, on the gateway's address there. */
function lab(): Config {
  const c = defaultConfig();
  c.networks = c.networks.map((n, i) => ({ ...n, subnets: [`10.${(i + 1) * 10}.0.0/24`], gateway: { ipv4: `10.${(i + 1) * 10}.0.1` } }));
  c.dns.listen = c.networks.map((n) => ({ address: n.gateway.ipv4!, port: 53 }));
  return c;
}
const network = (c: Config, id: string) => c.networks.find((n) => n.id === id)!;

describe('the self-test route for a network', () => {
  it('asks from the gateway\'s address on the network to the listener on that address', () => {
    const c = lab();
    expect(routeFor(c, network(c, 'pupil'))).toEqual({ source: '10.20.0.1', family: 4, server: { address: '10.20.0.1', port: 53 } });
  });

  it('uses a wildcard listener at the gateway\'s address, else any listener of the family (the demo\'s 127.0.0.1:5353)', () => {
    const c = lab();
    c.dns.listen = [{ address: '0.0.0.0', port: 53 }];
    expect(routeFor(c, network(c, 'guest'))).toMatchObject({ source: '10.30.0.1', server: { address: '10.30.0.1', port: 53 } });
    const demo = defaultConfig();
    expect(routeFor(demo, network(demo, 'pupil'))).toEqual({ source: '127.20.0.1', family: 4, server: { address: '127.0.0.1', port: 5353 } });
  });

  it('refuses a gateway address DNS would not count as the network\'s, and a network without one', () => {
    const c = lab();
    network(c, 'staff').gateway = { ipv4: '10.99.0.1' };
    expect(routeFor(c, network(c, 'staff'))).toEqual({ error: expect.stringContaining('10.99.0.1 is not inside the network\'s subnets (10.10.0.0/24)') });
    network(c, 'staff').gateway = {};
    expect(routeFor(c, network(c, 'staff'))).toEqual({ error: 'the network has no gateway address to ask from' });
  });

  it('refuses an IPv6-only network when DNS listens on IPv4 only', () => {
    const c = lab();
    const guest = network(c, 'guest');
    guest.subnets = ['fd00:30::/64'];
    guest.gateway = { ipv6: 'fd00:30::1' };
    expect(routeFor(c, guest)).toEqual({ error: 'DNS listens on no IPv6 address (dns.listen), so nothing on this network can ask it' });
  });

  it('names the sources the alert rules skip: each enabled network\'s gateway address', () => {
    const c = lab();
    network(c, 'guest').enabled = false;
    expect([...selftestSources(c)]).toEqual(['10.10.0.1', '10.20.0.1']);
  });
});
