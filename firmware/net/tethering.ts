// What to do about the devices in `tethering_suspects`: a network event once per device per
// window, and on a network whose `tethering` is "block" a suspension. Pure: the set's members,
// the device table, the recent events and the clock come in; decisions go out.
import type { Config } from '../config/schema.ts';
import type { Device } from '../state/schemas.ts';
import { DEFAULT_TETHERING_SUSPEND_MINUTES } from './ruleset.ts';

export const TETHERING_REASON = 'tethering: it forwarded another device\'s traffic (a hotspot)';

export interface TetheringFinding {
  mac: string;
  /** The device's network from its last lease; null for a device that never took one. */
  networkId: string | null;
  name: string;
  mode: 'monitor' | 'block';
  /** A network event is due (none for this device within the window). */
  record: boolean;
  /** Suspend it until this instant (block mode, not suspended already). */
  suspendUntil: Date | null;
}

export interface TetheringInput {
  suspects: readonly string[];
  device: (mac: string) => Device | undefined;
  /** MACs with a tethering event within the window already. */
  recorded: ReadonlySet<string>;
  config: Readonly<Config>;
  now: Date;
}

export function tetheringFindings(input: TetheringInput): TetheringFinding[] {
  const minutes = input.config.firewall?.tetheringSuspendMinutes ?? DEFAULT_TETHERING_SUSPEND_MINUTES;
  return [...new Set(input.suspects)].map((mac) => {
    const device = input.device(mac);
    const network = device ? input.config.networks.find((n) => n.id === device.networkId) : undefined;
    // A device that never took a lease has no network to read the mode from: recorded only.
    const mode = network?.tethering === 'block' ? 'block' : 'monitor';
    const suspended = device?.suspendedUntil != null && Date.parse(device.suspendedUntil) > input.now.getTime();
    return {
      mac,
      networkId: device?.networkId ?? null,
      name: device?.name ?? '',
      mode,
      record: !input.recorded.has(mac),
      suspendUntil: mode === 'block' && device && !suspended ? new Date(input.now.getTime() + minutes * 60_000) : null,
    };
  });
}
