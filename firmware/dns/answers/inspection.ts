// Answer inspection: what an upstream's answer really points at. A blocked site can hide behind an
// allowed name's CNAME (cloaking), and a public name can resolve into the school's own network
// (rebinding); the pipeline re-checks every chain target against the policy and judges the
// addresses with private-addresses.ts. Anything malformed, looping or absurdly long is a failure,
// for the pipeline to refuse rather than pass on unexamined.
import type { AddressSet } from './private-addresses.ts';
import { DNAME, ParsedMessage, ipv4At, ipv6OffsetAt, rdataName, readMessage } from '../wire/message-reader.ts';
import { QType } from '../wire/constants.ts';

/** Longer chains than this are refused (resolvers give up well before; BIND stops at 16 too). */
export const MAX_CHAIN = 16;

export const InspectOutcome = {
  ok: 0,
  malformed: 1,
  /** The answer's question is not the one asked. */
  questionMismatch: 2,
  chainTooLong: 3,
  chainLoop: 4,
} as const;
export type InspectOutcome = (typeof InspectOutcome)[keyof typeof InspectOutcome];

export interface InspectedQuestion {
  /** Lower-case presentation form, as the query reader wrote it. */
  readonly name: string;
  readonly qtype: number;
}

/** What inspection found; reuse one per worker; `targets` and the address arrays are refilled each time. */
export class Inspection implements AddressSet {
  readonly message = new ParsedMessage();
  outcome: InspectOutcome = InspectOutcome.ok;
  /** CNAME targets and DNAME-synthesised names, in the order the chain visits them. */
  readonly targets: string[] = [];
  /** The name the chain ends at: the question's name when there is no chain. */
  finalName = '';
  addressCount = 0;
  addressFamily = new Uint8Array(8);
  addressBytes = new Uint8Array(8 * 16);
  /** Smallest TTL of any record but OPT, or -1 when the answer has none. */
  minTtl = -1;

  reset(): void {
    this.outcome = InspectOutcome.ok;
    this.targets.length = 0;
    this.finalName = '';
    this.addressCount = 0;
    this.minTtl = -1;
  }

  #slot(family: 4 | 6): number {
    const i = this.addressCount;
    if (i === this.addressFamily.length) {
      const families = new Uint8Array(i * 2);
      families.set(this.addressFamily);
      this.addressFamily = families;
      const bytes = new Uint8Array(i * 2 * 16);
      bytes.set(this.addressBytes);
      this.addressBytes = bytes;
    }
    this.addressFamily[i] = family;
    this.addressCount = i + 1;
    return i * 16;
  }

  /** Records an address: IPv4 from a number, IPv6 from 16 bytes of `from` at `offset`. */
  addV4(value: number): void {
    const at = this.#slot(4);
    const b = this.addressBytes;
    b[at] = value >>> 24;
    b[at + 1] = (value >>> 16) & 0xff;
    b[at + 2] = (value >>> 8) & 0xff;
    b[at + 3] = value & 0xff;
  }

  addV6(from: Uint8Array, offset: number): void {
    const at = this.#slot(6);
    const b = this.addressBytes;
    for (let i = 0; i < 16; i++) b[at + i] = from[offset + i] ?? 0;
  }
}

/**
 * Inspects `reply` (an upstream's answer to `question`) into `out`: the CNAME/DNAME chain from the
 * question's name, every A/AAAA address in the answer section (a stub may use any of them, not
 * only those at the chain's end) and the smallest TTL. Never throws.
 */
export function inspectAnswer(reply: Uint8Array, question: InspectedQuestion, out: Inspection): InspectOutcome {
  out.reset();
  out.outcome = inspect(reply, question, out);
  return out.outcome;
}

