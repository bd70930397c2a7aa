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
   * Calls `listener` with every event appended from now on, once it is stored (the alert service:
   * whichever service records an event, its alert follows). A listener handles its own errors.
   */
  onAppend(listener: (event: NewNetworkEvent) => void): void {
    this.#listeners.push(listener);
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
