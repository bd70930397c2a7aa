// AUP acceptances in state.db: one row per device, network and version. Checked against the
// schema before anything is written; accepting again keeps the first record.
import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite';
import { NewAupAcceptance, type AupAcceptance } from '../portal/splash/schema.ts';
import { checkValue } from './values.ts';

type Row = Record<string, SQLOutputValue>;

function toAcceptance(r: Row): AupAcceptance {
  return {
    id: Number(r.id), mac: String(r.mac), networkId: String(r.network_id), version: String(r.version), at: String(r.at),
    address: String(r.address), deviceName: r.device_name === null || r.device_name === undefined || r.device_name === '' ? null : String(r.device_name),
  };
}

export class AupAcceptanceRepository {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #has: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#insert = db.prepare(`INSERT INTO aup_acceptances (mac, network_id, version, at, address) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (mac, network_id, version) DO NOTHING`);
    this.#has = db.prepare('SELECT 1 AS yes FROM aup_acceptances WHERE mac = ? AND network_id = ? AND version = ?');
  }

  /** Records an acceptance; true if it is new, false if this device had already accepted this version here. */
  accept(acceptance: NewAupAcceptance): boolean {
    checkValue(NewAupAcceptance, acceptance, 'AUP acceptance');
    const { changes } = this.#insert.run(acceptance.mac, acceptance.networkId, acceptance.version, acceptance.at, acceptance.address);
    return Number(changes) === 1;
  }

  has(mac: string, networkId: string, version: string): boolean {
    return this.#has.get(mac, networkId, version) !== undefined;
  }

  /** The MACs that accepted `version` on `networkId` (what the firewall's set holds for it). */
  macsFor(networkId: string, version: string): string[] {
    return this.#db.prepare('SELECT mac FROM aup_acceptances WHERE network_id = ? AND version = ? ORDER BY mac').all(networkId, version).map((r) => String(r.mac));
  }

  /** Newest first, with the device's name (or the hostname it gave) where state.db has one. */
  list(limit = 1000): AupAcceptance[] {
    return this.#db.prepare(`SELECT a.*, COALESCE(NULLIF(d.name, ''), NULLIF(d.hostname, '')) AS device_name FROM aup_acceptances a LEFT JOIN devices d ON d.mac = a.mac
      ORDER BY a.id DESC LIMIT ?`).all(limit).map(toAcceptance);
  }
}
