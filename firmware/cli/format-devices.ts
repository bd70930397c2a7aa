// `schoolgate devices` and `schoolgate leases` for a person on an SSH session.
import type { DevicesView } from '../dhcp/device-methods.ts';
import type { Device } from '../state/schemas.ts';
import { table } from './table.ts';

/** An instant as the technician reads it: minutes are enough, UTC says which clock. */
export const when = (iso: string | null | undefined): string => (iso ? `${iso.slice(0, 16).replace('T', ' ')}Z` : '-');

export function formatDevices(view: DevicesView): string {
  if (view.devices.length === 0) return 'No devices seen yet: a device appears here when it takes a lease.\n';
  const rows = view.devices.map((d) => [
    d.mac + (d.randomisedMac ? ' (random)' : ''), d.name || '-', d.hostname || '-', d.groupId ?? '-', d.networkId,
    d.schoolOwned ? 'school' : '-', when(d.firstSeen), when(d.lastSeen),
  ]);
  return `${table([['MAC', 'NAME', 'HOSTNAME', 'GROUP', 'NETWORK', 'OWNER', 'FIRST SEEN', 'LAST SEEN'], ...rows])}\n`;
}

export function formatDeviceChange(device: Device, what: 'name' | 'group'): string {
  const value = what === 'name' ? `"${device.name}"` : (device.groupId ?? 'none (the network\'s default policy)');
  return `${device.mac}: ${what} is now ${value}. Recorded in the audit log under your name.\n`;
}
