// The shipped filtering providers load and check, and none of them is the configuration's default.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { loadUpstreamProviders } from '../../../firmware/config/upstream-providers.ts';

describe('the shipped upstream providers', () => {
  it('load, each saying what account the school needs, and none is a default upstream', () => {
    const { note, providers } = loadUpstreamProviders();
    expect(note).toMatch(/IWF/);
    expect(providers.length).toBeGreaterThanOrEqual(2);
    for (const p of providers) expect(p.account.length).toBeGreaterThan(10);
    const shipped = new Set(providers.flatMap((p) => p.upstreams.map((u) => u.address)));
    expect(defaultConfig().dns.upstreams.filter((u) => shipped.has(u.address))).toEqual([]);
  });
});
