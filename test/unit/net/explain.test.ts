// `net show`'s sentences follow the same inputs as the rules: a change to the configuration
// changes what they say.
import { describe, expect, test } from 'vitest';
import { formatAttempts, formatBypass, formatNet } from '../../../firmware/cli/commands/net.ts';
import { formatStatus } from '../../../firmware/cli/format-status.ts';
import { sampleStatus } from '../status-fixture.ts';
import { explainRuleset } from '../../../firmware/net/explain.ts';
import { rulesetInputOf } from '../../../firmware/net/ruleset-input.ts';
import { labGatewayConfig } from '../../../scripts/netlab/gateway.ts';

const lines = (config: ReturnType<typeof labGatewayConfig>, id: string): string => {
  const explained = explainRuleset(rulesetInputOf(config, config.firewall ?? { enabled: true, wanInterface: 'wan0' }));
  return explained.find((n) => n.network === id)!.lines.join('\n');
};

describe('explainRuleset', () => {
  test('each kind in words: guest web only, pupil no staff, admin page on staff only', () => {
    const config = labGatewayConfig(false);
    expect(lines(config, 'guest')).toContain('web only, TCP 80 and 443');
    expect(lines(config, 'guest')).not.toContain('admin page');
    expect(lines(config, 'pupil')).toContain('other school networks: none');
    expect(lines(config, 'staff')).toContain('may open connections to pupil');
    expect(lines(config, 'staff')).toContain('the admin page (TCP 8080), SSH');
    expect(lines(config, 'pupil')).toContain('port 53 to any other resolver is redirected there');
    expect(lines(config, 'pupil')).toContain('IPv6: no path out');
    expect(lines(config, 'pupil')).toContain('the block page (TCP 80, suspended devices too)');
    expect(lines(config, 'pupil')).toContain('HTTPS (TCP 443) to it is reset');
    expect(lines(config, 'staff')).not.toContain('HTTPS (TCP 443) to it is reset');
  });

  test('configuration changes show: UDP 443, IPv6 forwarding, a portal, a switched-off network', () => {
    const config = labGatewayConfig(false);
    config.firewall = { enabled: true, wanInterface: 'wan0', guestUdp443: true, ipv6Forward: ['staff'] };
    config.web.portal = { address: '0.0.0.0', port: 8443 };
    config.networks.find((n) => n.id === 'pupil')!.enabled = false;
    expect(lines(config, 'guest')).toContain('and UDP 443 (HTTP/3)');
    expect(lines(config, 'guest')).toContain('sent to the portal on 10.30.0.1:80');
    expect(lines(config, 'staff')).toContain('IPv6: forwarded');
    expect(lines(config, 'pupil')).toMatch(/^switched off/);
    expect(lines(config, 'staff')).toContain('other school networks: none');
  });

  test('peer-to-peer and bypass learning follow the configuration', () => {
    const config = labGatewayConfig(false);
    expect(lines(config, 'pupil')).toContain('peer-to-peer: BitTorrent handshakes, DHT, uTP and tracker requests');
    expect(lines(config, 'staff')).toContain('peer-to-peer: allowed (p2p "allow")');
    expect(lines(config, 'staff')).toContain('learned by resolving the bypass category\'s names');
    config.networks.find((n) => n.id === 'pupil')!.p2p = 'allow';
    config.firewall = { enabled: true, wanInterface: 'wan0', learnBypassAddresses: false };
    expect(lines(config, 'pupil')).toContain('peer-to-peer: allowed');
    expect(lines(config, 'pupil')).toContain('not learned: firewall.learnBypassAddresses is false');
  });

  test('what happens when the daemon stops: guests fail closed after three beats, the others keep their rules', () => {
    const config = labGatewayConfig(false);
    config.firewall = { enabled: true, wanInterface: 'wan0', heartbeatSeconds: 4 };
    expect(lines(config, 'guest')).toContain('renewed every 4 s) lapses within 12 s');
    expect(lines(config, 'guest')).toContain('reaches nothing through the gateway (no portal is configured)');
    expect(lines(config, 'staff')).toContain('if Schoolgate stops: these rules stay in force');
    expect(lines(config, 'pupil')).toContain('if Schoolgate stops: these rules stay in force');
    config.web.portal = { address: '0.0.0.0', port: 8443 };
    expect(lines(config, 'guest')).toContain('every guest, authorised or not, reaches only the portal');
  });

  test('net show prints a failed apply first, then the networks and the table', () => {
    const text = formatNet({
      enabled: true, appliedAt: '2026-12-07T04:00:00.000Z', applyMs: 12, error: 'applying the ruleset failed (nft exit 1): Error: syntax error',
      ruleset: 'table inet schoolgate {\n}\n', networks: [{ network: 'guest', kind: 'guest', enabled: true, lines: ['arrives on lan-guest'] }],
    });
    expect(text.split('\n').slice(0, 2)).toEqual(['The last apply FAILED: applying the ruleset failed (nft exit 1): Error: syntax error', 'The ruleset below is the one before it.']);
    expect(text).toContain('guest (guest)\n  - arrives on lan-guest');
    expect(text.trimEnd().endsWith('table inet schoolgate {\n}')).toBe(true);
  });
});

describe('net attempts and net bypass', () => {
  test('each device with what it tried and whether an event was recorded; the addresses and the learner\'s counts', () => {
    expect(formatAttempts({ attempts: [] })).toMatch(/^No device/);
    const text = formatAttempts({ attempts: [
      { kind: 'net.p2p', address: '10.20.0.10', mac: '02:5c:00:20:00:10', networkId: 'pupil', name: 'Year 5 iPad', packets: 3, record: true },
      { kind: 'net.bypass', address: '10.20.0.11', mac: '02:5c:00:20:00:11', networkId: null, name: '', packets: 1, record: false },
    ] });
    expect(text).toContain('02:5c:00:20:00:10 (Year 5 iPad) at 10.20.0.10 on pupil: peer-to-peer, 3 packets refused (event recorded)');
    expect(text).toContain('02:5c:00:20:00:11 at 10.20.0.11 on no school network: filter bypass (DNS over TLS or a bypass provider), 1 packet refused (already reported this hour)');
    const bypass = formatBypass({ v4: ['198.51.100.80'], v6: [], learner: { namesLearned: 1, addressesAdded: 1, queued: 0, refused: 0, failures: 2 } });
    expect(bypass).toContain('1 bypass provider address refused on 443: 198.51.100.80');
    expect(bypass).toContain('2 failed lookups');
  });
});

describe('the firewall line of status', () => {
  const line = (status: ReturnType<typeof sampleStatus>): string => formatStatus(status).split('\n').find((l) => l.trimStart().startsWith('firewall'))!;

  test('off, applied, and a failed apply each say so', () => {
    const status = sampleStatus();
    expect(line(status)).toContain('off (firewall.enabled)');
    status.firewall = { enabled: true, appliedAt: '2026-12-07T04:00:00.000Z', applyMs: 46, error: null };
    expect(line(status)).toContain('applied 2026-12-07T04:00:00.000Z in 46 ms');
    status.firewall.error = 'applying the ruleset failed (nft exit 1): boom';
    expect(line(status)).toContain('LAST APPLY FAILED, the previous ruleset stays in force: applying the ruleset failed');
  });
});
