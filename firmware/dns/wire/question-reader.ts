// The hot-path reader: header and the single question of a client's query, read once with every
// bound checked. It never throws and never allocates beyond the name string: the outcome says
// whether to serve, answer with an error code, or drop, and the caller owns the result object.

import { EDNS_DO, FLAG_QR, HEADER_LENGTH, MAX_NAME_WIRE, QType } from './constants.ts';
import { nameLabels, nameText, readName } from './name-reader.ts';

export const ReadOutcome = {
  /** A well-formed query: serve it. */
  ok: 0,
  /** Not worth a reply (too short to hold an ID, or a response sent to us). */
  drop: 1,
  formErr: 2,
  notImp: 3,
  badVers: 4,
} as const;
export type ReadOutcome = (typeof ReadOutcome)[keyof typeof ReadOutcome];


/**
 * Strictly backwards pointers already make a loop impossible; the cap keeps a crafted chain of
 * one-byte hops from costing more than a handful of steps.
 */
const MAX_POINTER_HOPS = 16;

/** What the reader learnt; reused by the caller across queries where it wants to. */
export class ParsedQuery {
  id = 0;
  /** The header's flags word as the client sent it. */
  flags = 0;
  /** True once the question was read, so error replies can echo it. */
  hasQuestion = false;
  /** Presentation form, ASCII-lowercased, `\.`, `\\` and `\DDD` escapes inside labels; "." is the root. */
  name = '';
  labels = 0;
  qtype = 0;
  qclass = 0;
  /** Header plus question occupy bytes [0, questionEnd) of the packet. */
  questionEnd = HEADER_LENGTH;
  /** An OPT record was present (and understood). */
  edns = false;
  /** The client's advertised UDP payload size (values under 512 read as 512). */
  udpSize = 512;
  dnssecOk = false;
  ednsVersion = 0;

  reset(): void {
    this.id = 0;
    this.flags = 0;
    this.hasQuestion = false;
    this.name = '';
    this.labels = 0;
    this.qtype = 0;
    this.qclass = 0;
    this.questionEnd = HEADER_LENGTH;
    this.edns = false;
    this.udpSize = 512;
    this.dnssecOk = false;
    this.ednsVersion = 0;
  }
}

/** Skips a name inside a resource record without following pointers; -1 when malformed. */
function skipName(buf: Uint8Array, start: number): number {
  const length = buf.length;
  let pos = start;
  let wire = 1;
  for (;;) {
    if (pos >= length) return -1;
    const len = buf[pos]!;
    if (len === 0) return pos + 1;
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= length) return -1;
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      if (target < HEADER_LENGTH || target >= pos) return -1;
      return pos + 2;
    }
    if (kind !== 0) return -1;
    wire += len + 1;
    if (wire > MAX_NAME_WIRE) return -1;
    pos += len + 1;
  }
}

const u16 = (buf: Uint8Array, at: number): number => (buf[at]! << 8) | buf[at + 1]!;

/**
 * Reads a client's query into `q` (which is reset first). Answer/authority records are skipped
 * with their bounds checked; the additional section is scanned for the one OPT record.
 */
export function readQuery(buf: Uint8Array, q: ParsedQuery): ReadOutcome {
  q.reset();
  if (buf.length < HEADER_LENGTH) return ReadOutcome.drop;
  q.id = u16(buf, 0);
  const flags = u16(buf, 2);
  q.flags = flags;
  if ((flags & FLAG_QR) !== 0) return ReadOutcome.drop;
  if (((flags >>> 11) & 0xf) !== 0) return ReadOutcome.notImp;
  if (u16(buf, 4) !== 1) return ReadOutcome.formErr;

  const afterName = readName(buf, HEADER_LENGTH, true, MAX_POINTER_HOPS);
  if (afterName < 0 || afterName + 4 > buf.length) return ReadOutcome.formErr;
  q.name = nameText;
  q.labels = nameLabels;
  q.qtype = u16(buf, afterName);
  q.qclass = u16(buf, afterName + 2);
  q.questionEnd = afterName + 4;
  q.hasQuestion = true;

  let pos = q.questionEnd;
  const skipped = u16(buf, 6) + u16(buf, 8);
  for (let i = 0; i < skipped; i++) {
    pos = skipRecord(buf, pos);
    if (pos < 0) return ReadOutcome.formErr;
  }
  const additional = u16(buf, 10);
  for (let i = 0; i < additional; i++) {
    const nameEnd = skipName(buf, pos);
    if (nameEnd < 0 || nameEnd + 10 > buf.length) return ReadOutcome.formErr;
    const rdEnd = nameEnd + 10 + u16(buf, nameEnd + 8);
    if (rdEnd > buf.length) return ReadOutcome.formErr;
    if (u16(buf, nameEnd) === QType.OPT) {
      // RFC 6891 6.1.1: one OPT at most, and its owner is the root.
      if (q.edns || nameEnd !== pos + 1) return ReadOutcome.formErr;
      q.edns = true;
      const size = u16(buf, nameEnd + 2);
      q.udpSize = size < 512 ? 512 : size;
      q.ednsVersion = buf[nameEnd + 5]!;
      q.dnssecOk = (u16(buf, nameEnd + 6) & EDNS_DO) !== 0;
    }
    pos = rdEnd;
  }
  return q.edns && q.ednsVersion !== 0 ? ReadOutcome.badVers : ReadOutcome.ok;
}

function skipRecord(buf: Uint8Array, start: number): number {
  const nameEnd = skipName(buf, start);
  if (nameEnd < 0 || nameEnd + 10 > buf.length) return -1;
  const rdEnd = nameEnd + 10 + u16(buf, nameEnd + 8);
  return rdEnd > buf.length ? -1 : rdEnd;
}
