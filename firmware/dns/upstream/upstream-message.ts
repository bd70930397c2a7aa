// The messages we exchange with upstream resolvers, as pure functions: the query we send (a fresh
// one, not the client's bytes, so client options never leak upstream) and the check an answer must
// pass before it is believed. Anything that fails the check is ignored, as if never received.
import { copyBytes } from '../wire/bytes.ts';
import { OUR_UDP_PAYLOAD } from '../wire/replies.ts';
import { type ParsedQuery } from '../wire/question-reader.ts';
import { EDNS_DO, FLAG_AA, FLAG_CD, FLAG_QR, FLAG_RD, FLAG_TC, HEADER_LENGTH, QType } from '../wire/constants.ts';

/** Our query for the client's question: new ID, RD set, CD copied, OPT only if the client used EDNS. */
export function buildUpstreamQuery(request: Uint8Array, q: ParsedQuery, id: number): Buffer {
  const question = q.questionEnd - HEADER_LENGTH;
  const out = Buffer.allocUnsafe(HEADER_LENGTH + question + (q.edns ? 11 : 0));
  out.writeUInt16BE(id & 0xffff, 0);
  out.writeUInt16BE(FLAG_RD | (q.flags & FLAG_CD), 2);
  out.writeUInt16BE(1, 4);
  out.writeUInt16BE(0, 6);
  out.writeUInt16BE(0, 8);
  out.writeUInt16BE(q.edns ? 1 : 0, 10);
  copyBytes(out, HEADER_LENGTH, request, HEADER_LENGTH, q.questionEnd);
  if (q.edns) {
    const pos = HEADER_LENGTH + question;
    out[pos] = 0;
    out.writeUInt16BE(QType.OPT, pos + 1);
    out.writeUInt16BE(OUR_UDP_PAYLOAD, pos + 3);
    out.writeUInt32BE(q.dnssecOk ? EDNS_DO : 0, pos + 5);
    out.writeUInt16BE(0, pos + 9);
  }
  return out;
}

export const AnswerCheck = {
  /** Not an answer to this query: ignore it and keep waiting. */
  mismatch: 0,
  ok: 1,
  /** The right answer, but cut short: ask again over TCP. */
  truncated: 2,
} as const;
export type AnswerCheck = (typeof AnswerCheck)[keyof typeof AnswerCheck];

const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c);

/**
 * Is `response` the answer to `query` (the bytes we sent)? ID, QR, opcode, one question, and
 * name (case-insensitively: resolvers may echo 0x20-mixed case), type and class must match.
 */
export function checkUpstreamAnswer(response: Uint8Array, query: Uint8Array): AnswerCheck {
  const questionEnd = questionEndOf(query);
  if (response.length < questionEnd) return AnswerCheck.mismatch;
  if (response[0] !== query[0] || response[1] !== query[1]) return AnswerCheck.mismatch;
  const flags = (response[2]! << 8) | response[3]!;
  if ((flags & FLAG_QR) === 0 || ((flags >>> 11) & 0xf) !== 0) return AnswerCheck.mismatch;
  if (response[4] !== 0 || response[5] !== 1) return AnswerCheck.mismatch;
  // Label lengths are < 64, below 'A', so lowering every byte compares names case-insensitively.
  for (let i = HEADER_LENGTH; i < questionEnd; i++) {
    if (lower(response[i]!) !== lower(query[i]!)) return AnswerCheck.mismatch;
  }
  return (flags & FLAG_TC) !== 0 ? AnswerCheck.truncated : AnswerCheck.ok;
}

/** End of the question in a query we built (its name is uncompressed by construction). */
function questionEndOf(query: Uint8Array): number {
  let pos = HEADER_LENGTH;
  while (pos < query.length && query[pos] !== 0) pos += query[pos]! + 1;
  return pos + 5;
}

export function upstreamRcode(response: Uint8Array): number {
  return response.length >= 4 ? response[3]! & 0xf : 0;
}

/**
 * Gives the client's ID back to an upstream answer (in place), and clears AA: the gateway is not
 * authoritative for a forwarded answer, whatever the upstream said (cached answers clear it too).
 */
export function restoreId(response: Uint8Array, clientId: number): Uint8Array {
  response[0] = (clientId >>> 8) & 0xff;
  response[1] = clientId & 0xff;
  if (response.length > 2) response[2]! &= ~(FLAG_AA >>> 8) & 0xff;
  return response;
}
