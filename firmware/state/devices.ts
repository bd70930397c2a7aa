// Every device the gateway has seen, keyed by MAC. Group ids and network ids belong to the
// configuration document, so they are checked for shape here and for existence by the caller.
import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite';
import { Id } from '../config/schema.ts';
import { isLocallyAdministered, normaliseMac } from './mac.ts';
import { ownerProblem } from './device-owner.ts';
import { CAP_KBIT_MAX, CAP_KBIT_MIN, DevicePatch, SUSPEND_REASON_MAX, type Device } from './schemas.ts';
import { checkValue, InvalidInputError, isoInstant, NotFoundError } from './values.ts';

/** What one DHCP lease says about its device. */
export interface LeaseSighting {
  mac: string;
  networkId: string;
  at: Date;
  hostname: string;
  vendorClass: string;
  /** From a reservation: given to a device that has no name (or group) yet, never over one staff chose. */
  name?: string | undefined;
  groupId?: string | undefined;
}

/** A device's own caps in kbit/s; null: none of its own (its policy's applies). */
export interface DeviceCaps {
  downKbit: number | null;
  upKbit: number | null;
}

export interface DeviceFilter {
  networkId?: string;
  groupId?: string;
}

type Row = Record<string, SQLOutputValue>;

const COLUMNS = 'mac, name, group_id, network_id, first_seen, last_seen, school_owned, notes, suspended_until, suspend_reason, hostname, vendor_class, randomised_mac, owner, cap_down_kbit, cap_up_kbit';

export class DeviceRepository {
  readonly #db: DatabaseSync;
  readonly #now: () => Date;

  constructor(db: DatabaseSync, now: () => Date) {
    this.#db = db;
    this.#now = now;
  }

