// DHCP leases in state.db. The DHCP server keeps its working copy in memory (dhcp/lease-table.ts)
// and writes through here; a bound lease is committed, with its device, before the ACK leaves.
// state.db runs WAL with synchronous=NORMAL: a commit is in the WAL file (the kernel's page cache)
// when it returns, so a crash or kill -9 of the daemon loses nothing; a power cut may lose the
// last commits before the next checkpoint (never corrupts), which the SD card's write budget asks
// for. A client whose ACK was lost that way keeps its address by INIT-REBOOT: the address is still
// free, so the server confirms it.
import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite';
import type { DeviceRepository, LeaseSighting } from './devices.ts';
import type { Lease, LeaseState } from './schemas.ts';

type Row = Record<string, SQLOutputValue>;

const COLUMNS = 'network_id, address, client_key, mac, client_id, hostname, vendor_class, parameters, relay_agent, relay_info, state, expires, updated';

export interface LeaseFilter {
  networkId?: string;
  /** Only leases bound and unexpired at this instant. */
  activeAt?: Date;
}

/** What a bound lease tells the device table beyond the lease itself (a reservation's name, group). */
export interface DeviceHints {
  name?: string | undefined;
  groupId?: string | undefined;
}

export class LeaseRepository {
  readonly #db: DatabaseSync;
  readonly #devices: DeviceRepository;
  readonly #upsert: StatementSync;
  readonly #dropOthers: StatementSync;
  readonly #begin: StatementSync;
  readonly #commit: StatementSync;
  readonly #rollback: StatementSync;

  constructor(db: DatabaseSync, devices: DeviceRepository) {
    this.#db = db;
    this.#devices = devices;
    this.#upsert = db.prepare(`INSERT INTO leases (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (network_id, address) DO UPDATE SET
        client_key = excluded.client_key, mac = excluded.mac, client_id = excluded.client_id, hostname = excluded.hostname,
        vendor_class = excluded.vendor_class, parameters = excluded.parameters, relay_agent = excluded.relay_agent,
        relay_info = excluded.relay_info, state = excluded.state, expires = excluded.expires, updated = excluded.updated`);
    // A client holds one address per network: its older rows go when it binds another. Without
    // statistics the planner scans the network's rows by primary key instead (O(leases) per ACK).
    this.#dropOthers = db.prepare("DELETE FROM leases INDEXED BY leases_by_client WHERE network_id = ? AND client_key = ? AND address <> ? AND state <> 'declined'");
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
  }

  /**
   * Commits a bound lease and its device sighting in one transaction. When this returns the
   * lease is durable against a crash of the process (see the header); the caller sends the ACK after.
   */
  bind(lease: Lease, hints: DeviceHints = {}): void {
    if (lease.state !== 'bound') throw new Error(`bind() takes a bound lease, got ${lease.state}`);
    const sighting: LeaseSighting = {
      mac: lease.mac, networkId: lease.networkId, at: new Date(lease.updated), hostname: lease.hostname,
      vendorClass: lease.vendorClass, name: hints.name, groupId: hints.groupId,
    };
    this.#transaction(() => {
      this.#dropOthers.run(lease.networkId, lease.clientKey, lease.address);
      this.#write(lease);
      this.#devices.recordLease(sighting);
    });
  }

  /** Stores a lease in any other state (released, declined), without touching the device table. */
  save(lease: Lease): void {
    this.#transaction(() => this.#write(lease));
  }

  remove(networkId: string, address: string): void {
    this.#db.prepare('DELETE FROM leases WHERE network_id = ? AND address = ?').run(networkId, address);
  }

  /** The lease bound on `address` of a network at `at`, if any: one seek of the key (the portal asks it per request). */
  boundAt(networkId: string, address: string, at: Date): Lease | undefined {
    const row = this.#db.prepare(`SELECT ${COLUMNS} FROM leases WHERE network_id = ? AND address = ? AND state = 'bound' AND expires > ?`).get(networkId, address, at.toISOString());
    return row === undefined ? undefined : toLease(row);
  }

  /** Every row of a network, for the DHCP server's working copy at start. */
  forNetwork(networkId: string): Lease[] {
    return this.#db.prepare(`SELECT ${COLUMNS} FROM leases WHERE network_id = ?`).all(networkId).map(toLease);
  }

  /** Every lease row a device holds or held (any state), for subject access and erasure. */
  ofMac(mac: string): Lease[] {
    return this.#db.prepare(`SELECT ${COLUMNS} FROM leases WHERE mac = ? ORDER BY network_id, updated DESC, address`).all(mac).map(toLease);
  }

  /** Deletes them (inside the caller's transaction); returns how many. */
  eraseMac(mac: string): number {
    return Number(this.#db.prepare('DELETE FROM leases WHERE mac = ?').run(mac).changes);
  }

  /** Newest first within a network, networks in id order. */
  list(filter: LeaseFilter = {}): Lease[] {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.networkId !== undefined) { where.push('network_id = ?'); params.push(filter.networkId); }
    if (filter.activeAt !== undefined) { where.push("state = 'bound' AND expires > ?"); params.push(filter.activeAt.toISOString()); }
    const sql = `SELECT ${COLUMNS} FROM leases ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY network_id, updated DESC, address`;
    return this.#db.prepare(sql).all(...params).map(toLease);
  }

  #write(lease: Lease): void {
    this.#upsert.run(lease.networkId, lease.address, lease.clientKey, lease.mac, lease.clientId, lease.hostname, lease.vendorClass,
      lease.parameters.join(','), lease.relayAgent, lease.relayInfo, lease.state, lease.expires, lease.updated);
  }

  // Prepared BEGIN/COMMIT rather than atomically(): this runs once per ACK, on the hot path.
  #transaction(fn: () => void): void {
    if (this.#db.isTransaction) {
      fn();
      return;
    }
    this.#begin.run();
    try {
      fn();
      this.#commit.run();
    } catch (error) {
      if (this.#db.isTransaction) this.#rollback.run();
      throw error;
    }
  }
}

function toLease(row: Row): Lease {
  const parameters = text(row.parameters);
  return {
    networkId: text(row.network_id),
    address: text(row.address),
    clientKey: text(row.client_key),
    mac: text(row.mac),
    clientId: row.client_id === null ? null : text(row.client_id),
    hostname: text(row.hostname),
    vendorClass: text(row.vendor_class),
    parameters: parameters === '' ? [] : parameters.split(',').map(Number),
    relayAgent: row.relay_agent === null ? null : text(row.relay_agent),
    relayInfo: row.relay_info === null ? null : text(row.relay_info),
    state: text(row.state) as LeaseState,
    expires: text(row.expires),
    updated: text(row.updated),
  };
}

function text(value: SQLOutputValue | undefined): string {
  if (typeof value !== 'string') throw new Error(`leases table holds a non-text value where text belongs (${typeof value})`);
  return value;
}
