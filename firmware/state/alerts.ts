// The alerts table: what the alert service (monitor/alerts/alert-service.ts) stored, for the web UI, the
// CLI and the weekly review. A burst of one kind from one device is one row whose count and last
// time grow; an acknowledged row is never reopened. The device's name is read from the device
// table when alerts are listed, so a name given later shows on older alerts too.
import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite';
import { Compile } from 'typebox/compile';
import { AlertCandidate, type Alert, type AlertKind, type AlertSeverity } from '../monitor/alerts/alert-schema.ts';
import { checkValue, InvalidInputError, isoInstant, NotFoundError } from './values.ts';

export class AlertStateError extends Error {
  override name = 'AlertStateError';
}

export interface AlertFilter {
  /** Acknowledged alerts too (default: open ones only). */
  all?: boolean;
  /** Only alerts whose last occurrence is at or after this instant. */
  since?: Date;
  severity?: AlertSeverity;
  kind?: AlertKind;
  networkId?: string;
  /** At most this many, newest first (default 500, at most 10,000). */
  limit?: number;
}

type Row = Record<string, SQLOutputValue>;

const COLUMNS = `a.id, a.kind, a.severity, a.first_at, a.last_at, a.count, a.network_id, a.mac, a.address, a.subject, a.reason, a.category,
  a.details, a.status, a.acknowledged_at, a.acknowledged_by, a.note, a.escalation_level, a.notified_at, nullif(d.name, '') AS device_name`;
const FROM = 'alerts a LEFT JOIN devices d ON d.mac = a.mac';

// Compiled once: every DNS alert candidate passes it on the thread that answers DNS.
const validCandidate = Compile(AlertCandidate);

/** How many distinct subjects a burst keeps in its details (the first is the alert's subject). */
export const BURST_SUBJECTS_MAX = 20;

/** The device an alert is about, as de-duplication compares it. */
export function deviceKey(candidate: Pick<AlertCandidate, 'mac' | 'address'>): string {
  return candidate.mac ?? candidate.address ?? '';
}

