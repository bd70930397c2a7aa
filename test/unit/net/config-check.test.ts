// The firewall section through the whole validator: absent still loads (older files), and the
// settings that would cut off the wrong thing are refused with their JSON paths.
import { describe, expect, test } from 'vitest';
import type { Config } from '../../../firmware/config/schema.ts';
import { validateConfig } from '../../../firmware/config/validate.ts';
import { labGatewayConfig } from '../../../scripts/netlab/gateway.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';

const issues = (doc: Config): Array<{ path: string; message: string }> => {
  const r = validateConfig(JSON.parse(JSON.stringify(doc)));
  return r.ok ? [] : r.issues;
};

describe('firewall configuration', () => {
  test('absent, and present on the lab networks, are both valid', () => {
    expect(issues(labGatewayConfig(false))).toEqual([]);
    const config = labGatewayConfig(false);
    config.firewall = { enabled: true, wanInterface: 'wan0', ipv6Forward: ['staff'], adminFrom: ['management'], guestUdp443: true, nat: false };
    expect(issues(config)).toEqual([]);
  });

  test('a network on the uplink, on lo while enabled, or an unknown ipv6Forward id is refused', () => {
    const config = labGatewayConfig(false);
    config.firewall = { enabled: true, wanInterface: 'lan-pupil', ipv6Forward: ['staf'] };
    expect(issues(config).map((i) => i.path)).toEqual(['/networks/1/interface', '/firewall/ipv6Forward/0']);
    const demo = defaultConfig();
    demo.firewall = { enabled: true, wanInterface: 'eth0' };
    expect(issues(demo).map((i) => i.path)).toEqual(['/networks/0/interface', '/networks/1/interface', '/networks/2/interface']);
    demo.firewall.enabled = false;
    expect(issues(demo)).toEqual([]);
  });

  test('an unknown key in the section is a schema issue', () => {
    const config = labGatewayConfig(false) as any;
    config.firewall = { enabled: true, wanInterface: 'wan0', masquerade: true };
    expect(issues(config).map((i) => i.path)).toContain('/firewall/masquerade');
  });
});
