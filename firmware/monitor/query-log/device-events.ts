// A set of devices' questions over a recent span (the teacher's class view: a class's devices
// during a lesson). Run by the writer thread, logs.db's one owner (query-log-writer.ts), so no
// TypeBox here.
//
// query_events has only the `at` index (a per-device one cost every row a page write of its own:
// see migration 2), so each read walks the span's rows by time and keeps the devices' own. A
// lesson's hour at a primary school's tens of questions a second is a few hundred thousand rows;
// the span is capped (DEVICE_SPAN_MAX_MS) so a refresh every few seconds stays cheap.
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { QueryEvent } from '../../dns/events/event-buffer.ts';
import { rowToEvent } from '../subject/logs-subject.ts';

/** The longest span asked for: three hours (a morning's lessons). */
export const DEVICE_SPAN_MAX_MS = 3 * 3_600_000;
/** The newest questions returned at most. */
export const DEVICE_EVENTS_MAX = 500;
/** Blocked names returned at most, most blocked first. */
export const DEVICE_BLOCKED_NAMES_MAX = 20;
/** What the log writes for a name a restricted list matched, and the categories whose names are never shown. */
const HIDDEN_NAME = '(restricted)';
const HIDDEN_CATEGORIES = ['restricted', 'upstream-filter'];

export interface DevicesQuery {
  /** MAC addresses (lower case, as the log records them). */
  macs: string[];
  /** ms since the epoch; `since` included, `until` not. */
  since: number;
  until: number;
  /** The newest events wanted (at most DEVICE_EVENTS_MAX). */
  limit: number;
}

export interface DevicesEvents {
  /** Newest first. */
  events: QueryEvent[];
  /** Each device that asked anything in the span. */
  devices: { device: string; questions: number; blocked: number; last: number }[];
  /** Blocked names, most blocked first; restricted and upstream-provider blocks left out. */
  blocked: { name: string; category: string | null; count: number; devices: number }[];
}

export function devicesEvents(db: DatabaseSync, q: DevicesQuery): DevicesEvents {
  const macs = [...new Set(q.macs)];
  if (macs.length === 0) return { events: [], devices: [], blocked: [] };
  const since = Math.max(q.since, q.until - DEVICE_SPAN_MAX_MS);
  const inSet = `device IN (${macs.map(() => '?').join(', ')})`;
  const span: SQLInputValue[] = [since, q.until, ...macs];
  const limit = Math.min(Math.max(Math.trunc(q.limit), 1), DEVICE_EVENTS_MAX);
  const events = db.prepare(`SELECT * FROM query_events WHERE at >= ? AND at < ? AND ${inSet} ORDER BY at DESC, id DESC LIMIT ?`)
    .all(...span, limit).map(rowToEvent);
  const devices = db.prepare(`SELECT device, count(*) AS questions, sum(verdict = 'blocked') AS blocked, max(at) AS last
    FROM query_events WHERE at >= ? AND at < ? AND ${inSet} GROUP BY device ORDER BY device`).all(...span)
    .map((r) => ({ device: String(r.device), questions: Number(r.questions), blocked: Number(r.blocked), last: Number(r.last) }));
  const blocked = db.prepare(`SELECT name, category, count(*) AS n, count(DISTINCT device) AS d
    FROM query_events WHERE at >= ? AND at < ? AND ${inSet} AND verdict = 'blocked' AND name <> ?
      AND coalesce(category, '') NOT IN (${HIDDEN_CATEGORIES.map(() => '?').join(', ')})
    GROUP BY name, category ORDER BY n DESC, name LIMIT ?`).all(...span, HIDDEN_NAME, ...HIDDEN_CATEGORIES, DEVICE_BLOCKED_NAMES_MAX)
    .map((r) => ({ name: String(r.name), category: r.category === null ? null : String(r.category), count: Number(r.n), devices: Number(r.d) }));
  return { events, devices, blocked };
}

/** One device's questions over part of an investigation's window (the caller walks the window a span at a time). */
export interface DeviceWindowQuery {
  mac: string;
  /** ms since the epoch; `since` included, `until` not. */
  since: number;
  until: number;
}

/** The longest span one read covers: an hour of a whole school's rows, walked by the `at` index. */
export const DEVICE_WINDOW_STEP_MS = 3_600_000;

/** The device's questions in the span, oldest first; a restricted-list name is as the log wrote it, withheld. */
export function deviceWindowEvents(db: DatabaseSync, q: DeviceWindowQuery): QueryEvent[] {
  const until = Math.min(q.until, q.since + DEVICE_WINDOW_STEP_MS);
  return db.prepare('SELECT * FROM query_events WHERE at >= ? AND at < ? AND device = ? ORDER BY at, id').all(q.since, until, q.mac).map(rowToEvent);
}
