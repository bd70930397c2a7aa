// The answer cache: upstream answers kept as the bytes they arrived in, with the offset of every
// TTL field noted once at store time, so a hit is one copy, an ID and a handful of 32-bit writes;
// nothing is re-parsed or re-encoded per query. Entries are bounded by count (least recently used
// goes first) and by bytes, since one TCP answer can weigh as much as a thousand small ones.
// Clock readings are arguments (monotonic ms), never taken here.
import type { DnsCache } from '../../config/schema.ts';
import { ParsedMessage, readMessage, soaMinimum } from '../wire/message-reader.ts';
import { type ParsedQuery } from '../wire/question-reader.ts';
import { FLAG_AA, FLAG_CD, FLAG_QR, FLAG_TC, QType, Rcode } from '../wire/constants.ts';

/** TTL written into answers served stale (RFC 8767 4 recommends 30 s). */
export const STALE_TTL = 30;
/** Default byte budget when the configuration gives none. */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
/** Rough cost of an entry beyond its bytes: the entry object, two typed arrays, the map slot. */
const ENTRY_OVERHEAD = 200;

export interface AnswerCacheOptions extends DnsCache {
  /** Bound on the estimated memory of all entries (bytes); DEFAULT_MAX_BYTES when absent. */
  maxBytes?: number;
}

export const StoreOutcome = {
  stored: 0,
  /** maxEntries is 0. */
  off: 1,
  malformed: 2,
  /** Not a response to a standard query with one question. */
  notAnswer: 3,
  /** SERVFAIL, REFUSED, FORMERR and every other rcode but NOERROR and NXDOMAIN. */
  uncacheableRcode: 4,
  truncated: 5,
  /** A negative answer without an SOA to bound it (RFC 2308 5: do not cache). */
  noSoa: 6,
  /** Its lifetime after clamping is zero seconds. */
  zeroTtl: 7,
  /** Larger on its own than the whole byte budget. */
  tooLarge: 8,
} as const;
export type StoreOutcome = (typeof StoreOutcome)[keyof typeof StoreOutcome];

export interface CacheStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  staleHits: number;
  /** Entries dropped to make room (count or byte bound). */
  evictions: number;
  /** Entries dropped because they outlived their stale window. */
  expired: number;
}

/** What a hit produced; the caller reuses one. `reply` is a fresh copy the caller owns. */
export class CacheHit {
  reply: Uint8Array = new Uint8Array(0);
  rcode = 0;
  /** NXDOMAIN, or NOERROR without an answer of the asked type. */
  negative = false;
  stale = false;
  /** Seconds the entry stays fresh (0 for a stale one). */
  ttl = 0;
}

interface Entry {
  bytes: Uint8Array;
  /** Pairs of (TTL field offset, clamped TTL in seconds) for every record but OPT. */
  ttls: Uint32Array;
  storedAt: number;
  expiresAt: number;
  size: number;
  rcode: number;
  negative: boolean;
}

/**
 * The cache key: name, type, class, and the DO and CD bits (a DNSSEC-aware or checking-disabled
 * query gets a different answer). The flag digit is fixed-width, so keys cannot collide.
 */
export function cacheKey(name: string, qtype: number, qclass: number, dnssecOk: boolean, checkingDisabled: boolean): string {
  return keyPrefix((dnssecOk ? 1 : 0) | (checkingDisabled ? 2 : 0), qtype, qclass) + name;
}

// Nearly every question is class IN and one of a few types: their prefixes are made once, so a
// key costs one concatenation instead of two number conversions and four concatenations.
const PREFIXES = new Map<number, string>();
const MAX_PREFIXES = 1024;

function keyPrefix(bits: number, qtype: number, qclass: number): string {
  const code = (bits * 0x10000 + qtype) * 0x10000 + qclass;
  let prefix = PREFIXES.get(code);
  if (prefix === undefined) {
    prefix = `${bits}${qtype} ${qclass} `;
    // Odd types and classes come from anyone: they must not grow this without bound.
    if (PREFIXES.size < MAX_PREFIXES) PREFIXES.set(code, prefix);
  }
  return prefix;
}

export function queryCacheKey(q: ParsedQuery): string {
  return cacheKey(q.name, q.qtype, q.qclass, q.dnssecOk, (q.flags & FLAG_CD) !== 0);
}

/**
 * Serving rewrites TTL fields, so they must be read as TTLs and nothing else. A hostile answer can
 * aim a compression pointer into a TTL field (a zero byte there reads as the root name); the copy
 * we would serve later, with other TTL bytes, would then parse differently or not at all. So:
 * flip every TTL byte in a scratch copy and require the copy to walk to the same shape.
 */
