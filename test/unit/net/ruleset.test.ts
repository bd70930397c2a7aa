// The rendered nftables text: snapshots of the embedded defaults and the lab's configuration
// (a change to either shows up in review as a diff of rules), and the properties that must hold
// whatever the snapshot says. test/lab/ruleset-check.test.ts feeds the same text to `nft -c`.
import { describe, expect, test } from 'vitest';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import type { Config } from '../../../firmware/config/schema.ts';
import { renderRuleset, type RulesetInput } from '../../../firmware/net/ruleset.ts';
import { rulesetInputOf } from '../../../firmware/net/ruleset-input.ts';
import { labGatewayConfig } from '../../../scripts/netlab/gateway.ts';

function inputOf(config: Config, wanInterface = 'wan0'): RulesetInput {
  return rulesetInputOf(config, config.firewall ?? { enabled: true, wanInterface });
}

/** The rules of one chain, without its header and closing brace. */
function chain(text: string, name: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(`  chain ${name} {`);
  if (start < 0) return [];
  const end = lines.indexOf('  }', start);
  return lines.slice(start + 1, end).map((l) => l.trim());
}

describe('renderRuleset', () => {
  test('the embedded defaults (all networks on lo) render as the snapshot', async () => {
    await expect(renderRuleset(inputOf(defaultConfig(), 'eth0'))).toMatchFileSnapshot('./__snapshots__/defaults.nft');
  });

  test('the lab configuration renders as the snapshot', async () => {
    await expect(renderRuleset(inputOf(labGatewayConfig(false)))).toMatchFileSnapshot('./__snapshots__/lab.nft');
  });

  test('one transaction replaces only its own table', () => {
    const lines = renderRuleset(inputOf(labGatewayConfig(false))).split('\n');
    const tableLines = lines.filter((l) => /^(add |delete |flush )?table /.test(l));
    expect(tableLines).toEqual(['add table inet schoolgate', 'delete table inet schoolgate', 'table inet schoolgate {']);
  });

  test('guest: only TCP 80/443 to the wan, UDP 443 only when configured, never another network', () => {
    const config = labGatewayConfig(false);
    const guest = chain(renderRuleset(inputOf(config)), 'fwd_guest');
    expect(guest.filter((l) => l.includes('accept'))).toEqual(['oifname "wan0" tcp dport { 80, 443 } accept']);
    expect(guest.at(-1)).toBe('reject with icmpx admin-prohibited');
    config.firewall = { enabled: true, wanInterface: 'wan0', guestUdp443: true };
    expect(chain(renderRuleset(inputOf(config)), 'fwd_guest')).toContain('oifname "wan0" udp dport 443 accept');
  });

  test('pupil reaches neither staff nor management; staff reaches pupil', () => {
    const config = labGatewayConfig(false);
    config.networks.push({ ...structuredClone(config.networks[0]!), id: 'mgmt', name: 'Management', kind: 'management', interface: 'lan-mgmt', subnets: ['10.99.0.0/24'], gateway: { ipv4: '10.99.0.1' } });
    const text = renderRuleset(inputOf(config));
    const pupil = chain(text, 'fwd_pupil').join('\n');
    expect(pupil).not.toContain('lan-staff');
    expect(pupil).not.toContain('lan-mgmt');
    expect(chain(text, 'fwd_staff')).toContain('oifname "lan-pupil" ip daddr 10.20.0.0/24 accept comment "to pupil"');
    expect(chain(text, 'fwd_staff')).toContain('oifname "lan-mgmt" ip daddr 10.99.0.0/24 accept comment "to mgmt"');
  });

  test('the admin listener and SSH answer only on the configured kinds', () => {
    const config = labGatewayConfig(false);
    const text = renderRuleset(inputOf(config));
    const admin = 'tcp dport { 22, 8080 } accept comment "admin listener and SSH"';
    expect(chain(text, 'in_staff')).toContain(admin);
    expect(chain(text, 'in_pupil')).not.toContain(admin);
    expect(chain(text, 'in_guest')).not.toContain(admin);
    config.firewall = { enabled: true, wanInterface: 'wan0', adminFrom: ['pupil'] };
    const changed = renderRuleset(inputOf(config));
    expect(chain(changed, 'in_staff')).not.toContain(admin);
    expect(chain(changed, 'in_pupil')).toContain(admin);
  });

  test('with web.https, its port opens beside the admin listener, on the admin kinds only', () => {
    const config = labGatewayConfig(false);
    config.web.https = {};
    const text = renderRuleset(inputOf(config));
    const admin = 'tcp dport { 22, 443, 8080 } accept comment "admin listener and SSH"';
    expect(chain(text, 'in_staff')).toContain(admin);
    // Pupil and guest never reach it: 443 to the gateway there is only reset (HTTPS to a blocked name).
    for (const network of ['in_pupil', 'in_guest']) {
      const lines = chain(text, network).filter((l) => /\b443\b/.test(l));
      expect(lines.length, network).toBeGreaterThan(0);
      for (const line of lines) expect(line, network).toMatch(/reject/);
      expect(chain(text, network).join('\n'), network).not.toContain('8080');
    }
  });

  test('port 53 to any address is sent to the DNS listener on the network\'s gateway address', () => {
    const config = labGatewayConfig(false);
    config.dns.listen = [{ address: '0.0.0.0', port: 5353 }];
    const nat = chain(renderRuleset(inputOf(config)), 'nat_prerouting');
    expect(nat).toContain('iifname "lan-pupil" ip saddr 10.20.0.0/24 meta l4proto { tcp, udp } th dport 53 dnat ip to 10.20.0.1:5353');
  });

  test('IPv6 is refused out of every network but those named in ipv6Forward', () => {
    const config = labGatewayConfig(false);
    config.firewall = { enabled: true, wanInterface: 'wan0', ipv6Forward: ['staff'] };
    const text = renderRuleset(inputOf(config));
    const noV6 = 'meta nfproto ipv6 reject with icmpx admin-prohibited comment "no IPv6 path out of this network"';
    expect(chain(text, 'fwd_staff')).not.toContain(noV6);
    expect(chain(text, 'fwd_pupil')[0]).toBe(noV6);
    expect(chain(text, 'fwd_guest')[0]).toBe(noV6);
  });

  test('a switched-off network gets no chains and its interface drops everything', () => {
    const config = labGatewayConfig(false);
    config.networks.find((n) => n.id === 'guest')!.enabled = false;
    const text = renderRuleset(inputOf(config));
    expect(chain(text, 'fwd_guest')).toEqual([]);
    expect(chain(text, 'prerouting')).toContain('iifname "lan-guest" drop comment "network guest is switched off"');
    expect(chain(text, 'nat_postrouting').join('\n')).not.toContain('10.30.0.0/24');
  });

  test('with a portal, unauthorised guests\' HTTP goes to it and the rest is rejected', () => {
    const config = labGatewayConfig(false);
    config.web.portal = { address: '0.0.0.0', port: 8443 };
    const text = renderRuleset(inputOf(config));
    expect(chain(text, 'nat_prerouting')).toContain('iifname "lan-guest" ip saddr 10.30.0.0/24 ip saddr . ether saddr != @authorised_guests tcp dport 80 dnat ip to 10.30.0.1:80');
    const forward = chain(text, 'forward');
    const unauthorised = forward.indexOf('iifname "lan-guest" ip saddr 10.30.0.0/24 ip saddr . ether saddr != @authorised_guests reject with icmpx admin-prohibited comment "not authorised by the portal"');
    // Before the established shortcut: an authorisation that lapses ends open connections too.
    expect(unauthorised).toBeGreaterThan(0);
    expect(unauthorised).toBeLessThan(forward.indexOf('ct state established,related accept'));
    expect(forward.filter((l) => l.includes('authorised_guests'))).toHaveLength(1);
    expect(renderRuleset(inputOf(labGatewayConfig(false)))).not.toContain('!= @authorised_guests');
    // web.portal's own port is opened as one more way in; on port 80 the block page's rule is the portal's too.
    expect(chain(text, 'in_guest')).toContain('tcp dport 8443 accept comment "visitor portal"');
    config.web.portal = { address: '10.30.0.1', port: 80 };
    const onSurface = renderRuleset(inputOf(config));
    expect(chain(onSurface, 'in_guest').filter((l) => l.includes('tcp dport 80 accept'))).toHaveLength(1);
    expect(chain(onSurface, 'nat_prerouting')).toContain('iifname "lan-guest" ip saddr 10.30.0.0/24 ip saddr . ether saddr != @authorised_guests tcp dport 80 dnat ip to 10.30.0.1:80');
  });

  test('a suspended device is refused before the established shortcut, and still gets DNS from the gateway', () => {
    const text = renderRuleset(inputOf(labGatewayConfig(false)));
    const forward = chain(text, 'forward');
    const suspended = forward.findIndex((l) => l.includes('ether saddr @suspended reject'));
    expect(suspended).toBeGreaterThan(-1);
    expect(suspended).toBeLessThan(forward.indexOf('ct state established,related accept'));
    const input = chain(text, 'in_pupil');
    expect(input.findIndex((l) => l.includes('comment "DNS"'))).toBeLessThan(input.findIndex((l) => l.includes('@suspended')));
  });

  test('tethering is looked for before routing (the TTL as it arrived), per network unless switched off', () => {
    const config = labGatewayConfig(false);
    config.networks.find((n) => n.id === 'staff')!.tethering = 'off';
    config.networks.find((n) => n.id === 'guest')!.tethering = 'block';
    const pre = chain(renderRuleset(inputOf(config)), 'prerouting');
    const rules = pre.filter((l) => l.includes('@tethering_suspects'));
    expect(rules.map((l) => l.split(':')[0]!.split('"').at(-1))).toEqual(['pupil', 'guest']);
    expect(rules[0]).toContain('ip ttl { 63, 127 } ct state new update @tethering_suspects { ether saddr }');
    // After anti-spoofing: a spoofed source never makes a device a suspect.
    expect(pre.findIndex((l) => l.includes('@tethering_suspects'))).toBeGreaterThan(pre.findLastIndex((l) => l.endsWith('drop')));
  });

  test('guests fail closed: their forwarding needs their interface in guests_served, checked before the established shortcut; staff and pupil never depend on it', () => {
    const config = labGatewayConfig(false);
    config.firewall = { enabled: true, wanInterface: 'wan0', ipv6Forward: ['guest'], heartbeatSeconds: 2 };
    config.networks.find((n) => n.id === 'guest')!.subnets.push('fd00:30::/64');
    const text = renderRuleset(inputOf(config));
    expect(text).toContain('  set guests_served {\n    type ifname\n    flags timeout; timeout 6s\n  }');
    const forward = chain(text, 'forward');
    const rules = forward.filter((l) => l.includes('@guests_served'));
    expect(rules).toEqual([
      'iifname "lan-guest" ip saddr 10.30.0.0/24 iifname != @guests_served reject with icmpx admin-prohibited comment "guest: Schoolgate is not running (guests fail closed)"',
      'iifname "lan-guest" ip6 saddr fd00:30::/64 iifname != @guests_served reject with icmpx admin-prohibited comment "guest: Schoolgate is not running (guests fail closed)"',
    ]);
    expect(forward.indexOf(rules[1]!)).toBeLessThan(forward.indexOf('ct state established,related accept'));
    // Only guest networks: nothing else in the table mentions the heartbeat.
    expect(text.split('\n').filter((l) => l.includes('@guests_served') && !l.includes('"lan-guest"'))).toEqual([]);
    // Without a portal there is no redirect to fall back to; with one, a lapsed heartbeat sends every guest's HTTP there.
    expect(chain(text, 'nat_prerouting').join('\n')).not.toContain('guests_served');
    config.web.portal = { address: '0.0.0.0', port: 8443 };
    const nat = chain(renderRuleset(inputOf(config)), 'nat_prerouting');
    const lapsed = nat.indexOf('iifname "lan-guest" ip saddr 10.30.0.0/24 iifname != @guests_served tcp dport 80 dnat ip to 10.30.0.1:80 comment "guest: Schoolgate is not running"');
    expect(lapsed).toBeGreaterThan(-1);
    expect(lapsed).toBeLessThan(nat.findIndex((l) => l.includes('!= @authorised_guests')));
  });

  test('a switched-off guest network has no heartbeat rule; the default heartbeat is 10 s (timeout 30 s)', () => {
    const config = labGatewayConfig(false);
    expect(renderRuleset(inputOf(config))).toContain('flags timeout; timeout 30s\n  }\n  chain prerouting');
    config.networks.find((n) => n.id === 'guest')!.enabled = false;
    expect(renderRuleset(inputOf(config))).not.toContain('@guests_served');
  });

  test('a name that could end an nft string is refused, not rendered', () => {
    const config = labGatewayConfig(false);
    config.networks[0]!.interface = 'bad"name';
    expect(() => renderRuleset(inputOf(config))).toThrow(/cannot put/);
  });
  test('every network reaches the block page on port 80, a suspended device too; HTTPS to the gateway is reset where no admin UI answers', () => {
    const text = renderRuleset(inputOf(labGatewayConfig(false)));
    for (const id of ['staff', 'pupil', 'guest']) {
      const input = chain(text, `in_${id}`);
      const page = input.indexOf('tcp dport 80 accept comment "block page"');
      expect(page, id).toBeGreaterThan(-1);
      expect(page, id).toBeLessThan(input.findIndex((l) => l.includes('@suspended')));
      const reset = input.indexOf('tcp dport 443 reject with tcp reset comment "HTTPS to a blocked name"');
      const quic = input.indexOf('udp dport 443 reject with icmpx port-unreachable comment "QUIC to a blocked name"');
      if (id === 'staff') {
        // The admin UI will answer HTTPS there (its TLS server refuses a foreign SNI).
        expect([reset, quic]).toEqual([-1, -1]);
      } else {
        expect(reset, id).toBeGreaterThan(-1);
        expect(quic, id).toBeGreaterThan(-1);
        expect(reset, id).toBeLessThan(input.indexOf('reject with icmpx admin-prohibited'));
      }
    }
    // A portal on 443 answers HTTPS on the gateway itself: no reset in its way.
    const withPortal = labGatewayConfig(false);
    withPortal.web.portal = { address: '0.0.0.0', port: 443 };
    expect(chain(renderRuleset(inputOf(withPortal)), 'in_guest').join('\n')).not.toContain('tcp reset');
  });
  test('the AUP splash sends only plain HTTP of devices not in aup_accepted to the gateway, on the networks it names', () => {
    const config = labGatewayConfig(false);
    const plain = renderRuleset(inputOf(config));
    expect(plain).toContain('set aup_accepted {\n    type ifname . ether_addr\n  }');
    expect(plain).not.toContain('@aup_accepted');
    config.aup = { version: '2026-27', text: 'Be kind online.', splashOn: ['pupil'] };
    const pupil = config.networks.find((n) => n.id === 'pupil')!;
    const nat = chain(renderRuleset(inputOf(config)), 'nat_prerouting').filter((l) => l.includes('@aup_accepted'));
    expect(nat).toEqual([
      `iifname "${pupil.interface}" ip saddr ${pupil.subnets[0]} iifname . ether saddr != @aup_accepted tcp dport 80 dnat ip to ${pupil.gateway.ipv4}:80 comment "pupil: AUP not accepted yet"`,
    ]);
    // Nothing else changes: HTTPS, DNS and the forward chains are the same with and without it.
    const without = (text: string) => text.split('\n').filter((l) => !l.includes('@aup_accepted')).join('\n');
    expect(without(renderRuleset(inputOf(config)))).toBe(plain);
  });
});
