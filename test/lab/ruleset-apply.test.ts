// The rendered ruleset against the real nft and kernel, in a namespace of its own: `nft -c`
// accepts every rendering the unit tests snapshot (and refuses a broken one, so the check can
// fail); applying replaces only `inet schoolgate`, twice in a row, keeps the live sets'
// elements, and leaves a table created before it byte-for-byte as it was. FirewallService's
// heartbeat, ticked by the test instead of a timer, renews the guest interface's entry.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { defaultConfig } from '../../firmware/config/defaults.ts';
import { acceptedLine, reloadLines } from '../../firmware/portal/splash/elements.ts';
import { applyRuleset, checkRuleset, listTable, nftRunner, removeTable, type NftRun } from '../../firmware/net/apply.ts';
import { rulesetInputOf } from '../../firmware/net/ruleset-input.ts';
import { renderRuleset } from '../../firmware/net/ruleset.ts';
import { FirewallService } from '../../firmware/net/service.ts';
import { silentLogger } from '../../firmware/log.ts';
import { labGatewayConfig } from '../../scripts/netlab/gateway.ts';

const NS = `sg-${process.pid}-${randomBytes(3).toString('hex')}-nft`;
let nft: NftRun;

const OTHER = `table ip other {
  set keep {
    type ipv4_addr
    elements = { 192.0.2.7 }
  }
  chain watch {
    type filter hook forward priority 10; policy accept;
    ip saddr @keep counter drop
  }
}
`;

function renderings(): { defaults: string; lab: string; 'lab with portal and IPv6': string; 'lab with the AUP splash': string } {
  const lab = labGatewayConfig(false);
  const withPortal = labGatewayConfig(false);
  withPortal.web.portal = { address: '0.0.0.0', port: 8443 };
  withPortal.networks[0]!.subnets.push('fd00:10::/64');
  withPortal.networks[0]!.gateway.ipv6 = 'fd00:10::1';
  withPortal.dns.listen.push({ address: 'fd00:10::1', port: 53 });
  withPortal.firewall = { enabled: true, wanInterface: 'wan0', ipv6Forward: ['staff', 'guest'], guestUdp443: true, nat: false, heartbeatSeconds: 2 };
  withPortal.networks[2]!.subnets.push('fd00:30::/64');
  const splash = labGatewayConfig(false);
  splash.aup = { version: '2026-27', text: 'Be kind online.', splashOn: ['staff', 'pupil'] };
  return {
    defaults: renderRuleset(rulesetInputOf(defaultConfig(), { enabled: false, wanInterface: 'eth0' })),
    lab: renderRuleset(rulesetInputOf(lab, { enabled: true, wanInterface: 'wan0' })),
    'lab with portal and IPv6': renderRuleset(rulesetInputOf(withPortal)),
    'lab with the AUP splash': renderRuleset(rulesetInputOf(splash, { enabled: true, wanInterface: 'wan0' })),
  };
}

beforeAll(() => {
  execFileSync('ip', ['netns', 'add', NS]);
  nft = nftRunner(['ip', 'netns', 'exec', NS]);
});
afterAll(() => {
  execFileSync('ip', ['netns', 'del', NS]);
});

