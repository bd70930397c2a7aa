// Guests fail closed when the daemon dies: Schoolgate renews its guest networks' heartbeat in the
// ruleset every firewall.heartbeatSeconds; killed with SIGKILL (no chance to clean anything up),
// it stops renewing, the entry lapses, and an authorised guest is back to the portal only, while
// staff and pupils keep the internet through the same table. Every "refused" is paired with a
// path that still works, and the lapse is waited for by polling the thing that proves it.
import { describe, expect, test } from 'vitest';
import { CLIENTS, GW_WAN_INTERFACE, INTERNET, WAN_LINK, schoolNetwork } from '../../scripts/netlab/addresses.ts';
import type { Config } from '../../firmware/config/schema.ts';
import { useLab } from './support/lab.ts';
import { listen, reaches } from './support/tcp-probe.ts';

const lab = useLab({ name: 'fail-closed.test' });
const GUEST = CLIENTS.find((c) => c.ns === 'guest')!;
// The portal is on the web surface: port 80 of the guest gateway address.
const PORTAL = { address: schoolNetwork('guest').gateway, port: 80 };
// Two seconds (a 6 s timeout): short for the test, with room for a renewal delayed by a busy machine.
const HEARTBEAT_SECONDS = 2;

function config(): Config {
  const c = lab().gatewayConfig();
  c.firewall = { enabled: true, wanInterface: GW_WAN_INTERFACE, heartbeatSeconds: HEARTBEAT_SECONDS };
  c.web.portal = PORTAL;
  return c;
}

/** What is left of the guest interface's heartbeat entry, in ms (undefined: no entry). */
async function heartbeatLeftMs(): Promise<number | undefined> {
  const listed = (await lab().run('gw', ['nft', 'list', 'set', 'inet', 'schoolgate', 'guests_served'])).stdout;
  const m = /"lan-guest" expires (?:(\d+)s)?(?:(\d+)ms)?/.exec(listed);
  return m ? Number(m[1] ?? 0) * 1000 + Number(m[2] ?? 0) : undefined;
}

async function web(ns: 'guest' | 'staff' | 'pupil', maxSeconds = 5): Promise<boolean> {
  return (await lab().exec(ns, ['curl', '-sk', '-o', '/dev/null', '--max-time', String(maxSeconds), `https://${INTERNET.web}/whoami`])).code === 0;
}

describe('with the daemon killed, guests are portal-only and staff keep working', () => {
  test('an authorised guest reaches the real site; after kill -9 it loses it within the heartbeat\'s timeout, its HTTP lands on the portal, staff and pupil still get out', async () => {
    await lab().startGateway(config());
    // The running daemon renews the entry: what is left of it goes up again (bounded poll).
    let lowest = await heartbeatLeftMs();
    expect(lowest).toBeDefined();
    let renewed = false;
    const renewBy = Date.now() + 15_000;
    while (!renewed && Date.now() < renewBy) {
      const left = (await heartbeatLeftMs())!;
      renewed = left > lowest!;
      lowest = Math.min(lowest!, left);
    }
    expect(renewed, 'the running daemon never renewed its heartbeat').toBe(true);
    await lab().run('gw', ['nft', 'add', 'element', 'inet', 'schoolgate', 'authorised_guests', `{ ${GUEST.staticAddress} . ${GUEST.mac} timeout 1h }`]);
    const site = await lab().exec('guest', ['curl', '-s', '--max-time', '5', `http://${INTERNET.web}/whoami`]);
    // The real site (it saw the uplink address), not the portal: the guest is authorised.
    expect((JSON.parse(site.stdout) as { client: string }).client, site.stderr).toBe(WAN_LINK.gw);
    expect(await web('guest')).toBe(true);

    const gateway = lab().gateway!;
    process.kill(gateway.pid!, 'SIGKILL');
    await lab().stopGateway(); // waits for the exit the kill caused
    expect(gateway.exit?.signal).toBe('SIGKILL');

    // The entry lapses three beats after the last renewal; poll (bounded) until the guest is out.
    const deadline = Date.now() + 30_000;
    let out = false;
    while (!out && Date.now() < deadline) {
      out = !(await web('guest', 2));
      if (!out) await new Promise((r) => setTimeout(r, 250));
    }
    expect(out, 'the guest still reached the internet 30 s after the daemon was killed').toBe(true);
    expect((await lab().run('gw', ['nft', 'list', 'set', 'inet', 'schoolgate', 'guests_served'])).stdout).not.toContain('"lan-guest"');
    // Still authorised in the set: it is the heartbeat, not the authorisation, that shut it out.
    expect((await lab().run('gw', ['nft', 'list', 'set', 'inet', 'schoolgate', 'authorised_guests'])).stdout).toContain(GUEST.mac);

    expect(await web('staff')).toBe(true);
    expect(await web('pupil')).toBe(true);

    // The portal is the daemon's web surface; a listener stands where it answers, to show where port 80 now
    // goes: the greeting comes from it, not from the site's nginx. (A socat probe, not curl: curl's
    // unread request could make the stand-in's close a reset that loses the greeting.)
    await listen(lab(), 'gw', PORTAL.address, PORTAL.port);
    expect(await reaches(lab(), 'guest', INTERNET.web, INTERNET.httpPort)).toBe(true);
    expect(await reaches(lab(), 'guest', INTERNET.web, INTERNET.httpsPort)).toBe(false);
  });
});
