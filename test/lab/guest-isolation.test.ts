// Guest to guest through the gateway is refused. The lab is built as a real site is: the access
// point isolates its clients at layer 2 (isolated bridge ports), and the gateway answers ARP for
// the guest subnet (proxy_arp_pvlan), so a packet from one guest to another is sent to the
// gateway, whose forward chain must refuse it. With Schoolgate's table removed the very same
// probe gets through, so the refusal is the ruleset's doing, not a path that never worked.
import { describe, expect, test } from 'vitest';
import { CLIENTS, GW_WAN_INTERFACE, INTERNET, SECOND_GUEST, gatewayInterface, schoolNetwork } from '../../scripts/netlab/addresses.ts';
import type { Config } from '../../firmware/config/schema.ts';
import { useLab } from './support/lab.ts';
import { listen, reaches } from './support/tcp-probe.ts';

const lab = useLab({ name: 'guest-isolation.test', guestIsolation: true });
const GUEST = CLIENTS.find((c) => c.ns === 'guest')!;
// A port guests may use towards the internet: refused between guests only because of where it goes.
const PORT = INTERNET.httpsPort;

function firewallConfig(): Config {
  const config = lab().gatewayConfig();
  config.firewall = { enabled: true, wanInterface: GW_WAN_INTERFACE };
  return config;
}

/** The MAC a namespace's neighbour table holds for `address` on eth0. */
async function neighbourMac(ns: 'guest' | 'guest2', address: string): Promise<string | undefined> {
  const r = await lab().run(ns, ['ip', '-j', 'neigh', 'show', address, 'dev', 'eth0']);
  return (JSON.parse(r.stdout) as Array<{ lladdr?: string }>)[0]?.lladdr;
}

describe('guest clients cannot reach each other through the gateway', () => {
  test('with the ruleset: guest -> guest2 and guest2 -> guest refused, the internet on 443 still reached; without it, both get through via gw', async () => {
    await lab().startGateway(firewallConfig());
    await Promise.all([
      listen(lab(), 'guest2', SECOND_GUEST.staticAddress, PORT),
      listen(lab(), 'guest', GUEST.staticAddress, PORT),
    ]);
    const web = await lab().exec('guest', ['curl', '-sk', '-o', '/dev/null', '--max-time', '5', `https://${INTERNET.web}/whoami`]);
    expect(web.code, web.stderr).toBe(0);
    expect(await reaches(lab(), 'guest', SECOND_GUEST.staticAddress, PORT)).toBe(false);
    expect(await reaches(lab(), 'guest2', GUEST.staticAddress, PORT)).toBe(false);

    // The AP kept the frames apart: guest learned the gateway's MAC for guest2's address.
    const gwMac = (JSON.parse((await lab().run('gw', ['ip', '-j', 'link', 'show', gatewayInterface(schoolNetwork('guest'), lab().vlans)])).stdout) as Array<{ address: string }>)[0]!.address;
    expect(await neighbourMac('guest', SECOND_GUEST.staticAddress)).toBe(gwMac);

    await lab().stopGateway();
    await lab().run('gw', ['nft', 'delete', 'table', 'inet', 'schoolgate']);
    expect(await reaches(lab(), 'guest', SECOND_GUEST.staticAddress, PORT)).toBe(true);
    expect(await reaches(lab(), 'guest2', GUEST.staticAddress, PORT)).toBe(true);
    expect(await neighbourMac('guest2', GUEST.staticAddress)).toBe(gwMac);
  });
});