function ttlsAreOnlyTtls(reply: Uint8Array, msg: ParsedMessage, ttls: Uint32Array, probeMsg: ParsedMessage): boolean {
  const end = msg.end;
  const probe = new Uint8Array(end);
  probe.set(reply.subarray(0, end));
  for (let p = 0; p < ttls.length; p += 2) {
    const at = ttls[p]!;
    for (let b = 0; b < 4; b++) probe[at + b] = probe[at + b]! ^ 0x7f;
  }
  const records = msg.recordCount;
  if (!readMessage(probe, probeMsg, false) || probeMsg.recordCount !== records || probeMsg.end !== end) return false;
  for (let i = 0; i < records; i++) if (probeMsg.type[i] !== msg.type[i]) return false;
  return true;
}

export class AnswerCache {
  readonly #entries = new Map<string, Entry>();
  readonly #message = new ParsedMessage();
  readonly #probe = new ParsedMessage();
  #maxEntries = 0;
  #maxBytes = DEFAULT_MAX_BYTES;
  #minTtl = 0;
  #maxTtl = 0;
  #negativeTtl = 0;
  #staleMs = 0;
  #bytes = 0;
  #hits = 0;
  #misses = 0;
  #staleHits = 0;
  #evictions = 0;
  #expired = 0;

  constructor(options: AnswerCacheOptions) {
    this.configure(options);
  }

