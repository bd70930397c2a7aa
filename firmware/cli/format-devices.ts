// `schoolgate devices` and `schoolgate leases` for a person on an SSH session.
import type { DevicesView, SuspensionResult } from '../dhcp/device-methods.ts';
import type { LeasesView, ReserveResult } from '../dhcp/lease-methods.ts';
import type { Device } from '../state/schemas.ts';
import { table } from './table.ts';

/** An instant as the technician reads it: minutes are enough, UTC says which clock. */
export const when = (iso: string | null | undefined): string => (iso ? `${iso.slice(0, 16).replace('T', ' ')}Z` : '-');

/** "until 2026-12-08 09:00Z (reason)" while in force at `now`, else "-": a lapsed one needs no action. */
function suspension(device: Device, now: Date): string {
  if (device.suspendedUntil === null || Date.parse(device.suspendedUntil) <= now.getTime()) return '-';
  return `until ${when(device.suspendedUntil)} (${device.suspendReason ?? ''})`;
}

/** Who it belongs to as staff wrote it, and whether it is a school device (the guest-network event reads that). */
function owner(d: Device): string {
  const school = d.schoolOwned ? 'school device' : '';
  return [d.owner, d.owner.toLowerCase() === 'school' ? '' : school].filter(Boolean).join(', ') || '-';
}

export function formatDevices(view: DevicesView, now = new Date()): string {
  if (view.devices.length === 0) return 'No devices seen yet: a device appears here when it takes a lease.\n';
  const rows = view.devices.map((d) => [
    d.mac + (d.randomisedMac ? ' (random)' : ''), d.name || '-', d.hostname || '-', d.groupId ?? '-', d.networkId,
    owner(d), when(d.firstSeen), when(d.lastSeen), suspension(d, now),
  ]);
  return `${table([['MAC', 'NAME', 'HOSTNAME', 'GROUP', 'NETWORK', 'OWNER', 'FIRST SEEN', 'LAST SEEN', 'SUSPENDED'], ...rows])}\n`;
}

export function formatSuspension(result: SuspensionResult): string {
  const d = result.device;
  const what = d.suspendedUntil === null
    ? `${d.mac}: not suspended; it has the internet again.`
    : `${d.mac}: suspended until ${when(d.suspendedUntil)} (${d.suspendReason ?? ''}); it keeps DNS and the gateway only.`;
  const off = result.enforced ? '' : '\nThe firewall is switched off (firewall.enabled): stored, and enforced once it is on.';
  return `${what}${off}\nRecorded in the audit log under your name.\n`;
}

export function formatDeviceChange(device: Device, what: 'name' | 'group' | 'owner'): string {
  if (what === 'owner') {
    const value = device.owner === '' ? 'not recorded' : `"${device.owner}"`;
    return `${device.mac}: owner is now ${value}. Recorded in the audit log under your name.\n`;
  }
  const value = what === 'name' ? `"${device.name}"` : (device.groupId ?? 'none (the network\'s default policy)');
  return `${device.mac}: ${what} is now ${value}. Recorded in the audit log under your name.\n`;
}

export function formatLeases(view: LeasesView, all: boolean): string {
  if (view.leases.length === 0) return all ? 'No leases have been given out.\n' : 'No leases are in force.\n';
  const rows = view.leases.map((l) => [
    l.networkId, l.address, l.mac, l.hostname || '-', l.state, when(l.expires), l.relayAgent ? `via ${l.relayAgent}` : '-',
  ]);
  return `${table([['NETWORK', 'ADDRESS', 'MAC', 'HOSTNAME', 'STATE', 'EXPIRES', 'RELAY'], ...rows])}\n`;
}

export function formatReserve(result: ReserveResult): string {
  const r = result.reservation;
  const extra = [r.name ? `name "${r.name}"` : '', r.group ? `group ${r.group}` : ''].filter(Boolean).join(', ');
  const was = result.replaced ? ` (it was reserved ${result.replaced.address} before)` : '';
  return `${r.mac} is reserved ${r.address}${extra ? ` (${extra})` : ''}${was}. Saved in the configuration; the device gets it at its next request.\nRecorded in the audit log under your name.\n`;
}
