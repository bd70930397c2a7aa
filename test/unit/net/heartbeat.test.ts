// The heartbeat's lines: one renewal per guest interface, to the full timeout, in an order nft
// accepts whether or not the entry is there (test/lab/ruleset-apply.test.ts runs them for real).
import { describe, expect, test } from 'vitest';
import { heartbeatLines } from '../../../firmware/net/heartbeat.ts';
import { rulesetInputOf } from '../../../firmware/net/ruleset-input.ts';
import { labGatewayConfig } from '../../../scripts/netlab/gateway.ts';

describe('heartbeatLines', () => {
  test('each enabled guest network\'s interface, once, renewed to three beats', () => {
    const config = labGatewayConfig(false);
    config.firewall = { enabled: true, wanInterface: 'wan0', heartbeatSeconds: 5 };
    // A second guest network on the same interface adds no second entry.
    config.networks.push({ ...structuredClone(config.networks.find((n) => n.id === 'guest')!), id: 'events', subnets: ['10.31.0.0/24'], gateway: { ipv4: '10.31.0.1' } });
    expect(heartbeatLines(rulesetInputOf(config))).toEqual([
      'add element inet schoolgate guests_served { "lan-guest" timeout 1s }',
      'delete element inet schoolgate guests_served { "lan-guest" }',
      'add element inet schoolgate guests_served { "lan-guest" timeout 15s }',
    ]);
  });

  test('nothing to renew without an enabled guest network', () => {
    const config = labGatewayConfig(false);
    config.firewall = { enabled: true, wanInterface: 'wan0' };
    config.networks.find((n) => n.id === 'guest')!.enabled = false;
    expect(heartbeatLines(rulesetInputOf(config))).toEqual([]);
  });
});