  /** Takes new limits (a configuration reload); entries over the new bounds are evicted at once. */
  configure(options: AnswerCacheOptions): void {
    this.#maxEntries = Math.max(0, Math.floor(options.maxEntries));
    this.#maxBytes = Math.max(0, options.maxBytes ?? DEFAULT_MAX_BYTES);
    this.#minTtl = Math.max(0, options.minTtl);
    this.#maxTtl = Math.max(0, options.maxTtl);
    this.#negativeTtl = Math.max(0, options.negativeTtl);
    this.#staleMs = Math.max(0, options.staleTtl) * 1000;
    this.#evictToBounds();
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Keeps an upstream's answer (already checked to answer the question) under the key of its
   * question and the client's DO/CD bits. The bytes are copied; the caller may reuse `reply`.
   */
  store(reply: Uint8Array, now: number, dnssecOk: boolean, checkingDisabled: boolean): StoreOutcome {
    if (this.#maxEntries === 0) return StoreOutcome.off;
    const msg = this.#message;
    if (!readMessage(reply, msg, false)) return StoreOutcome.malformed;
    if (!msg.hasQuestion || (msg.flags & FLAG_QR) === 0 || ((msg.flags >>> 11) & 0xf) !== 0) return StoreOutcome.notAnswer;
    if ((msg.flags & FLAG_TC) !== 0) return StoreOutcome.truncated;

    let negative: boolean;
    if (msg.rcode === Rcode.NXDOMAIN) negative = true;
    else if (msg.rcode === Rcode.NOERROR) negative = !answersQuestion(msg);
    else return StoreOutcome.uncacheableRcode;

    let soaIndex = -1;
    let negativeTtl = 0;
    if (negative) {
      soaIndex = firstAuthoritySoa(msg);
      const minimum = soaIndex < 0 ? -1 : soaMinimum(reply, msg, soaIndex);
      if (minimum < 0) return StoreOutcome.noSoa;
      // RFC 2308 5: the lesser of the SOA's own TTL and its MINIMUM field; then our own caps.
      negativeTtl = Math.min(minimum, msg.ttl[soaIndex]!, this.#negativeTtl, this.#maxTtl);
    }

    const total = msg.recordCount;
    let pairs = 0;
    let lifetime = Infinity;
    for (let i = 0; i < total; i++) {
      if (msg.type[i] === QType.OPT) continue;
      pairs++;
      const ttl = i === soaIndex ? negativeTtl : this.#clamp(msg.ttl[i]!);
      if (ttl < lifetime) lifetime = ttl;
    }
    // Before any allocation: answers with a zero TTL are common and never stored.
    if (!(lifetime > 0) || lifetime === Infinity) return StoreOutcome.zeroTtl;
    const ttls = new Uint32Array(pairs * 2);
    for (let i = 0, p = 0; i < total; i++) {
      if (msg.type[i] === QType.OPT) continue;
      ttls[p++] = msg.ttlOffset[i]!;
      ttls[p++] = i === soaIndex ? negativeTtl : this.#clamp(msg.ttl[i]!);
    }
    if (!ttlsAreOnlyTtls(reply, msg, ttls, this.#probe)) return StoreOutcome.malformed;

    const key = cacheKey(msg.qname, msg.qtype, msg.qclass, dnssecOk, checkingDisabled);
    const size = msg.end + ttls.byteLength + key.length * 2 + ENTRY_OVERHEAD;
    if (size > this.#maxBytes) return StoreOutcome.tooLarge;

    // An explicit copy: Buffer#slice would share memory with the caller's buffer.
    const bytes = new Uint8Array(msg.end);
    bytes.set(reply.subarray(0, msg.end));
    // A cached answer is ours, not the zone's authority (RFC 1035 6.1.3 on cached data).
    bytes[2] = bytes[2]! & ~(FLAG_AA >>> 8);
    this.#remove(key);
    this.#entries.set(key, {
      bytes, ttls, storedAt: now, expiresAt: now + lifetime * 1000, size, rcode: msg.rcode, negative,
    });
    this.#bytes += size;
    this.#evictToBounds();
    return StoreOutcome.stored;
  }

  /**
   * A fresh answer for `key`: a copy of the stored bytes carrying `requestId`, every TTL lowered
   * by the whole seconds since it was stored. False on a miss, including an entry past its TTL
   * (kept for lookupStale until its stale window closes).
   */
  lookup(key: string, requestId: number, now: number, out: CacheHit): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined || now >= entry.expiresAt) {
      if (entry !== undefined && now >= entry.expiresAt + this.#staleMs) this.#expire(key, entry);
      this.#misses++;
      return false;
    }
    this.#hits++;
    this.#touch(key, entry);
    this.#serve(entry, requestId, now, false, out);
    return true;
  }

  /**
   * For when every upstream failed: a fresh answer if there is one, else one expired less than
   * staleTtl ago, served with STALE_TTL (RFC 8767). Policy has already been applied to the
   * question by then, so a stale answer never bypasses blocking.
   */
  lookupStale(key: string, requestId: number, now: number, out: CacheHit): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    if (now < entry.expiresAt) {
      this.#hits++;
    } else if (now < entry.expiresAt + this.#staleMs) {
      this.#staleHits++;
    } else {
      this.#expire(key, entry);
      return false;
    }
    this.#touch(key, entry);
    this.#serve(entry, requestId, now, now >= entry.expiresAt, out);
    return true;
  }

  /** Drops every entry whose stale window has closed; for a periodic timer. Returns how many. */
  prune(now: number): number {
    let dropped = 0;
    for (const [key, entry] of this.#entries) {
      if (now >= entry.expiresAt + this.#staleMs) {
        this.#expire(key, entry);
        dropped++;
      }
    }
    return dropped;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  stats(): CacheStats {
    return {
      entries: this.#entries.size,
      bytes: this.#bytes,
      hits: this.#hits,
      misses: this.#misses,
      staleHits: this.#staleHits,
      evictions: this.#evictions,
      expired: this.#expired,
    };
  }

  #serve(entry: Entry, requestId: number, now: number, stale: boolean, out: CacheHit): void {
    const stored = entry.bytes;
    const copy = new Uint8Array(stored.length);
    copy.set(stored);
    copy[0] = (requestId >>> 8) & 0xff;
    copy[1] = requestId & 0xff;
    // A clock that stepped backwards must not stretch TTLs past what was stored.
    const elapsed = now > entry.storedAt ? Math.floor((now - entry.storedAt) / 1000) : 0;
    const ttls = entry.ttls;
    for (let p = 0; p < ttls.length; p += 2) {
      const remaining = stale ? STALE_TTL : ttls[p + 1]! - elapsed;
      writeU32(copy, ttls[p]!, remaining > 0 ? remaining : 0);
    }
    out.reply = copy;
    out.rcode = entry.rcode;
    out.negative = entry.negative;
    out.stale = stale;
    out.ttl = stale ? 0 : Math.max(0, Math.ceil((entry.expiresAt - now) / 1000));
  }

  #clamp(ttl: number): number {
    const raised = ttl < this.#minTtl ? this.#minTtl : ttl;
    return raised > this.#maxTtl ? this.#maxTtl : raised;
  }

  /** Most recently used last: Map keeps insertion order, so re-inserting moves an entry to the end. */
  #touch(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
  }

  #remove(key: string): void {
    const old = this.#entries.get(key);
    if (old === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= old.size;
  }

  #expire(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= entry.size;
    this.#expired++;
  }

  #evictToBounds(): void {
    const entries = this.#entries;
    while (entries.size > this.#maxEntries || (this.#bytes > this.#maxBytes && entries.size > 0)) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      this.#remove(oldest);
      this.#evictions++;
    }
  }
}

/** NOERROR with at least one answer of the asked type (any type for ANY) is a positive answer. */
function answersQuestion(msg: ParsedMessage): boolean {
  for (let i = 0; i < msg.answerCount; i++) {
    if (msg.qtype === QType.ANY || msg.type[i] === msg.qtype) return true;
  }
  return false;
}

function firstAuthoritySoa(msg: ParsedMessage): number {
  const end = msg.answerCount + msg.authorityCount;
  for (let i = msg.answerCount; i < end; i++) {
    if (msg.type[i] === QType.SOA) return i;
  }
  return -1;
}

function writeU32(buf: Uint8Array, at: number, value: number): void {
  buf[at] = value >>> 24;
  buf[at + 1] = (value >>> 16) & 0xff;
  buf[at + 2] = (value >>> 8) & 0xff;
  buf[at + 3] = value & 0xff;
}
