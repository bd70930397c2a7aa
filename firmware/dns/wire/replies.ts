// Replies we make ourselves (errors, refusals, block answers, RFC 8482) straight from the request
// bytes: header and question copied, flags set, answers appended with a pointer to the question
// name. Cheaper than a dns-packet round trip by several times (docs/design.md, "Measured facts about the platform") and exact by construction.
import { parseAddress, parseIPv4 } from '../../clients/ip.ts';
import { copyBytes } from './bytes.ts';
import { encodeName } from './name-writer.ts';
import { type ParsedQuery } from './question-reader.ts';
import { EDNS_DO, FLAG_CD, FLAG_QR, FLAG_RA, FLAG_RD, FLAG_TC, HEADER_LENGTH, QClass, QType } from './constants.ts';

/** The payload size we advertise and the cap on any UDP reply (the DNS flag day 2020 value). */
export const OUR_UDP_PAYLOAD = 1232;
/** Without EDNS a UDP reply may not exceed 512 bytes (RFC 1035 4.2.1). */
export const PLAIN_UDP_LIMIT = 512;

/** A record to synthesise; build these once per configuration, not per query. */
export interface SynthRecord {
  readonly type: number;
  readonly ttl: number;
  readonly rdata: Uint8Array;
  /** Wire-form owner name; absent means the question's name (written as a pointer to offset 12). */
  readonly owner?: Uint8Array;
}

const NO_RECORDS: readonly SynthRecord[] = [];
const OPT_LENGTH = 11;

export function aRecord(address: string, ttl: number, owner?: Uint8Array): SynthRecord | undefined {
  const v = parseIPv4(address);
  if (v === undefined) return undefined;
  return withOwner({ type: QType.A, ttl, rdata: Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255) }, owner);
}

export function aaaaRecord(address: string, ttl: number, owner?: Uint8Array): SynthRecord | undefined {
  if (!address.includes(':')) return undefined;
  const parsed = parseAddress(address);
  if (!parsed) return undefined;
  // parseAddress folds ::ffff:a.b.c.d to IPv4; rebuild the mapped form for an AAAA record.
  const value = parsed.family === 4 ? (0xffffn << 32n) | parsed.value : parsed.value;
  const rdata = new Uint8Array(16);
  for (let i = 0; i < 16; i++) rdata[i] = Number((value >> BigInt(8 * (15 - i))) & 0xffn);
  return withOwner({ type: QType.AAAA, ttl, rdata }, owner);
}

export function cnameRecord(target: string, ttl: number, owner?: Uint8Array): SynthRecord | undefined {
  const rdata = encodeName(target);
  return rdata ? withOwner({ type: QType.CNAME, ttl, rdata }, owner) : undefined;
}

/** RFC 8482 section 4.2: answer ANY with one small synthesised HINFO record. */
export function rfc8482Record(ttl: number): SynthRecord {
  const cpu = 'RFC8482';
  const rdata = new Uint8Array(cpu.length + 2);
  rdata[0] = cpu.length;
  for (let i = 0; i < cpu.length; i++) rdata[i + 1] = cpu.charCodeAt(i);
  rdata[cpu.length + 1] = 0; // empty OS string
  return { type: QType.HINFO, ttl, rdata };
}

function withOwner(record: SynthRecord, owner: Uint8Array | undefined): SynthRecord {
  return owner ? { ...record, owner } : record;
}

/** The largest UDP reply this client accepts. */
export function udpLimit(q: ParsedQuery): number {
  if (!q.edns) return PLAIN_UDP_LIMIT;
  return q.udpSize < OUR_UDP_PAYLOAD ? q.udpSize : OUR_UDP_PAYLOAD;
}

/** Reply flags: QR and RA set; opcode, RD and CD copied from the request; AA, AD, Z clear. */
function replyFlags(requestFlags: number, rcode: number, truncated: boolean): number {
  return FLAG_QR | (requestFlags & (0x7800 | FLAG_RD | FLAG_CD)) | FLAG_RA | (truncated ? FLAG_TC : 0) | (rcode & 0xf);
}

/**
 * A reply with `rcode` and `records`, echoing the question when it was read and an OPT record
 * (our payload size, the client's DO bit) when the client sent one.
 */
export function writeReply(request: Uint8Array, q: ParsedQuery, rcode: number, records: readonly SynthRecord[] = NO_RECORDS): Buffer {
  return build(request, q, rcode, records, false);
}

/** The reply for an answer too large for the client's UDP limit: header, question, OPT, TC set. */
export function writeTruncated(request: Uint8Array, q: ParsedQuery): Buffer {
  return build(request, q, 0, NO_RECORDS, true);
}

/** `reply` itself if it fits this client's UDP limit, else the truncated form. */
export function fitForUdp(reply: Uint8Array, request: Uint8Array, q: ParsedQuery): Uint8Array {
  return reply.length <= udpLimit(q) ? reply : writeTruncated(request, q);
}

function build(request: Uint8Array, q: ParsedQuery, rcode: number, records: readonly SynthRecord[], truncated: boolean): Buffer {
  const question = q.hasQuestion ? q.questionEnd - HEADER_LENGTH : 0;
  let size = HEADER_LENGTH + question + (q.edns ? OPT_LENGTH : 0);
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    size += (r.owner ? r.owner.length : 2) + 10 + r.rdata.length;
  }
  const out = Buffer.allocUnsafe(size);
  out[0] = request[0] ?? 0;
  out[1] = request[1] ?? 0;
  out.writeUInt16BE(replyFlags(q.flags, rcode, truncated), 2);
  out.writeUInt16BE(q.hasQuestion ? 1 : 0, 4);
  out.writeUInt16BE(records.length, 6);
  out.writeUInt16BE(0, 8);
  out.writeUInt16BE(q.edns ? 1 : 0, 10);
  let pos = HEADER_LENGTH;
  if (question > 0) {
    copyBytes(out, pos, request, HEADER_LENGTH, q.questionEnd);
    pos += question;
  }
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.owner) {
      out.set(r.owner, pos);
      pos += r.owner.length;
    } else {
      out[pos++] = 0xc0;
      out[pos++] = HEADER_LENGTH;
    }
    out.writeUInt16BE(r.type, pos);
    out.writeUInt16BE(QClass.IN, pos + 2);
    out.writeUInt32BE(r.ttl >>> 0, pos + 4);
    out.writeUInt16BE(r.rdata.length, pos + 8);
    out.set(r.rdata, pos + 10);
    pos += 10 + r.rdata.length;
  }
  if (q.edns) writeOpt(out, pos, rcode, q.dnssecOk);
  return out;
}

/** An OPT pseudo-record with no options: options such as cookies or NSID are not echoed blindly. */
function writeOpt(out: Buffer, pos: number, rcode: number, dnssecOk: boolean): void {
  out[pos] = 0; // root owner
  out.writeUInt16BE(QType.OPT, pos + 1);
  out.writeUInt16BE(OUR_UDP_PAYLOAD, pos + 3);
  out[pos + 5] = (rcode >>> 4) & 0xff; // extended rcode
  out[pos + 6] = 0; // version
  out.writeUInt16BE(dnssecOk ? EDNS_DO : 0, pos + 7);
  out.writeUInt16BE(0, pos + 9);
}
