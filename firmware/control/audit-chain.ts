// The audit log's hash chain as pure functions, so an exported audit pack can be checked by
// anyone holding it (an auditor, a governor, a later build) without the gateway or its database.
//
// Each entry's hash is SHA-256 (lower-case hex) over the UTF-8 bytes of the canonical JSON of the
// 7-tuple [seq, at, actor, action, subject, details, prev_hash]. Canonical JSON here is RFC 8785
// (JCS): object keys sorted by UTF-16 code units, no whitespace, numbers and strings exactly as
// ECMAScript JSON.stringify writes them. The first entry's prev_hash is 64 zeros.
import { createHash } from 'node:crypto';
import { Type, type Static } from 'typebox';
import { IsoTimestamp } from '../state/schemas.ts';

export const GENESIS_HASH = '0'.repeat(64);

const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$' });

export const AuditActor = Type.String({
  minLength: 1, maxLength: 128, pattern: '^[^\\u0000-\\u001f\\u007f]+$',
  description: 'who acted: an account name, ssh:<user> for a technician, or system:<job> for the daemon',
});
export const AuditAction = Type.String({
  maxLength: 64, pattern: '^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+$',
  description: 'a dotted verb such as config.update or device.suspend',
});
export const AuditSubject = Type.Union([
  Type.String({ minLength: 1, maxLength: 512, pattern: '^[^\\u0000-\\u001f\\u007f]+$' }),
  Type.Null(),
], { description: 'what was acted on (a MAC, a domain, a proposal id), or null' });

export const AuditEntry = Type.Object({
  seq: Type.Integer({ minimum: 1 }),
  at: IsoTimestamp,
  actor: AuditActor,
  action: AuditAction,
  subject: AuditSubject,
  details: Type.Unknown({ description: 'JSON value recorded with the entry' }),
  prevHash: Sha256Hex,
  hash: Sha256Hex,
}, { additionalProperties: false });
export type AuditEntry = Static<typeof AuditEntry>;

export type ChainVerdict =
  | { ok: true; entries: number; head: string }
  | { ok: false; brokenAt: number; reason: string };

/** An entry as stored: details kept as the exact JSON text that was hashed. */
export interface AuditRecord {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  detailsJson: string;
  prevHash: string;
  hash: string;
}

export class CanonicalJsonError extends Error {
  override name = 'CanonicalJsonError';
}

/**
 * JCS serialisation. Refuses what JSON would silently change (NaN, Infinity, undefined in arrays,
 * BigInt, cycles, class instances) so that what is hashed is what a reader gets back. Dates become
 * ISO strings; undefined object members are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$', new Set());
}

function write(value: unknown, path: string, open: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean': return value ? 'true' : 'false';
    case 'string': return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`${path} is ${value}, which JSON cannot represent`);
      return JSON.stringify(value);
    case 'object': break;
    default: throw new CanonicalJsonError(`${path} is a ${typeof value}, which JSON cannot represent`);
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new CanonicalJsonError(`${path} is an invalid Date`);
    return JSON.stringify(value.toISOString());
  }
  if (open.has(value)) throw new CanonicalJsonError(`${path} refers back to itself`);
  open.add(value);
  try {
    if (Array.isArray(value)) {
      return `[${value.map((item, i) => {
        if (item === undefined) throw new CanonicalJsonError(`${path}[${i}] is undefined, which JSON cannot represent`);
        return write(item, `${path}[${i}]`, open);
      }).join(',')}]`;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new CanonicalJsonError(`${path} is a ${(value as object).constructor?.name ?? 'non-plain'} object; pass plain objects, arrays and primitives`);
    }
    const record = value as Record<string, unknown>;
    const members = Object.keys(record).sort()
      .filter((key) => record[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${write(record[key], `${path}.${key}`, open)}`);
    return `{${members.join(',')}}`;
  } finally {
    open.delete(value);
  }
}

/** Hash of a stored record; detailsJson is used byte for byte, so any textual edit shows. */
export function recordHash(record: Omit<AuditRecord, 'hash'>): string {
  const input = `[${JSON.stringify(record.seq)},${JSON.stringify(record.at)},${JSON.stringify(record.actor)},`
    + `${JSON.stringify(record.action)},${JSON.stringify(record.subject)},${record.detailsJson},${JSON.stringify(record.prevHash)}]`;
  return createHash('sha256').update(input, 'utf8').digest('hex');
}

export function toRecord(entry: AuditEntry): AuditRecord {
  return {
    seq: entry.seq, at: entry.at, actor: entry.actor, action: entry.action, subject: entry.subject,
    detailsJson: canonicalJson(entry.details ?? null), prevHash: entry.prevHash, hash: entry.hash,
  };
}

/** Builds the next link. `previous` is the current head, or undefined for an empty log. */
export function nextRecord(
  previous: { seq: number; hash: string } | undefined,
  fields: { at: string; actor: string; action: string; subject: string | null; details: unknown },
): AuditRecord {
  const unsigned = {
    seq: (previous?.seq ?? 0) + 1,
    at: fields.at,
    actor: fields.actor,
    action: fields.action,
    subject: fields.subject,
    detailsJson: canonicalJson(fields.details ?? null),
    prevHash: previous?.hash ?? GENESIS_HASH,
  };
  return { ...unsigned, hash: recordHash(unsigned) };
}

/**
 * Walks records in order and names the first one that cannot be trusted. brokenAt is the sequence
 * number the chain expected at that point (which is the altered entry's own number unless its seq
 * field itself was rewritten).
 */
export function verifyRecords(records: Iterable<AuditRecord>): ChainVerdict {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  for (const record of records) {
    if (record.seq !== expectedSeq) {
      return { ok: false, brokenAt: expectedSeq, reason: `entry ${expectedSeq} is missing or renumbered (found seq ${String(record.seq)} in its place)` };
    }
    if (record.prevHash !== prevHash) {
      return { ok: false, brokenAt: expectedSeq, reason: expectedSeq === 1
        ? 'entry 1 does not start the chain (its prev_hash is not 64 zeros)'
        : `entry ${expectedSeq} does not link to entry ${expectedSeq - 1} (prev_hash differs from that entry's hash)` };
    }
    if (recordHash(record) !== record.hash) {
      return { ok: false, brokenAt: expectedSeq, reason: `entry ${expectedSeq} has been altered (its contents no longer match its hash)` };
    }
    prevHash = record.hash;
    expectedSeq += 1;
  }
  return { ok: true, entries: expectedSeq - 1, head: prevHash };
}

/** Verifies an exported pack: entries with parsed details, in order, as export() produced them. */
export function verifyEntries(entries: Iterable<AuditEntry>): ChainVerdict {
  function* records(): Generator<AuditRecord> {
    for (const entry of entries) yield toRecordLenient(entry);
  }
  return verifyRecords(records());
}

// A tampered pack may hold details JSON cannot represent; that must read as "altered", not crash.
function toRecordLenient(entry: AuditEntry): AuditRecord {
  let detailsJson: string;
  try {
    detailsJson = canonicalJson(entry.details ?? null);
  } catch {
    detailsJson = '"<not representable as JSON>"';
  }
  return { ...toRecord({ ...entry, details: null }), detailsJson };
}
