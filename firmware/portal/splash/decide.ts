// Who is shown the AUP splash (pure). A device on a network the `aup` section names (never a
// guest network: visitors accept the portal's terms) sees it until it has accepted the current
// version on that network. A device without a lease cannot be recorded, so it is told why
// instead of being asked to accept something nobody would keep.
import type { AupSettings } from '../../config/aup-schema.ts';
import type { Config, Network } from '../../config/schema.ts';

export type SplashDecision =
  /** Not for the splash: another handler answers (the splash is off here, or it is a guest network). */
  | { kind: 'off' }
  /** The device has accepted this version on this network. */
  | { kind: 'accepted'; version: string }
  /** The device must accept `version` first. */
  | { kind: 'ask'; version: string; mac: string }
  /** On a splash network, but no lease names the device: nothing to record its acceptance against. */
  | { kind: 'no-lease'; version: string };

/** The AUP settings if `network` shows the splash, else undefined. */
export function splashSettingsFor(config: Readonly<Config>, network: Network): AupSettings | undefined {
  const aup = config.aup;
  if (!aup || network.kind === 'guest' || !network.enabled) return undefined;
  return aup.splashOn.includes(network.id) ? aup : undefined;
}

export interface SplashInput {
  network: Network;
  /** The device's MAC from its lease, if it has one. */
  mac: string | undefined;
  /** Whether this MAC has accepted `version` on this network (state.db). */
  hasAccepted: (mac: string, networkId: string, version: string) => boolean;
}

export function decideSplash(config: Readonly<Config>, input: SplashInput): SplashDecision {
  const aup = splashSettingsFor(config, input.network);
  if (!aup) return { kind: 'off' };
  if (input.mac === undefined) return { kind: 'no-lease', version: aup.version };
  return input.hasAccepted(input.mac, input.network.id, aup.version)
    ? { kind: 'accepted', version: aup.version }
    : { kind: 'ask', version: aup.version, mac: input.mac };
}

/** The networks the splash is on, for the ruleset (enabled, not guest). */
export function splashNetworkIds(config: Readonly<Config>): string[] {
  return config.networks.filter((n) => splashSettingsFor(config, n) !== undefined).map((n) => n.id);
}

/** Cross-checks of the `aup` section: every network it names exists and is not a guest network. */
export function aupConfigIssues(doc: Partial<Config>): { path: string; message: string }[] {
  if (!doc.aup || !doc.networks) return [];
  const issues: { path: string; message: string }[] = [];
  doc.aup.splashOn.forEach((id, i) => {
    const network = doc.networks!.find((n) => n.id === id);
    const path = `/aup/splashOn/${i}`;
    if (!network) issues.push({ path, message: `there is no network "${id}" (networks: ${doc.networks!.map((n) => n.id).join(', ')})` });
    else if (network.kind === 'guest') issues.push({ path, message: `"${id}" is a guest network: visitors accept the portal's terms (portal.terms) instead of the AUP splash` });
  });
  return issues;
}
