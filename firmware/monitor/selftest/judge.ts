// Whether what the gateway answered is what the policy says it must answer. Pure: the planned
// check, the network's block-page address and the reply's bytes (or why there was none) in, the
// verdict out. The worst verdict is a fail-open: the policy blocks a name (or rewrites it, or
// answers a canary NXDOMAIN) and the device got the internet's answer instead.
import { encodeName } from '../../dns/wire/name-writer.ts';
import { FLAG_QR, FLAG_RD, HEADER_LENGTH, QClass, QType, Rcode } from '../../dns/wire/constants.ts';
import { ipv4At, ParsedMessage, rdataName, readMessage, Section } from '../../dns/wire/message-reader.ts';
import type { BlockAnswerMode, CheckResult, PlannedCheck } from './selftest-schema.ts';

/** A type-A question for `name` with message id `id`, recursion desired, as a device sends it. */
export function questionPacket(name: string, id: number): Uint8Array {
  const owner = encodeName(name);
  if (owner === undefined) throw new Error(`"${name}" is not a name that can be asked`);
  const packet = new Uint8Array(HEADER_LENGTH + owner.length + 4);
  packet[0] = id >>> 8;
  packet[1] = id & 0xff;
  packet[2] = FLAG_RD >>> 8;
  packet[5] = 1;
  packet.set(owner, HEADER_LENGTH);
  const at = HEADER_LENGTH + owner.length;
  packet[at + 1] = QType.A;
  packet[at + 3] = QClass.IN;
  return packet;
}

/** The parts of a reply a verdict rests on. */
export interface Reply {
  rcode: number;
  /** Every IPv4 address in the answer section, in order. */
  addresses: string[];
  /** The targets of the answer section's CNAME records, in order. */
  cnames: string[];
}

/** What a question to the gateway produced: a reply, or nothing (and why). */
export type Outcome = { reply: Reply } | { none: string };

/**
 * Reads a reply to the question `name` with id `id`; undefined when the bytes are not one (a
 * malformed message, another id or question, or a question rather than a response).
 */
export function readReply(bytes: Uint8Array, id: number, name: string): Reply | undefined {
  const msg = new ParsedMessage();
  if (!readMessage(bytes, msg) || msg.id !== id || (msg.flags & FLAG_QR) === 0) return undefined;
  if (!msg.hasQuestion || msg.qname !== name || msg.qtype !== QType.A) return undefined;
  const addresses: string[] = [];
  const cnames: string[] = [];
  for (let i = 0; i < msg.recordCount && msg.sectionOf(i) === Section.answer; i++) {
    const v4 = ipv4At(bytes, msg, i);
    if (v4 >= 0) addresses.push([v4 >>> 24, (v4 >>> 16) & 0xff, (v4 >>> 8) & 0xff, v4 & 0xff].join('.'));
    if (msg.type[i] === QType.CNAME) {
      const target = rdataName(bytes, msg, i);
      if (target !== undefined) cnames.push(target);
    }
  }
  return { rcode: msg.rcode, addresses, cnames };
}

const RCODE_NAMES: Readonly<Record<number, string>> = {
  [Rcode.NOERROR]: 'NOERROR', [Rcode.FORMERR]: 'FORMERR', [Rcode.SERVFAIL]: 'SERVFAIL', [Rcode.NXDOMAIN]: 'NXDOMAIN',
  [Rcode.NOTIMP]: 'NOTIMP', [Rcode.REFUSED]: 'REFUSED',
};

export interface JudgeContext {
  /** The network's block page, as the block answer carries it (`gateway.ipv4`), if it has one. */
  blockPage: string | undefined;
  /** How the network's policy answers a blocked name. */
  blockAnswer: BlockAnswerMode;
}

/** The reply in a technician's words. */
export function describeReply(reply: Reply, context: JudgeContext): string {
  const rcode = RCODE_NAMES[reply.rcode] ?? `rcode ${reply.rcode}`;
  if (reply.rcode !== Rcode.NOERROR) return rcode;
  const parts: string[] = [];
  if (reply.cnames.length > 0) parts.push(`CNAME ${reply.cnames.join(' -> ')}`);
  if (reply.addresses.length > 0) {
    parts.push(reply.addresses.map((a) => (a === context.blockPage ? `${a} (block page)` : a)).join(', '));
  }
  return parts.length > 0 ? parts.join(' -> ') : 'NOERROR, no address';
}

/** Whether `reply` is the block answer of `mode` on this network (what BlockAnswers writes). */
export function isBlockAnswer(reply: Reply, mode: BlockAnswerMode, context: Pick<JudgeContext, 'blockPage'>): boolean {
  if (mode === 'nxdomain') return reply.rcode === Rcode.NXDOMAIN && reply.addresses.length === 0;
  if (reply.rcode !== Rcode.NOERROR || reply.cnames.length > 0) return false;
  if (mode === 'null-address') return reply.addresses.length === 1 && reply.addresses[0] === '0.0.0.0';
  // Without an IPv4 address on the network the block page has no A record: an empty NOERROR.
  return context.blockPage === undefined ? reply.addresses.length === 0 : reply.addresses.length === 1 && reply.addresses[0] === context.blockPage;
}

/** An answer that came from the internet through the gateway: an address, an alias, or the internet's NXDOMAIN. */
function passedOn(reply: Reply): boolean {
  return reply.rcode === Rcode.NXDOMAIN || (reply.rcode === Rcode.NOERROR && (reply.addresses.length > 0 || reply.cnames.length > 0));
}

export function judge(check: PlannedCheck, outcome: Outcome, context: JudgeContext): CheckResult {
  if ('none' in outcome) return { ...check, got: outcome.none, pass: false, failOpen: false };
  const reply = outcome.reply;
  const got = describeReply(reply, context);
  const result = (pass: boolean, failOpen = false, note = ''): CheckResult => ({ ...check, got: note ? `${got} (${note})` : got, pass, failOpen });
  switch (check.expected) {
    case 'blocked': {
      if (isBlockAnswer(reply, check.blockAnswer ?? context.blockAnswer, context)) return result(true);
      // SERVFAIL or REFUSED keep the device away too: a failure to look into, not a fail-open.
      return passedOn(reply) ? result(false, true, 'should be blocked') : result(false);
    }
    case 'canary': {
      if (reply.rcode === Rcode.NXDOMAIN && reply.addresses.length === 0) return result(true);
      return reply.rcode === Rcode.NOERROR && reply.addresses.length > 0 ? result(false, true, 'must be NXDOMAIN') : result(false);
    }
    case 'rewritten': {
      if (reply.rcode === Rcode.NOERROR && reply.cnames[0] === check.rewrite && reply.addresses.length > 0) return result(true);
      if (reply.rcode === Rcode.NOERROR && reply.cnames[0] !== check.rewrite && reply.addresses.length > 0) return result(false, true, `should be ${check.rewrite}`);
      return result(false);
    }
    case 'allowed':
    case 'local': {
      // Under a policy whose block answer is NXDOMAIN a block and the internet's NXDOMAIN look
      // alike, so only the block page (the shipped policies' answer) or 0.0.0.0 can be told apart.
      if (context.blockAnswer !== 'nxdomain' && isBlockAnswer(reply, context.blockAnswer, context)) return result(false, false, 'blocked, but the policy allows it');
      return passedOn(reply) ? result(true) : result(false);
    }
  }
}
