// What happened on the school's networks (a rogue DHCP server, an exhausted pool, a starvation
// attack, a school device on guest, a pool address some device holds without a lease): appended
// by the services, read by alerts and the weekly review.
import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite';
import { NetworkEventKind, type NetworkEvent } from './schemas.ts';
import { checkValue, isoInstant } from './values.ts';

export interface NewNetworkEvent {
  at: Date;
  kind: NetworkEventKind;
  networkId?: string | null | undefined;
  interface?: string | null | undefined;
  mac?: string | null | undefined;
  details?: Record<string, unknown> | undefined;
}

export interface NetworkEventFilter {
  kind?: NetworkEventKind;
  networkId?: string;
  /** Only events at or after this instant. */
  since?: Date;
  /** At most this many, newest first (default 1000). */
  limit?: number;
}

type Row = Record<string, SQLOutputValue>;

export class NetworkEventRepository {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #listeners: Array<(event: NewNetworkEvent) => void> = [];

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#insert = db.prepare('INSERT INTO network_events (at, kind, network_id, interface, mac, details) VALUES (?, ?, ?, ?, ?, ?) RETURNING id');
  }

  append(event: NewNetworkEvent): number {
    checkValue(NetworkEventKind, event.kind, 'network event kind');
    const row = this.#insert.get(isoInstant(event.at, 'event time'), event.kind, event.networkId ?? null, event.interface ?? null,
      event.mac ?? null, JSON.stringify(event.details ?? {}));
    for (const listener of this.#listeners) listener(event);
    return Number(row?.id);
  }

  /**
   * Every event about a subject, oldest first: those of its MAC, and those whose details name it
   * (an address, a MAC among several) as a whole JSON string.
   */
  naming(subject: string): NetworkEvent[] {
    return this.#db.prepare("SELECT id, at, kind, network_id, interface, mac, details FROM network_events WHERE mac = ? OR instr(details, ?) > 0 ORDER BY id")
      .all(subject, JSON.stringify(subject)).map(toEvent);
  }

  /** Deletes the events of a MAC (inside the caller's transaction); returns how many of each kind. */
  eraseMac(mac: string): Record<string, number> {
    const kinds: Record<string, number> = {};
    for (const r of this.#db.prepare('DELETE FROM network_events WHERE mac = ? RETURNING kind').all(mac)) {
      const kind = String(r.kind);
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    }
    return kinds;
  }

  /**
   * Deletes events older than `before` (retention), a chunk a statement so a first run after the
   * setting is shortened never holds state.db's write lock for long; returns how many.
   */
  purgeBefore(before: Date): number {
    const cutoff = isoInstant(before, 'retention cutoff');
    const chunk = this.#db.prepare('DELETE FROM network_events WHERE id IN (SELECT id FROM network_events WHERE at < ? LIMIT 5000)');
    let removed = 0;
    for (;;) {
      const changes = Number(chunk.run(cutoff).changes);
      removed += changes;
      if (changes < 5000) return removed;
    }
  }

  /**
   * Calls `listener` with every event appended from now on, once it is stored (the alert service:
   * whichever service records an event, its alert follows). A listener handles its own errors.
   */
  onAppend(listener: (event: NewNetworkEvent) => void): void {
    this.#listeners.push(listener);
  }

  /** Events of these kinds in [from, to) (ISO instants), oldest first, at most `limit` (the weekly review). */
  between(from: string, to: string, kinds: readonly NetworkEventKind[], limit = 5000): NetworkEvent[] {
    return this.#db.prepare(`SELECT id, at, kind, network_id, interface, mac, details FROM network_events
      WHERE at >= ? AND at < ? AND kind IN (SELECT value FROM json_each(?)) ORDER BY at, id LIMIT ?`).all(from, to, JSON.stringify(kinds), limit).map(toEvent);
  }

  list(filter: NetworkEventFilter = {}): NetworkEvent[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.kind !== undefined) { where.push('kind = ?'); params.push(filter.kind); }
    if (filter.networkId !== undefined) { where.push('network_id = ?'); params.push(filter.networkId); }
    if (filter.since !== undefined) { where.push('at >= ?'); params.push(isoInstant(filter.since, 'since')); }
    const limit = Math.max(1, Math.min(filter.limit ?? 1000, 100_000));
    const sql = `SELECT id, at, kind, network_id, interface, mac, details FROM network_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`;
    return this.#db.prepare(sql).all(...params).map(toEvent);
  }
}

function toEvent(row: Row): NetworkEvent {
  return {
    id: Number(row.id),
    at: String(row.at),
    kind: String(row.kind) as NetworkEventKind,
    networkId: row.network_id === null ? null : String(row.network_id),
    interface: row.interface === null ? null : String(row.interface),
    mac: row.mac === null ? null : String(row.mac),
    details: JSON.parse(String(row.details)) as Record<string, unknown>,
  };
}