function inspect(reply: Uint8Array, question: InspectedQuestion, out: Inspection): InspectOutcome {
  const msg = out.message;
  if (!readMessage(reply, msg, true)) return InspectOutcome.malformed;
  if (!msg.hasQuestion || msg.qname !== question.name || msg.qtype !== question.qtype) return InspectOutcome.questionMismatch;

  const total = msg.recordCount;
  for (let i = 0; i < total; i++) {
    if (msg.type[i] === QType.OPT) continue;
    const ttl = msg.ttl[i]!;
    if (out.minTtl < 0 || ttl < out.minTtl) out.minTtl = ttl;
  }

  const outcome = followChain(reply, msg, question.name, out);
  if (outcome !== InspectOutcome.ok) return outcome;

  for (let i = 0; i < msg.answerCount; i++) {
    const type = msg.type[i];
    if (type === QType.A) {
      const v4 = ipv4At(reply, msg, i);
      if (v4 < 0) return InspectOutcome.malformed;
      out.addV4(v4);
    } else if (type === QType.AAAA) {
      const at = ipv6OffsetAt(reply, msg, i);
      if (at < 0) return InspectOutcome.malformed;
      out.addV6(reply, at);
    }
  }
  return InspectOutcome.ok;
}

/**
 * From `start`, repeatedly finds the CNAME owned by the current name (or else a DNAME owned by one
 * of its ancestors) in the answer section, however the records are ordered.
 */
function followChain(reply: Uint8Array, msg: ParsedMessage, start: string, out: Inspection): InspectOutcome {
  const targets = out.targets;
  let current = start;
  for (;;) {
    const next = nextInChain(reply, msg, current);
    if (next === null) return InspectOutcome.malformed;
    if (next === undefined) break;
    if (next === start || targets.includes(next)) return InspectOutcome.chainLoop;
    if (targets.length === MAX_CHAIN) return InspectOutcome.chainTooLong;
    targets.push(next);
    current = next;
  }
  out.finalName = current;
  return InspectOutcome.ok;
}

/** The name `current` leads to; undefined at the end of the chain, null on an unreadable record. */
function nextInChain(reply: Uint8Array, msg: ParsedMessage, current: string): string | undefined | null {
  const owners = msg.owner;
  for (let i = 0; i < msg.answerCount; i++) {
    if (msg.type[i] === QType.CNAME && owners[i] === current) return rdataName(reply, msg, i) ?? null;
  }
  for (let i = 0; i < msg.answerCount; i++) {
    if (msg.type[i] !== DNAME) continue;
    const owner = owners[i]!;
    if (!isStrictlyBelow(current, owner)) continue;
    const target = rdataName(reply, msg, i);
    if (target === undefined) return null;
    // RFC 6672 2.2: replace the owner suffix with the target.
    const prefix = owner === '.' ? current : current.slice(0, current.length - owner.length - 1);
    const synthesised = target === '.' ? prefix : `${prefix}.${target}`;
    // Too long a result is YXDOMAIN at the server (RFC 6672 2.2); from upstream it is nonsense.
    return wireLength(synthesised) > MAX_NAME_WIRE ? null : synthesised;
  }
  return undefined;
}

const MAX_NAME_WIRE = 255;

/** Wire length of a presentation name: escapes (`\X`, `\DDD`) stand for one byte each. */
function wireLength(name: string): number {
  let bytes = 1;
  let label = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x2e) {
      bytes += label + 1;
      label = 0;
      continue;
    }
    if (c === 0x5c) i += name.charCodeAt(i + 1) >= 0x30 && name.charCodeAt(i + 1) <= 0x39 ? 3 : 1;
    label++;
  }
  return label > 0 ? bytes + label + 1 : bytes;
}

function isStrictlyBelow(name: string, ancestor: string): boolean {
  if (ancestor === '.') return name !== '.';
  const offset = name.length - ancestor.length;
  if (offset < 2 || name.charCodeAt(offset - 1) !== 0x2e || !name.endsWith(ancestor)) return false;
  let backslashes = 0;
  for (let i = offset - 2; i >= 0 && name.charCodeAt(i) === 0x5c; i--) backslashes++;
  return (backslashes & 1) === 0;
}
