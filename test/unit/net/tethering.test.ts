// Deciding about tethering suspects: one event per device per window, a suspension only on a
// network set to "block" and only for a device not suspended already; reading the set's members.
import { describe, expect, test } from 'vitest';
import { labGatewayConfig } from '../../../scripts/netlab/gateway.ts';
import { setMembers } from '../../../firmware/net/set-elements.ts';
import { tetheringFindings } from '../../../firmware/net/tethering.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';

const HOTSPOT = '02:5c:00:20:00:20';
const GUEST_PHONE = '02:5c:00:30:00:10';
const STRANGER = '02:5c:00:99:00:01';

describe('tetheringFindings', () => {
  const now = new Date('2026-12-07T10:00:00Z');

  test('block suspends (for tetheringSuspendMinutes), monitor records, an unknown device is recorded only; each once per window', () => {
    const state = StateDatabase.open(':memory:', { now: () => now });
    try {
      state.devices.upsertSeen(HOTSPOT, 'pupil', now);
      state.devices.upsertSeen(GUEST_PHONE, 'guest', now);
      const config = labGatewayConfig(false);
      config.networks.find((n) => n.id === 'pupil')!.tethering = 'block';
      config.firewall = { enabled: true, wanInterface: 'wan0', tetheringSuspendMinutes: 30 };
      const findings = tetheringFindings({
        suspects: [HOTSPOT, GUEST_PHONE, STRANGER, HOTSPOT], device: (m) => state.devices.get(m), recorded: new Set([GUEST_PHONE]), config, now,
      });
      expect(findings).toEqual([
        { mac: HOTSPOT, networkId: 'pupil', name: '', mode: 'block', record: true, suspendUntil: new Date('2026-12-07T10:30:00Z') },
        { mac: GUEST_PHONE, networkId: 'guest', name: '', mode: 'monitor', record: false, suspendUntil: null },
        { mac: STRANGER, networkId: null, name: '', mode: 'monitor', record: true, suspendUntil: null },
      ]);
      state.devices.suspend(HOTSPOT, new Date('2026-12-07T10:05:00Z'), 'earlier');
      const again = tetheringFindings({ suspects: [HOTSPOT], device: (m) => state.devices.get(m), recorded: new Set([HOTSPOT]), config, now });
      expect(again).toMatchObject([{ mode: 'block', record: false, suspendUntil: null }]);
    } finally {
      state.close();
    }
  });
});

describe('setMembers', () => {
  test('the values of one set from nft -j, bare or with a timeout; another set\'s are not mixed in', () => {
    const json = { nftables: [
      { metainfo: { json_schema_version: 1 } },
      { set: { name: 'suspended', elem: ['02:5c:00:10:00:10'] } },
      { set: { name: 'tethering_suspects', elem: [{ elem: { val: HOTSPOT, timeout: 3600, expires: 3590 } }, STRANGER] } },
    ] };
    expect(setMembers(json, 'tethering_suspects')).toEqual([HOTSPOT, STRANGER]);
    expect(setMembers({ nftables: [{ set: { name: 'tethering_suspects' } }] }, 'tethering_suspects')).toEqual([]);
    expect(() => setMembers({ nftables: [{ set: { name: 'tethering_suspects', elem: ['02:5c; flush ruleset'] } }] }, 'tethering_suspects')).toThrow(/unexpected/);
  });
});
