// Tethering with real traffic: the `tethered` namespace reaches the internet through `hotspot`
// (a pupil device sharing its connection with masquerade, as a phone's hotspot does), so its
// packets arrive at the gateway with TTL 63. On a pupil network set to "block", the check finds
// the hotspot, records the event and suspends it, cutting off it and whoever it shares with; the
// direct pupil client is neither found nor cut off.
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CLIENTS, GW_WAN_INTERFACE, INTERNET } from '../../scripts/netlab/addresses.ts';
import { MAIN, NODE, REPO_ROOT, withDhcp } from '../../scripts/netlab/gateway.ts';
import type { TetheringView } from '../../firmware/net/net-methods.ts';
import type { LabNs } from '../../scripts/netlab/addresses.ts';
import { useLab } from './support/lab.ts';

const lab = useLab({ name: 'tethering.test', clients: 'none' });
const HOTSPOT_MAC = CLIENTS.find((c) => c.ns === 'hotspot')!.mac;

async function cli(args: string[]): Promise<string> {
  return (await lab().run('gw', [NODE, MAIN, ...args, '--data-dir', lab().gateway!.dataDir], { cwd: REPO_ROOT })).stdout;
}

async function web(ns: LabNs): Promise<boolean> {
  return (await lab().exec(ns, ['curl', '-sk', '-o', '/dev/null', '--max-time', '5', `https://${INTERNET.web}/whoami`])).code === 0;
}

describe('tethering detection', () => {
  test('a hotspot sharing its connection is found and, in block mode, suspended; the direct client is not', async () => {
    const config = withDhcp(lab().gatewayConfig(), ['pupil']);
    config.firewall = { enabled: true, wanInterface: GW_WAN_INTERFACE, tetheringSuspendMinutes: 10 };
    config.networks.find((n) => n.id === 'pupil')!.tethering = 'block';
    await lab().startGateway(config);
    await lab().dhcp('pupil', 'udhcpc');
    await lab().dhcp('hotspot', 'udhcpc');
    // Until the daemon looks, tethering works: detection is after the fact, by design.
    expect(await web('pupil')).toBe(true);
    expect(await web('tethered')).toBe(true);

    const found = JSON.parse(await cli(['net', 'tethering', '--json'])) as TetheringView;
    expect(found.suspects.map((s) => [s.mac, s.networkId, s.mode])).toEqual([[HOTSPOT_MAC, 'pupil', 'block']]);
    expect(found.suspects[0]!.suspendUntil).not.toBeNull();
    expect(await web('tethered')).toBe(false);
    expect(await web('hotspot')).toBe(false);
    expect(await web('pupil')).toBe(true);

    const db = new DatabaseSync(join(lab().gateway!.dataDir, 'state.db'), { readOnly: true });
    try {
      const events = db.prepare("SELECT network_id, mac FROM network_events WHERE kind = 'net.tethering'").all();
      expect(events).toEqual([{ network_id: 'pupil', mac: HOTSPOT_MAC }]);
    } finally {
      db.close();
    }
    // Checked again: still a suspect, already suspended, no second event within the hour.
    const again = JSON.parse(await cli(['net', 'tethering', '--json'])) as TetheringView;
    expect(again.suspects).toMatchObject([{ mac: HOTSPOT_MAC, record: false, suspendUntil: null }]);
    expect(await cli(['devices'])).toContain('tethering');
  });
});
