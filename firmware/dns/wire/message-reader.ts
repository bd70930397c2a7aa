// A bounds-checked walk over a whole DNS message (an upstream's answer): header, question and
// every resource record, noted into arrays the caller reuses. The cache needs where each TTL sits;
// answer inspection needs owner names, CNAME/DNAME targets and addresses. Upstream bytes are
// hostile until proven otherwise, so nothing here throws: a malformed message reads as `false`.
import { nameText, readName } from './name-reader.ts';
import { HEADER_LENGTH, QType } from './constants.ts';

/** The largest message any transport can carry (TCP's 16-bit length prefix). */
const MAX_MESSAGE = 65535;
/**
 * Pointers must point strictly before the run of labels they end, so they cannot loop; the cap
 * only bounds the work a crafted chain of hops can cost. Answers compress harder than questions
 * (names point into names that point further), so it is looser than the query reader's.
 */
const MAX_POINTER_HOPS = 64;
/** Smallest record: a root owner byte plus type, class, TTL and RDLENGTH. */
const MIN_RECORD = 11;

/** Not in wire.ts's table: only answers carry it (RFC 6672). */
export const DNAME = 39;

export const Section = { answer: 0, authority: 1, additional: 2 } as const;
export type Section = (typeof Section)[keyof typeof Section];

/** What the walk learnt; the typed arrays grow as needed and are reused across messages. */
export class ParsedMessage {
  id = 0;
  /** The header's flags word (QR, opcode, AA, TC, RD, RA, Z, AD, CD, low 4 bits of the rcode). */
  flags = 0;
  /** The full rcode: the header's 4 bits plus the OPT record's extended bits. */
  rcode = 0;
  hasQuestion = false;
  /** Presentation form, lower-cased and escaped exactly as wire.ts's reader writes it. */
  qname = '';
  qtype = 0;
  qclass = 0;
  questionEnd = HEADER_LENGTH;
  answerCount = 0;
  authorityCount = 0;
  additionalCount = 0;
  /** Index of the first OPT record, or -1. */
  optIndex = -1;
  /** Offset just past the last record; anything after it is ignored. */
  end = HEADER_LENGTH;
  /** Whether `owner` was filled (the walk may skip names when only offsets are wanted). */
  namesRead = false;
  /**
   * Each record's owner name, after a walk that read names; holds one per record then. Not
   * emptied by reset(): emptying an array frees its storage, and refilling it would allocate a
   * new one for every forwarded answer (~10 MB per 8 s at 16.8k QPS, allocation sampling).
   */
  readonly owner: string[] = [];
  type = new Uint16Array(16);
  rclass = new Uint16Array(16);
  /** Offset of each record's 32-bit TTL field (for OPT, the extended rcode/version/flags word). */
  ttlOffset = new Uint32Array(16);
  /** TTL as read, with values above 2^31-1 taken as 0 (RFC 2181 8). */
  ttl = new Uint32Array(16);
  rdataOffset = new Uint32Array(16);
  rdataLength = new Uint16Array(16);

  get recordCount(): number {
    return this.answerCount + this.authorityCount + this.additionalCount;
  }

  sectionOf(index: number): Section {
    if (index < this.answerCount) return Section.answer;
    return index < this.answerCount + this.authorityCount ? Section.authority : Section.additional;
  }

  reset(): void {
    this.id = 0;
    this.flags = 0;
    this.rcode = 0;
    this.hasQuestion = false;
    this.qname = '';
    this.qtype = 0;
    this.qclass = 0;
    this.questionEnd = HEADER_LENGTH;
    this.answerCount = 0;
    this.authorityCount = 0;
    this.additionalCount = 0;
    this.optIndex = -1;
    this.end = HEADER_LENGTH;
    this.namesRead = false;
  }

  /** Room for `count` records; only ever called with a count the message's length can hold. */
  reserve(count: number): void {
    if (count <= this.type.length) return;
    let size = this.type.length;
    while (size < count) size *= 2;
    this.type = grow16(this.type, size);
    this.rclass = grow16(this.rclass, size);
    this.rdataLength = grow16(this.rdataLength, size);
    this.ttlOffset = grow32(this.ttlOffset, size);
    this.ttl = grow32(this.ttl, size);
    this.rdataOffset = grow32(this.rdataOffset, size);
  }
}

function grow16(a: Uint16Array, size: number): Uint16Array<ArrayBuffer> {
  const b = new Uint16Array(size);
  b.set(a);
  return b;
}

function grow32(a: Uint32Array, size: number): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(size);
  b.set(a);
  return b;
}

const u16 = (buf: Uint8Array, at: number): number => (buf[at]! << 8) | buf[at + 1]!;
const u32 = (buf: Uint8Array, at: number): number =>
  ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;

/**
 * Walks `buf` into `msg` (reset first). `withNames` false skips building owner strings (they are
 * still validated) for callers that only need offsets. False when anything is malformed: a count
 * the bytes cannot hold, a bad name or pointer, RDATA past the end, more than one question.
 */
