// The searches of the devices and audit pages (pure; tested without a browser).
import type { Device, Lease } from '../../../firmware/admin/api/devices-schema.ts';

export interface DeviceRow {
  device: Device;
  lease: Lease | undefined;
  /** What the table calls it: its name, else the hostname it gave, else its MAC. */
  label: string;
}

/** What a device search matches: the name, MAC, hostname, address, owner (as staff wrote it), group or suspension reason. */
export function matches(row: DeviceRow, search: string): boolean {
  const q = search.trim().toLowerCase();
  if (q === '') return true;
  const d = row.device;
  return [d.name, d.mac, d.hostname, d.owner, d.groupId ?? '', row.lease?.address ?? '', d.suspendReason ?? ''].some((v) => v.toLowerCase().includes(q));
}

/**
 * The Owner column: who staff said it belongs to, and whether it is a school device (what the
 * "school device on a guest network" event goes by), once when both say "school".
 */
export function ownerLabel(d: Pick<Device, 'owner' | 'schoolOwned'>): string {
  const kind = d.schoolOwned ? 'school device' : 'personal';
  if (d.owner === '') return kind;
  return d.schoolOwned && d.owner.toLowerCase() === 'school' ? kind : `${d.owner} · ${kind}`;
}

export interface AuditFilters { since: string; action: string; actor: string }

/** An action (device.suspend) or a prefix (device.*), as the audit log's method takes them; empty is none. */
export function isActionFilter(text: string): boolean {
  const t = text.trim();
  return t === '' || /^[a-z0-9-]+(\.[a-z0-9-]+)*(\.\*)?$/.test(t);
}

/** The query string for GET /api/audit; `since` is a date, from its midnight UTC (as the CLI's --since 2026-12-01). */
export function auditQuery(f: AuditFilters, after?: number): string {
  const q = new URLSearchParams();
  if (f.since !== '') q.set('since', `${f.since}T00:00:00.000Z`);
  if (f.action.trim() !== '') q.set('action', f.action.trim());
  if (f.actor.trim() !== '') q.set('actor', f.actor.trim());
  if (after !== undefined) q.set('after', String(after));
  q.set('limit', '200');
  return q.toString();
}
