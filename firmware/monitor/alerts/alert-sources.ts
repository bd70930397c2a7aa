// Alerts from the gateway's other sources, as pure functions of what each reports: network events
// (state/network-events.ts), a failed list feed, a restart after a crash. The severity table says
// what reaches the DSL at once (critical) and what waits for the weekly review.
import type { AlertCandidate, AlertKind, AlertSeverity } from './alert-schema.ts';
import type { NetworkEventKind } from '../../state/schemas.ts';
import type { NewNetworkEvent } from '../../state/network-events.ts';

interface NetworkRule {
  kind: AlertKind;
  severity: AlertSeverity;
  reason: string;
}

/**
 * The network events that are alerts. None is critical: each needs the IT provider rather than
 * the DSL at once, and the DNS side of each (a bypass name, a restricted hit) alerts on its own.
 * DHCP's routine events (a declined address, a client over its rate, an address in use) are not
 * alerts: the review reads them from the events.
 */
export const NETWORK_ALERTS: Readonly<Partial<Record<NetworkEventKind, NetworkRule>>> = {
  'net.tethering': { kind: 'net.tethering', severity: 'high', reason: 'the device shared its connection with other devices (a hotspot): they reach the internet through it, out of sight of the device table' },
  'net.bypass': { kind: 'net.bypass', severity: 'high', reason: 'the firewall refused encrypted DNS, a VPN or a proxy: an attempt to get round the filter' },
  'net.p2p': { kind: 'net.p2p', severity: 'medium', reason: 'peer-to-peer file sharing traffic from the device' },
  'net.suspended': { kind: 'net.suspended', severity: 'medium', reason: 'the device was suspended from the internet' },
  'dhcp.rogue-server': { kind: 'dhcp.rogue-server', severity: 'high', reason: 'another DHCP server answers on this network: its clients may get a gateway and DNS that do not filter' },
  'dhcp.school-device-on-guest': { kind: 'dhcp.school-device-on-guest', severity: 'medium', reason: 'a school-owned device asked for an address on a guest network, where it should never be' },
  'dhcp.starvation': { kind: 'dhcp.starvation', severity: 'high', reason: 'many new devices asked for addresses at once (a DHCP starvation attack?): real devices may get none' },
  'dhcp.pool-exhausted': { kind: 'dhcp.pool-exhausted', severity: 'medium', reason: 'the network has no free address left: new devices get none' },
};

/** A network event as it is appended (the alert follows whichever service records it). */
export type NetworkEventSeen = NewNetworkEvent;

/** Inert text of what was seen: the details that name it, never markup or a link. */
function subjectOf(event: NetworkEventSeen): string {
  const d = event.details ?? {};
  const parts: string[] = [];
  for (const key of ['server', 'address', 'hostname', 'reason', 'mode', 'until', 'suspendedUntil', 'protocol', 'destination']) {
    const value = d[key];
    if (typeof value === 'string' || typeof value === 'number') parts.push(`${key} ${value}`);
  }
  return (parts.length > 0 ? parts.join(', ') : event.kind).slice(0, 300);
}

/** The candidate a network event raises, or undefined when the kind is not an alert. */
export function networkEventCandidate(event: NetworkEventSeen): AlertCandidate | undefined {
  const rule = NETWORK_ALERTS[event.kind];
  if (rule === undefined) return undefined;
  const address = event.details?.address ?? event.details?.client;
  return {
    kind: rule.kind, severity: rule.severity, at: event.at.toISOString(),
    networkId: event.networkId ?? null, mac: event.mac ?? null,
    address: event.mac ? null : typeof address === 'string' ? address.slice(0, 45) : null,
    subject: subjectOf(event), reason: rule.reason,
    details: { ...event.details, ...(event.interface ? { interface: event.interface } : {}) },
  };
}

/**
 * A list feed that failed: its last good copy stays in service, growing older. High for a
 * restricted (illegal content) list, whose freshness the school answers for; medium otherwise.
 */
export function feedFailedCandidate(list: { id: string; restricted?: boolean | undefined }, error: string, at: Date): AlertCandidate {
  const restricted = list.restricted === true;
  return {
    kind: 'lists.feed-failed', severity: restricted ? 'high' : 'medium', at: at.toISOString(), networkId: null, mac: null, address: null,
    subject: `list ${list.id}`.slice(0, 300),
    reason: `the feed of ${restricted ? 'the restricted list' : 'list'} "${list.id}" could not be updated (${error}); the last good copy stays in service`.slice(0, 500),
    details: { list: list.id, restricted, error },
  };
}

/** The daemon started and found the previous run had not stopped cleanly. */
export function crashRestartCandidate(previous: { startedAt?: string | undefined; pid?: number | undefined }, at: Date): AlertCandidate {
  return {
    kind: 'system.crash-restart', severity: 'high', at: at.toISOString(), networkId: null, mac: null, address: null,
    subject: previous.startedAt ? `the run started ${previous.startedAt}` : 'the previous run',
    reason: 'the gateway restarted after the previous run ended without stopping cleanly (a crash, a power cut or a kill): DNS and DHCP were down until now',
    details: { ...previous },
  };
}