  /** Records a sighting (DHCP, DNS). Out-of-order sightings never move last_seen backwards. */
  upsertSeen(mac: string, networkId: string, at: Date): Device {
    const key = normaliseMac(mac);
    checkValue(Id, networkId, 'network id');
    const seen = isoInstant(at, 'sighting time');
    const row = this.#db.prepare(`
      INSERT INTO devices (mac, network_id, first_seen, last_seen, randomised_mac) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (mac) DO UPDATE SET
        network_id = CASE WHEN excluded.last_seen >= devices.last_seen THEN excluded.network_id ELSE devices.network_id END,
        last_seen = max(devices.last_seen, excluded.last_seen),
        first_seen = min(devices.first_seen, excluded.first_seen)
      RETURNING ${COLUMNS}`).get(key, networkId, seen, seen, isLocallyAdministered(key) ? 1 : 0);
    return toDevice(row);
  }

  /**
   * A device the school adds before it ever joins (a staff laptop enrolled in advance): its name,
   * group and owner are there when its first lease comes, which keeps them (recordLease never
   * overwrites a name or group). Until that lease, its first and last seen are when it was added.
   * A MAC already in the table is refused: that device is changed, not added again.
   */
  enrol(mac: string, networkId: string, at: Date, fields: { name: string; groupId: string | null; schoolOwned: boolean }): Device {
    const key = normaliseMac(mac);
    checkValue(Id, networkId, 'network id');
    const name = fields.name.trim();
    if (name === '') throw new InvalidInputError(`give ${key} a name, so staff know which device it is`);
    checkValue(DevicePatch, { name, groupId: fields.groupId, schoolOwned: fields.schoolOwned }, `device ${key}`);
    const added = isoInstant(at, 'time added');
    const row = this.#db.prepare(`
      INSERT INTO devices (mac, network_id, first_seen, last_seen, randomised_mac, name, group_id, school_owned)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (mac) DO NOTHING
      RETURNING ${COLUMNS}`).get(key, networkId, added, added, isLocallyAdministered(key) ? 1 : 0, name, fields.groupId, fields.schoolOwned ? 1 : 0);
    if (row === undefined) throw new InvalidInputError(`${key} is already in the device table: change its name or group there instead`);
    return toDevice(row);
  }

  #leaseStatement: StatementSync | undefined;

  /**
   * Records a DHCP lease's sighting: network, times, hostname, vendor class. Called inside the
   * lease's own transaction (LeaseRepository.bind), once per ACK, so it is one prepared statement.
   * A hostname or vendor class the client stopped sending is kept rather than erased.
   */
  recordLease(sighting: LeaseSighting): void {
    const key = normaliseMac(sighting.mac);
    const seen = isoInstant(sighting.at, 'lease time');
    this.#leaseStatement ??= this.#db.prepare(`
      INSERT INTO devices (mac, network_id, first_seen, last_seen, randomised_mac, hostname, vendor_class, name, group_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (mac) DO UPDATE SET
        network_id = CASE WHEN excluded.last_seen >= devices.last_seen THEN excluded.network_id ELSE devices.network_id END,
        last_seen = max(devices.last_seen, excluded.last_seen),
        first_seen = min(devices.first_seen, excluded.first_seen),
        hostname = CASE WHEN excluded.hostname <> '' THEN excluded.hostname ELSE devices.hostname END,
        vendor_class = CASE WHEN excluded.vendor_class <> '' THEN excluded.vendor_class ELSE devices.vendor_class END,
        name = CASE WHEN devices.name = '' THEN excluded.name ELSE devices.name END,
        group_id = coalesce(devices.group_id, excluded.group_id)`);
    this.#leaseStatement.run(key, sighting.networkId, seen, seen, isLocallyAdministered(key) ? 1 : 0,
      sighting.hostname, sighting.vendorClass, sighting.name ?? '', sighting.groupId ?? null);
  }

  #getStatement: StatementSync | undefined;

  // Prepared once: the DHCP server asks on every ACK (the device's group for DNS) and every guest request.
  get(mac: string): Device | undefined {
    this.#getStatement ??= this.#db.prepare(`SELECT ${COLUMNS} FROM devices WHERE mac = ?`);
    const row = this.#getStatement.get(normaliseMac(mac));
    return row === undefined ? undefined : toDevice(row);
  }

  /** Most recently seen first. */
  list(filter: DeviceFilter = {}): Device[] {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.networkId !== undefined) {
      checkValue(Id, filter.networkId, 'network id');
      where.push('network_id = ?');
      params.push(filter.networkId);
    }
    if (filter.groupId !== undefined) {
      checkValue(Id, filter.groupId, 'group id');
      where.push('group_id = ?');
      params.push(filter.groupId);
    }
    const sql = `SELECT ${COLUMNS} FROM devices ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY last_seen DESC, mac`;
    return this.#db.prepare(sql).all(...params).map(toDevice);
  }

  update(mac: string, raw: DevicePatch): Device {
    const key = normaliseMac(mac);
    const patch = typeof raw?.owner === 'string' ? { ...raw, owner: deviceOwner(raw.owner, key) } : raw;
    checkValue(DevicePatch, patch, `change to device ${key}`);
    const sets: string[] = [];
    const params: (string | number | null)[] = [];
    if (patch.name !== undefined) { sets.push('name = ?'); params.push(patch.name.trim()); }
    if (patch.groupId !== undefined) { sets.push('group_id = ?'); params.push(patch.groupId); }
    if (patch.schoolOwned !== undefined) { sets.push('school_owned = ?'); params.push(patch.schoolOwned ? 1 : 0); }
    if (patch.notes !== undefined) { sets.push('notes = ?'); params.push(patch.notes); }
    if (patch.owner !== undefined) { sets.push('owner = ?'); params.push(patch.owner); }
    if (sets.length === 0) return this.#require(key);
    const row = this.#db.prepare(`UPDATE devices SET ${sets.join(', ')} WHERE mac = ? RETURNING ${COLUMNS}`).get(...params, key);
    if (row === undefined) throw notFound(key);
    return toDevice(row);
  }

  /** Cuts a device off until `until`; enforcement (nftables) reads this, the audit entry is the caller's. */
  suspend(mac: string, until: Date, reason: string): Device {
    const key = normaliseMac(mac);
    const untilIso = isoInstant(until, 'suspension end');
    if (until.getTime() <= this.#now().getTime()) {
      throw new InvalidInputError(`suspension of ${key} must end in the future (got ${untilIso})`);
    }
    const why = typeof reason === 'string' ? reason.trim() : '';
    if (why === '') throw new InvalidInputError(`suspending ${key} needs a reason`);
    if (why.length > SUSPEND_REASON_MAX) throw new InvalidInputError(`suspension reason for ${key} is longer than ${SUSPEND_REASON_MAX} characters`);
    const row = this.#db.prepare(`UPDATE devices SET suspended_until = ?, suspend_reason = ? WHERE mac = ? RETURNING ${COLUMNS}`)
      .get(untilIso, why, key);
    if (row === undefined) throw notFound(key);
    return toDevice(row);
  }

  /** Lifts a suspension early (an expired one needs no action: readers compare with the clock). */
  unsuspend(mac: string): Device {
    const key = normaliseMac(mac);
    const row = this.#db.prepare(`UPDATE devices SET suspended_until = NULL, suspend_reason = NULL WHERE mac = ? RETURNING ${COLUMNS}`).get(key);
    if (row === undefined) throw notFound(key);
    return toDevice(row);
  }

  /** Deletes a device's row (erasure, inside the caller's transaction); whether there was one. */
  erase(mac: string): boolean {
    return Number(this.#db.prepare('DELETE FROM devices WHERE mac = ?').run(normaliseMac(mac)).changes) > 0;
  }

  /**
   * Sets a device's own bandwidth caps (kbit/s; null: back to its policy's). Enforcement (tc)
   * reads this, the audit entry is the caller's.
   */
  setCaps(mac: string, caps: DeviceCaps): Device {
    const key = normaliseMac(mac);
    for (const [which, value] of Object.entries(caps)) {
      if (value !== null && (!Number.isInteger(value) || value < CAP_KBIT_MIN || value > CAP_KBIT_MAX)) {
        throw new InvalidInputError(`${which === 'downKbit' ? 'download' : 'upload'} cap for ${key} must be a whole number of kbit/s from ${CAP_KBIT_MIN} to ${CAP_KBIT_MAX} (got ${String(value)})`);
      }
    }
    const row = this.#db.prepare(`UPDATE devices SET cap_down_kbit = ?, cap_up_kbit = ? WHERE mac = ? RETURNING ${COLUMNS}`)
      .get(caps.downKbit, caps.upKbit, key);
    if (row === undefined) throw notFound(key);
    return toDevice(row);
  }

  count(): number {
    return Number(this.#db.prepare('SELECT count(*) AS n FROM devices').get()?.n ?? 0);
  }

  #require(key: string): Device {
    const device = this.get(key);
    if (device === undefined) throw notFound(key);
    return device;
  }
}

/** An owner as staff typed it, trimmed; named if it is too long or holds control characters (a tab, a line break). */
export function deviceOwner(text: string, mac: string): string {
  const owner = text.trim();
  const problem = ownerProblem(owner);
  if (problem !== undefined) throw new InvalidInputError(`the owner of ${mac} is refused: ${problem}`);
  return owner;
}

/** True while a suspension is in force at `now`. */
export function isSuspended(device: Device, now: Date): boolean {
  return device.suspendedUntil !== null && Date.parse(device.suspendedUntil) > now.getTime();
}

function notFound(mac: string): NotFoundError {
  return new NotFoundError(`no device with MAC address ${mac} has been seen`);
}

function toDevice(row: Row | undefined): Device {
  if (row === undefined) throw new Error('device row missing after write');
  return {
    mac: text(row.mac),
    name: text(row.name),
    groupId: row.group_id === null ? null : text(row.group_id),
    networkId: text(row.network_id),
    firstSeen: text(row.first_seen),
    lastSeen: text(row.last_seen),
    schoolOwned: row.school_owned === 1,
    notes: text(row.notes),
    suspendedUntil: row.suspended_until === null ? null : text(row.suspended_until),
    suspendReason: row.suspend_reason === null ? null : text(row.suspend_reason),
    hostname: text(row.hostname),
    vendorClass: text(row.vendor_class),
    randomisedMac: row.randomised_mac === 1,
    owner: text(row.owner),
    capDownKbit: kbit(row.cap_down_kbit),
    capUpKbit: kbit(row.cap_up_kbit),
  };
}

function kbit(value: SQLOutputValue | undefined): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' && typeof value !== 'bigint') throw new Error(`devices table holds a non-number bandwidth cap (${typeof value})`);
  return Number(value);
}

function text(value: SQLOutputValue | undefined): string {
  if (typeof value !== 'string') throw new Error(`devices table holds a non-text value where text belongs (${typeof value})`);
  return value;
}
