// Peer-to-peer blocking and the attempt counters as rendered: the signatures' bytes, which
// networks jump to them and where, and the chains that count before refusing. `nft -c` of the
// same text is in test/lab/ruleset-apply.test.ts; real traffic in test/lab/p2p-bypass.test.ts.
import { describe, expect, test } from 'vitest';
import type { Config } from '../../../firmware/config/schema.ts';
import { P2P_SIGNATURES, payloadMatch, refusalChains } from '../../../firmware/net/p2p-rules.ts';
import { p2pMode } from '../../../firmware/net/reach.ts';
import { renderRuleset } from '../../../firmware/net/ruleset.ts';
import { rulesetInputOf } from '../../../firmware/net/ruleset-input.ts';
import { labGatewayConfig } from '../../../scripts/netlab/gateway.ts';

const render = (config: Config): string => renderRuleset(rulesetInputOf(config, config.firewall ?? { enabled: true, wanInterface: 'wan0' }));

function chain(text: string, name: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(`  chain ${name} {`);
  if (start < 0) return [];
  return lines.slice(start + 1, lines.indexOf('  }', start)).map((l) => l.trim());
}

/** The bytes a run of `@ih,OFFSET,LENGTH 0xHEX` matches spell, from the start of the payload. */
function spelled(match: string): Buffer {
  const parts = [...match.matchAll(/@ih,(\d+),(\d+) 0x([0-9a-f]+)/g)];
  const bytes: number[] = [];
  for (const [, offset, length, hex] of parts) {
    expect(Number(offset)).toBe(bytes.length * 8);
    expect(hex!.length * 4).toBe(Number(length));
    bytes.push(...Buffer.from(hex!, 'hex'));
  }
  return Buffer.from(bytes);
}

describe('P2P signatures', () => {
  test('a payload longer than nft\'s 128-bit compare is split, each part at its own offset', () => {
    expect(payloadMatch(Buffer.from('\x13BitTorrent protocol', 'latin1'))).toBe('@ih,0,128 0x13426974546f7272656e742070726f74 @ih,128,32 0x6f636f6c');
    expect(payloadMatch(new Uint8Array([0, 0, 0, 0]), 8)).toBe('@ih,64,32 0x00000000');
  });

  test('each signature spells the bytes its protocol starts with', () => {
    const match = (id: string): string => P2P_SIGNATURES.find((s) => s.id === id)!.match;
    expect(spelled(match('bittorrent-handshake')).toString('latin1')).toBe('\x13BitTorrent protocol');
    expect(spelled(match('tracker-announce')).toString('latin1')).toBe('GET /announce?info_hash=');
    expect(spelled(match('dht-query')).toString('latin1')).toBe('d1:ad2:id20:');
    expect(spelled(match('dht-response')).toString('latin1')).toBe('d1:rd2:id20:');
    expect(spelled(match('udp-tracker-connect')).toString('hex')).toBe('000004172710198000000000');
    expect(match('bittorrent-handshake')).toMatch(/^meta l4proto tcp /);
    expect(match('dht-query')).toMatch(/^meta l4proto udp /);
    // uTP: the first byte of versions 1 with types 0-4, never QUIC's UDP 443 nor STUN.
    expect(match('utp')).toContain('@ih,0,8 { 0x01, 0x11, 0x21, 0x31, 0x41 }');
    expect(match('utp')).toContain('udp dport != 443');
    expect(match('utp')).toContain('@ih,32,32 != 0x2112a442');
  });
});

describe('P2P in the ruleset', () => {
  test('by default pupil and guest refuse it and staff allows it; a network can say otherwise', () => {
    expect(p2pMode({ kind: 'pupil' })).toBe('block');
    expect(p2pMode({ kind: 'guest' })).toBe('block');
    expect(p2pMode({ kind: 'staff' })).toBe('allow');
    expect(p2pMode({ kind: 'school-devices' })).toBe('allow');
    expect(p2pMode({ kind: 'pupil', p2p: 'allow' })).toBe('allow');
    expect(p2pMode({ kind: 'staff', p2p: 'block' })).toBe('block');
  });

  test('the jumps come before the established shortcut, only for blocking networks and only in a connection\'s first packets', () => {
    const config = labGatewayConfig(false);
    config.networks.find((n) => n.id === 'guest')!.p2p = 'allow';
    config.networks.find((n) => n.id === 'staff')!.p2p = 'block';
    const forward = chain(render(config), 'forward');
    const jumps = forward.filter((l) => l.includes('jump p2p'));
    expect(jumps).toEqual([
      'iifname "lan-staff" ip saddr 10.10.0.0/24 ct original packets < 8 jump p2p comment "staff: no peer-to-peer"',
      'iifname "lan-pupil" ip saddr 10.20.0.0/24 ct original packets < 8 jump p2p comment "pupil: no peer-to-peer"',
    ]);
    const shortcut = forward.indexOf('ct state established,related accept');
    expect(forward.indexOf(jumps.at(-1)!)).toBeLessThan(shortcut);
    // After the suspended devices: a suspended device is refused, not counted as P2P.
    expect(forward.findIndex((l) => l.includes('@suspended'))).toBeLessThan(forward.indexOf(jumps[0]!));
  });

  test('no network blocking P2P: no p2p chain at all, the bypass counting chain still', () => {
    const config = labGatewayConfig(false);
    for (const n of config.networks) n.p2p = 'allow';
    const text = render(config);
    expect(chain(text, 'p2p')).toEqual([]);
    expect(text).not.toContain('jump p2p');
    expect(chain(text, 'bypass_refuse')).toEqual([
      'update @bypass_attempts_v4 { ip saddr . ether saddr }',
      'update @bypass_attempts_v6 { ip6 saddr . ether saddr }',
      'reject with icmpx admin-prohibited',
    ]);
  });

  test('a refused P2P packet is counted for its device, then a TCP connection is reset and the rest dropped', () => {
    const lines = refusalChains(labGatewayConfig(false).networks);
    const start = lines.indexOf('  chain p2p_refuse {');
    expect(lines.slice(start + 1, start + 5).map((l) => l.trim())).toEqual([
      'update @p2p_attempts_v4 { ip saddr . ether saddr }',
      'update @p2p_attempts_v6 { ip6 saddr . ether saddr }',
      'meta l4proto tcp reject with tcp reset',
      'drop',
    ]);
    const p2p = chain(lines.join('\n'), 'p2p');
    expect(p2p).toHaveLength(P2P_SIGNATURES.length);
    for (const rule of p2p) expect(rule).toMatch(/ goto p2p_refuse comment "[^"]+"$/);
  });

  test('DNS over TLS and bypass providers\' addresses go through the counting chain, after the shortcut (new connections only)', () => {
    const forward = chain(render(labGatewayConfig(false)), 'forward');
    const refusals = forward.filter((l) => l.includes('goto bypass_refuse'));
    expect(refusals.map((l) => l.split(' comment ')[1])).toEqual(['"DNS over TLS/QUIC"', '"filter bypass providers"', '"filter bypass providers"']);
    expect(refusals[0]).toContain('th dport 853');
    expect(refusals[1]).toContain('ip daddr @bypass_v4 meta l4proto { tcp, udp } th dport 443');
    expect(forward.indexOf(refusals[0]!)).toBeGreaterThan(forward.indexOf('ct state established,related accept'));
  });
});
