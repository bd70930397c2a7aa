// The append-only audit log in state.db. Every login, proposal, approval and change lands here
// (the school policies: no account, the headteacher's included, can delete or hide an entry). SQL
// triggers refuse UPDATE and DELETE; the hash chain shows any edit made around them.
import type { DatabaseSync, SQLOutputValue } from 'node:sqlite';
import { IsoTimestamp } from '../state/schemas.ts';
import { checkValue, InvalidInputError, isoInstant, atomically } from '../state/values.ts';
import {
  AuditAction, AuditActor, AuditSubject, CanonicalJsonError, nextRecord, verifyRecords,
  type AuditEntry, type AuditRecord, type ChainVerdict,
} from './audit-chain.ts';

export interface AuditAppend {
  actor: string;
  action: string;
  subject?: string;
  details?: unknown;
}

export interface AuditListOptions {
  /** Only entries with seq greater than this (a cursor). */
  after?: number;
  /** At most this many (default 100, at most 1000). */
  limit?: number;
  /** An exact action, or a prefix ending in ".*" such as "device.*". */
  action?: string;
  /** Only entries recorded at or after this instant (ISO-8601 UTC with milliseconds, as stored). */
  since?: string;
  /** Only entries whose actor contains this text ("account:jo.head", "ssh:"). */
  actor?: string;
}

const DETAILS_MAX_BYTES = 64 * 1024;
const LIST_DEFAULT = 100;
const LIST_MAX = 1000;
const COLUMNS = 'seq, at, actor, action, subject, details, prev_hash, hash';

type Row = Record<string, SQLOutputValue>;

export class AuditLog {
  readonly #db: DatabaseSync;
  readonly #now: () => Date;

  /** Constructed by StateDatabase, which owns the handle. */
  constructor(db: DatabaseSync, now: () => Date) {
    this.#db = db;
    this.#now = now;
  }

  append(entry: AuditAppend): AuditEntry {
    checkValue(AuditActor, entry.actor, 'audit actor');
    checkValue(AuditAction, entry.action, 'audit action');
    const subject = entry.subject === undefined ? null : entry.subject;
    checkValue(AuditSubject, subject, 'audit subject');
    const at = isoInstant(this.#now(), 'clock');
    // Read the head and insert under one write lock, so two writers cannot both claim the same seq.
    const record = atomically(this.#db, () => {
      const head = this.#db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get();
      const previous = head === undefined ? undefined : { seq: Number(head.seq), hash: String(head.hash) };
      let next: AuditRecord;
      try {
        next = nextRecord(previous, { at, actor: entry.actor, action: entry.action, subject, details: entry.details });
      } catch (error) {
        if (error instanceof CanonicalJsonError) throw new InvalidInputError(`audit details for ${entry.action}: ${error.message}`);
        throw error;
      }
      if (Buffer.byteLength(next.detailsJson, 'utf8') > DETAILS_MAX_BYTES) {
        throw new InvalidInputError(`audit details for ${entry.action} are larger than ${DETAILS_MAX_BYTES} bytes; record a summary and keep the bulk elsewhere`);
      }
      this.#db.prepare(`INSERT INTO audit_log (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(next.seq, next.at, next.actor, next.action, next.subject, next.detailsJson, next.prevHash, next.hash);
      return next;
    });
    return toEntry(record);
  }

  list(options: AuditListOptions = {}): AuditEntry[] {
    const after = options.after ?? 0;
    const limit = options.limit ?? LIST_DEFAULT;
    if (!Number.isSafeInteger(after) || after < 0) throw new InvalidInputError(`"after" must be a whole number ≥ 0, got ${String(options.after)}`);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > LIST_MAX) throw new InvalidInputError(`"limit" must be a whole number from 1 to ${LIST_MAX}, got ${String(options.limit)}`);
    const where = ['seq > ?'];
    const params: (string | number)[] = [after];
    if (options.action !== undefined) {
      if (options.action.endsWith('.*')) {
        const prefix = options.action.slice(0, -2);
        checkActionPrefix(prefix, options.action);
        // Action names cannot contain GLOB metacharacters (checked above), so the prefix is literal.
        where.push('action GLOB ?');
        params.push(`${prefix}.*`);
      } else {
        checkValue(AuditAction, options.action, 'audit action filter');
        where.push('action = ?');
        params.push(options.action);
      }
    }
    if (options.since !== undefined) {
      // Stored instants all have this one format, so comparing the text compares the times.
      checkValue(IsoTimestamp, options.since, '"since"');
      where.push('at >= ?');
      params.push(options.since);
    }
    if (options.actor !== undefined) {
      where.push('instr(actor, ?) > 0');
      params.push(options.actor);
    }
    params.push(limit);
    return this.#db.prepare(`SELECT ${COLUMNS} FROM audit_log WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`)
      .all(...params).map((row) => toEntry(toRecord(row)));
  }

  /**
   * Every entry about a subject, oldest first: those whose subject it is, and those whose details
   * name it as a whole JSON string (a subject-access request; no index, the log is small).
   */
  naming(subject: string): AuditEntry[] {
    return this.#db.prepare(`SELECT ${COLUMNS} FROM audit_log WHERE subject = ? OR instr(details, ?) > 0 ORDER BY seq`)
      .all(subject, JSON.stringify(subject)).map((row) => toEntry(toRecord(row)));
  }

  /** Recomputes every link from the stored bytes. */
  verify(): ChainVerdict {
    const rows = this.#db.prepare(`SELECT ${COLUMNS} FROM audit_log ORDER BY seq`).iterate();
    function* records(): Generator<AuditRecord> {
      for (const row of rows) yield toRecord(row);
    }
    return verifyRecords(records());
  }

  /** Every entry in order, with hashes, read lazily: the annual pack can be large. */
  *export(): Iterable<AuditEntry> {
    for (const row of this.#db.prepare(`SELECT ${COLUMNS} FROM audit_log ORDER BY seq`).iterate()) {
      yield toEntry(toRecord(row));
    }
  }

  count(): number {
    return Number(this.#db.prepare('SELECT count(*) AS n FROM audit_log').get()?.n ?? 0);
  }
}

function checkActionPrefix(prefix: string, filter: string): void {
  if (!/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/.test(prefix)) {
    throw new InvalidInputError(`invalid audit action filter ${JSON.stringify(filter)}: expected an action like device.suspend or a prefix like device.*`);
  }
}

// Rows are read defensively: someone with the file may have changed a column's type, and that
// must surface as a broken chain in verify(), not as a crash.
function toRecord(row: Row): AuditRecord {
  return {
    seq: typeof row.seq === 'number' ? row.seq : Number.NaN,
    at: String(row.at),
    actor: String(row.actor),
    action: String(row.action),
    subject: row.subject === null ? null : String(row.subject),
    detailsJson: String(row.details),
    prevHash: String(row.prev_hash),
    hash: String(row.hash),
  };
}

function toEntry(record: AuditRecord): AuditEntry {
  let details: unknown;
  try {
    details = JSON.parse(record.detailsJson);
  } catch {
    throw new Error(`audit entry ${record.seq} holds details that are not JSON: the log has been altered outside Schoolgate (run verify)`);
  }
  return {
    seq: record.seq, at: record.at, actor: record.actor, action: record.action, subject: record.subject,
    details, prevHash: record.prevHash, hash: record.hash,
  };
}