describe('the ruleset in a real kernel', () => {
  test('nft -c accepts every rendering and refuses a broken one', async () => {
    for (const [name, text] of Object.entries(renderings())) {
      await expect(checkRuleset(nft, text), name).resolves.toBeUndefined();
    }
    const broken = renderings().lab.replace('reject with icmpx admin-prohibited', 'reject with icmpx no-such-code');
    await expect(checkRuleset(nft, broken)).rejects.toThrow(/checking the ruleset failed/);
  });

  test('applying replaces only our table, keeps live elements, and leaves another table untouched', async () => {
    const created = await nft(['-f', '-'], OTHER);
    expect(created.code, created.stderr).toBe(0);
    const before = (await nft(['list', 'table', 'ip', 'other'])).stdout;
    expect(await listTable(nft)).toBeUndefined();

    const { lab } = renderings();
    expect((await applyRuleset(nft, lab)).preserved).toBe(0);
    const added = await nft(['add', 'element', 'inet', 'schoolgate', 'suspended', '{ 02:5c:00:30:00:10 timeout 1h }']);
    expect(added.code, added.stderr).toBe(0);
    // A second apply (a configuration change) must keep the suspension, with its time left.
    expect((await applyRuleset(nft, lab)).preserved).toBe(1);
    const inForce = await listTable(nft);
    expect(inForce).toContain('chain fwd_guest');
    // Re-added with the time it had left (not the set's default of 1d, nor forever).
    expect(inForce).toMatch(/02:5c:00:30:00:10 timeout 59m\d+s expires 59m/);

    // A bad ruleset changes nothing: the one in force stays.
    await expect(applyRuleset(nft, lab.replace('policy accept;', 'policy nonsense;'))).rejects.toThrow(/applying the ruleset failed/);
    expect(await listTable(nft)).toContain('02:5c:00:30:00:10');

    expect((await nft(['list', 'table', 'ip', 'other'])).stdout).toBe(before);
    await removeTable(nft);
    expect(await listTable(nft)).toBeUndefined();
    expect((await nft(['list', 'table', 'ip', 'other'])).stdout).toBe(before);
  });

  test('devices that accepted the AUP stay in aup_accepted across a re-apply; a reload empties it for a new version', async () => {
    const text = renderings()['lab with the AUP splash'];
    await applyRuleset(nft, text);
    const added = await nft(['-f', '-'], `${acceptedLine({ iface: 'lan-pupil', mac: '02:5c:00:20:00:10' })}\n`);
    expect(added.code, added.stderr).toBe(0);
    expect((await applyRuleset(nft, text)).preserved).toBe(1);
    expect((await nft(['list', 'set', 'inet', 'schoolgate', 'aup_accepted'])).stdout).toContain('"lan-pupil" . 02:5c:00:20:00:10');
    const reloaded = await nft(['-f', '-'], `${reloadLines([{ iface: 'lan-staff', mac: '02:5c:00:10:00:09' }]).join('\n')}\n`);
    expect(reloaded.code, reloaded.stderr).toBe(0);
    const listed = (await nft(['list', 'set', 'inet', 'schoolgate', 'aup_accepted'])).stdout;
    expect(listed).toContain('"lan-staff" . 02:5c:00:10:00:09');
    expect(listed).not.toContain('02:5c:00:20:00:10');
    await removeTable(nft);
  });

  test('FirewallService applies with the heartbeat in force, renews it on every tick, and stops renewing when stopped', async () => {
    const ticks: Array<() => void> = [];
    let cancelled = 0;
    const firewall = new FirewallService({ run: nft, logger: silentLogger(), every: (ms, tick) => {
      expect(ms).toBe(100_000);
      ticks.push(tick);
      return () => { cancelled++; };
    } });
    const config = labGatewayConfig(false);
    config.firewall = { enabled: true, wanInterface: 'wan0', heartbeatSeconds: 100 };
    await firewall.apply(config);
    const left = async (): Promise<number> => {
      const m = /"lan-guest" (?:timeout \S+ )?expires (\d+)m/.exec((await nft(['list', 'set', 'inet', 'schoolgate', 'guests_served'])).stdout);
      return m ? Number(m[1]) : -1;
    };
    // Applied with the entry already in: three beats, 300 s.
    expect(await left()).toBe(4);
    // Cut it short by hand, then one tick renews it to the full 300 s.
    const short = await nft(['-f', '-'], 'add element inet schoolgate guests_served { "lan-guest" timeout 1s }\ndelete element inet schoolgate guests_served { "lan-guest" }\nadd element inet schoolgate guests_served { "lan-guest" timeout 90s }\n');
    expect(short.code, short.stderr).toBe(0);
    expect(await left()).toBe(1);
    expect(ticks).toHaveLength(1);
    ticks[0]!();
    // The renewal runs in the service's queue: an empty change waits for it.
    await firewall.changeElements([]);
    expect(await left()).toBe(4);
    firewall.stop();
    expect(cancelled).toBe(1);
    // Stopped (the daemon is shutting down): an apply still arriving starts no new heartbeat.
    await firewall.apply(config);
    expect(ticks).toHaveLength(1);
    await removeTable(nft);
  });
});