export class AlertRepository {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #open: StatementSync;
  readonly #bump: StatementSync;
  readonly #get: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#insert = db.prepare(`INSERT INTO alerts (kind, severity, first_at, last_at, count, network_id, mac, address, device_key, subject, reason, category, details)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`);
    this.#open = db.prepare(`SELECT id, last_at, details, subject FROM alerts
      WHERE status = 'open' AND kind = ? AND device_key = ? AND severity = ? AND last_at >= ? ORDER BY last_at DESC LIMIT 1`);
    this.#bump = db.prepare('UPDATE alerts SET count = count + ?, last_at = max(last_at, ?), details = ? WHERE id = ?');
    this.#get = db.prepare(`SELECT ${COLUMNS} FROM ${FROM} WHERE a.id = ?`);
  }

  /**
   * Stores a candidate: into the open alert of its kind, device and severity whose last
   * occurrence is no older than `throttleSince` (its count and last time grow), else as a new alert.
   */
  record(candidate: AlertCandidate, throttleSince: Date): { alert: Alert; created: boolean } {
    if (!validCandidate.Check(candidate)) checkValue(AlertCandidate, candidate, 'alert');
    const at = isoInstant(new Date(candidate.at), 'alert time');
    const key = deviceKey(candidate);
    const open = this.#open.get(candidate.kind, key, candidate.severity, isoInstant(throttleSince, 'throttle start'));
    if (open !== undefined) {
      const details = JSON.parse(String(open.details)) as Record<string, unknown>;
      const subjects = Array.isArray(details.subjects) ? details.subjects as string[] : [String(open.subject)];
      if (!subjects.includes(candidate.subject) && subjects.length < BURST_SUBJECTS_MAX) subjects.push(candidate.subject);
      this.#bump.run(candidate.count ?? 1, at, JSON.stringify({ ...details, subjects }), Number(open.id));
      return { alert: this.get(Number(open.id)), created: false };
    }
    const row = this.#insert.get(candidate.kind, candidate.severity, at, at, candidate.count ?? 1, candidate.networkId, candidate.mac, candidate.address, key,
      candidate.subject, candidate.reason, candidate.category ?? null, JSON.stringify(candidate.details ?? {}));
    return { alert: this.get(Number(row?.id)), created: true };
  }

  get(id: number): Alert {
    const row = this.#get.get(id);
    if (row === undefined) throw new NotFoundError(`there is no alert ${id}`);
    return toAlert(row);
  }

  list(filter: AlertFilter = {}): Alert[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (!filter.all) where.push("a.status = 'open'");
    if (filter.since !== undefined) { where.push('a.last_at >= ?'); params.push(isoInstant(filter.since, 'since')); }
    if (filter.severity !== undefined) { where.push('a.severity = ?'); params.push(filter.severity); }
    if (filter.kind !== undefined) { where.push('a.kind = ?'); params.push(filter.kind); }
    if (filter.networkId !== undefined) { where.push('a.network_id = ?'); params.push(filter.networkId); }
    const limit = Math.max(1, Math.min(filter.limit ?? 500, 10_000));
    const sql = `SELECT ${COLUMNS} FROM ${FROM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.last_at DESC, a.id DESC LIMIT ${limit}`;
    return this.#db.prepare(sql).all(...params).map(toAlert);
  }

  /** Open alerts by severity (`schoolgate status`). */
  openCounts(): Record<AlertSeverity, number> {
    const counts: Record<AlertSeverity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
    for (const row of this.#db.prepare("SELECT severity, count(*) AS n FROM alerts WHERE status = 'open' GROUP BY severity").all()) {
      counts[String(row.severity) as AlertSeverity] = Number(row.n);
    }
    return counts;
  }

  /** Open critical alerts, for the escalation run. */
  openCritical(): Alert[] {
    return this.#db.prepare(`SELECT ${COLUMNS} FROM ${FROM} WHERE a.status = 'open' AND a.severity = 'critical' ORDER BY a.id`).all().map(toAlert);
  }

  /** Acknowledges an open alert; a second acknowledgement is refused (AlertStateError). */
  acknowledge(id: number, by: string, note: string, at: Date): Alert {
    if (note.length > 2000) throw new InvalidInputError('the note must be at most 2000 characters');
    const changed = this.#db.prepare("UPDATE alerts SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?, note = ? WHERE id = ? AND status = 'open'")
      .run(isoInstant(at, 'acknowledgement time'), by, note, id).changes;
    if (Number(changed) === 0) {
      const alert = this.get(id);
      throw new AlertStateError(`alert ${id} was already acknowledged by ${alert.acknowledgedBy} at ${alert.acknowledgedAt}`);
    }
    return this.get(id);
  }

  /**
   * Records a delivery: the contact level it reached and when. Only while the alert is open and
   * still at `fromLevel`, so a run that raced an acknowledgement changes nothing; false then.
   */
  markNotified(id: number, fromLevel: number, level: number, at: Date): boolean {
    const changed = this.#db.prepare("UPDATE alerts SET escalation_level = ?, notified_at = ? WHERE id = ? AND status = 'open' AND escalation_level = ?")
      .run(level, isoInstant(at, 'notification time'), id, fromLevel).changes;
    return Number(changed) === 1;
  }

  /**
   * Deletes acknowledged alerts whose last occurrence is before `before`. Open ones stay whatever
   * their age: an alert nobody has looked at must reach the review, not vanish.
   */
  purgeAcknowledgedBefore(before: Date): number {
    return Number(this.#db.prepare("DELETE FROM alerts WHERE status = 'acknowledged' AND last_at < ?").run(isoInstant(before, 'retention cutoff')).changes);
  }

  /**
   * The alerts about one subject, oldest first: a device's (by MAC) or, for an address DHCP never
   * named, those kept under it. The key de-duplication compares, so it matches as the query log's
   * rows do: an address's alerts raised once a lease named the device belong to the device.
   */
  about(subject: string): Alert[] {
    return this.#db.prepare(`SELECT ${COLUMNS} FROM ${FROM} WHERE a.device_key = ? ORDER BY a.id`).all(subject).map(toAlert);
  }

  /** Deletes the alerts about one subject (inside the caller's transaction); returns how many. */
  eraseAbout(subject: string): number {
    return Number(this.#db.prepare('DELETE FROM alerts WHERE device_key = ?').run(subject).changes);
  }

  count(): number {
    return Number(this.#db.prepare('SELECT count(*) AS n FROM alerts').get()?.n);
  }
}

function toAlert(row: Row): Alert {
  const text = (value: SQLOutputValue | undefined): string | null => (value === null || value === undefined ? null : String(value));
  return {
    id: Number(row.id),
    kind: String(row.kind) as Alert['kind'],
    severity: String(row.severity) as AlertSeverity,
    firstAt: String(row.first_at),
    lastAt: String(row.last_at),
    count: Number(row.count),
    networkId: text(row.network_id),
    mac: text(row.mac),
    address: text(row.address),
    deviceName: text(row.device_name),
    subject: String(row.subject),
    reason: String(row.reason),
    category: text(row.category),
    details: JSON.parse(String(row.details)) as Record<string, unknown>,
    status: String(row.status) as Alert['status'],
    acknowledgedAt: text(row.acknowledged_at),
    acknowledgedBy: text(row.acknowledged_by),
    note: text(row.note),
    escalationLevel: Number(row.escalation_level),
    notifiedAt: text(row.notified_at),
  };
}