export function readMessage(buf: Uint8Array, msg: ParsedMessage, withNames = true): boolean {
  msg.reset();
  const length = buf.length;
  if (length < HEADER_LENGTH || length > MAX_MESSAGE) return false;
  msg.id = u16(buf, 0);
  msg.flags = u16(buf, 2);
  msg.rcode = msg.flags & 0xf;
  const qd = u16(buf, 4);
  const an = u16(buf, 6);
  const ns = u16(buf, 8);
  const ar = u16(buf, 10);
  if (qd > 1) return false;
  let pos = HEADER_LENGTH;
  if (qd === 1) {
    const afterName = readName(buf, pos, true, MAX_POINTER_HOPS);
    if (afterName < 0 || afterName + 4 > length) return false;
    msg.qname = nameText;
    msg.qtype = u16(buf, afterName);
    msg.qclass = u16(buf, afterName + 2);
    pos = afterName + 4;
    msg.hasQuestion = true;
  }
  msg.questionEnd = pos;
  const total = an + ns + ar;
  // Refuse counts the remaining bytes cannot possibly hold before reserving room for them.
  if (total * MIN_RECORD > length - pos) return false;
  msg.reserve(total);
  msg.namesRead = withNames;
  const owner = msg.owner;
  for (let i = 0; i < total; i++) {
    // Most owners are one pointer to the question's name (0xC00C): that name was read and checked
    // above, and a name at a given offset always reads the same, so its text is reused rather
    // than made again (a string per record of every forwarded answer). Only the hop cap differs:
    // it bounds the work a chain of pointers costs, and reusing the text costs none.
    const toQuestion = msg.hasQuestion && pos + 2 <= length && buf[pos] === 0xc0 && buf[pos + 1] === HEADER_LENGTH;
    const nameEnd = toQuestion ? pos + 2 : readName(buf, pos, withNames, MAX_POINTER_HOPS);
    if (nameEnd < 0 || nameEnd + 10 > length) return false;
    const rdLength = u16(buf, nameEnd + 8);
    const rdOffset = nameEnd + 10;
    if (rdOffset + rdLength > length) return false;
    const type = u16(buf, nameEnd);
    if (withNames) owner[i] = toQuestion ? msg.qname : nameText;
    msg.type[i] = type;
    msg.rclass[i] = u16(buf, nameEnd + 2);
    msg.ttlOffset[i] = nameEnd + 4;
    const ttl = u32(buf, nameEnd + 4);
    msg.ttl[i] = ttl > 0x7fffffff ? 0 : ttl;
    msg.rdataOffset[i] = rdOffset;
    msg.rdataLength[i] = rdLength;
    if (type === QType.OPT && msg.optIndex < 0) {
      // RFC 6891 6.1.3: the TTL field's top byte extends the rcode.
      msg.optIndex = i;
      msg.rcode |= buf[nameEnd + 4]! << 4;
    }
    pos = rdOffset + rdLength;
  }
  msg.answerCount = an;
  msg.authorityCount = ns;
  msg.additionalCount = ar;
  msg.end = pos;
  // Shrinking an array trims its storage in place; only names from an earlier message go.
  owner.length = withNames ? total : 0;
  return true;
}

/**
 * The name that forms the whole RDATA of record `index` (CNAME, DNAME, NS, PTR), lower-cased
 * presentation form; undefined when the record is of another type or its RDATA is not exactly
 * one valid name.
 */
export function rdataName(buf: Uint8Array, msg: ParsedMessage, index: number): string | undefined {
  if (index < 0 || index >= msg.recordCount) return undefined;
  const type = msg.type[index];
  if (type !== QType.CNAME && type !== DNAME && type !== QType.NS && type !== QType.PTR) return undefined;
  const start = msg.rdataOffset[index]!;
  const end = readName(buf, start, true, MAX_POINTER_HOPS);
  return end === start + msg.rdataLength[index]! ? nameText : undefined;
}

/** SOA MINIMUM of record `index` (RFC 2308's negative-caching TTL), or -1 when not a valid SOA. */
export function soaMinimum(buf: Uint8Array, msg: ParsedMessage, index: number): number {
  if (index < 0 || index >= msg.recordCount || msg.type[index] !== QType.SOA) return -1;
  const start = msg.rdataOffset[index]!;
  const end = start + msg.rdataLength[index]!;
  if (end > buf.length) return -1;
  const afterMname = readName(buf, start, false, MAX_POINTER_HOPS);
  if (afterMname < 0 || afterMname > end) return -1;
  const afterRname = readName(buf, afterMname, false, MAX_POINTER_HOPS);
  // SERIAL, REFRESH, RETRY, EXPIRE, MINIMUM: five 32-bit fields ending the RDATA exactly.
  if (afterRname < 0 || afterRname + 20 !== end) return -1;
  const minimum = u32(buf, end - 4);
  return minimum > 0x7fffffff ? 0 : minimum;
}

/** The address of A record `index` as an unsigned 32-bit number, or -1 when not a 4-byte A. */
export function ipv4At(buf: Uint8Array, msg: ParsedMessage, index: number): number {
  if (index < 0 || index >= msg.recordCount || msg.type[index] !== QType.A || msg.rdataLength[index] !== 4) return -1;
  const at = msg.rdataOffset[index]!;
  return at + 4 <= buf.length ? u32(buf, at) : -1;
}

/** Offset of the 16 address bytes of AAAA record `index`, or -1 when not a 16-byte AAAA. */
export function ipv6OffsetAt(buf: Uint8Array, msg: ParsedMessage, index: number): number {
  if (index < 0 || index >= msg.recordCount || msg.type[index] !== QType.AAAA || msg.rdataLength[index] !== 16) return -1;
  const at = msg.rdataOffset[index]!;
  return at + 16 <= buf.length ? at : -1;
}
