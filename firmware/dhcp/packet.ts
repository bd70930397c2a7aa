// The BOOTP/DHCP message (RFC 2131 section 2): parsed with every bound checked, so a hostile or
// broken packet gives a reason (counted by the caller) and never an exception; replies serialised.
import { normaliseMac } from '../state/mac.ts';
import { hex, OPT, optionsLength, printable, readOptions, readU32, writeOptions } from './options.ts';

export const BOOTREQUEST = 1;
export const BOOTREPLY = 2;
export const BROADCAST_FLAG = 0x8000;
const MAGIC_COOKIE = 0x63825363;
const FIXED = 236;
const OPTIONS_START = FIXED + 4;
/** BOOTP's minimum message (RFC 1542 2.1): some relays and old clients drop anything shorter. */
const MIN_REPLY = 300;
/** What every client must accept (RFC 2131 2); a client may raise it with option 57. */
export const DEFAULT_MAX_MESSAGE = 576;
const IP_UDP_HEADERS = 28;

export type MalformedReason =
  | 'short'
  | 'not-a-request'
  | 'no-magic-cookie'
  | 'option-overrun'
  | 'no-message-type'
  | 'bad-message-type'
  | 'bad-option-length'
  | 'bad-hardware-address';

export interface DhcpMessage {
  op: number;
  htype: number;
  hlen: number;
  hops: number;
  xid: number;
  secs: number;
  flags: number;
  ciaddr: number;
  yiaddr: number;
  siaddr: number;
  giaddr: number;
  /** The 16 bytes as received (echoed in replies). */
  chaddr: Uint8Array;
  /** chaddr as a MAC address (Ethernet, 6 bytes, a unicast address). */
  mac: string;
  messageType: number;
  options: ReadonlyMap<number, Uint8Array>;
  requestedAddress: number | null;
  serverId: number | null;
  /** Option 61, or null. */
  clientId: Uint8Array | null;
  /** The identity leases are keyed by: option 61 when sent, else the MAC (RFC 2131 4.2). */
  clientKey: string;
  hostname: string;
  vendorClass: string;
  parameterList: readonly number[];
  /** Option 82 exactly as the relay sent it, to echo (RFC 3046 2.2). */
  relayInfo: Uint8Array | null;
  /** The largest reply the client accepts, UDP payload (option 57 minus IP and UDP headers). */
  maxReply: number;
}

export type ParseResult = { ok: true; message: DhcpMessage } | { ok: false; reason: MalformedReason };

const fail = (reason: MalformedReason): ParseResult => ({ ok: false, reason });

/** Parses a client's (or relay's) request. Never throws. */
export function parseRequest(bytes: Uint8Array): ParseResult {
  if (bytes.length < OPTIONS_START) return fail('short');
  if (bytes[0] !== BOOTREQUEST) return fail('not-a-request');
  if (readU32(bytes, FIXED) !== MAGIC_COOKIE) return fail('no-magic-cookie');
  const options = new Map<number, Uint8Array>();
  if (!readOptions(bytes, OPTIONS_START, bytes.length, options)) return fail('option-overrun');
  // Option 52: the sname and file fields carry more options (file first, RFC 2131 4.1).
  const overload = options.get(OPT.OVERLOAD);
  if (overload !== undefined) {
    if (overload.length !== 1 || overload[0]! < 1 || overload[0]! > 3) return fail('bad-option-length');
    if ((overload[0]! & 1) && !readOptions(bytes, 108, 236, options)) return fail('option-overrun');
    if ((overload[0]! & 2) && !readOptions(bytes, 44, 108, options)) return fail('option-overrun');
  }
  const type = options.get(OPT.MESSAGE_TYPE);
  if (type === undefined) return fail('no-message-type');
  if (type.length !== 1) return fail('bad-option-length');
  if (type[0]! < 1 || type[0]! > 8) return fail('bad-message-type');
  const htype = bytes[1]!;
  const hlen = bytes[2]!;
  if (htype !== 1 || hlen !== 6) return fail('bad-hardware-address');
  const chaddr = bytes.slice(28, 44);
  let mac: string;
  try {
    mac = normaliseMac(hex(chaddr.subarray(0, 6)));
  } catch {
    return fail('bad-hardware-address');
  }
  const address = (code: number): number | null | false => {
    const v = options.get(code);
    if (v === undefined) return null;
    return v.length === 4 ? readU32(v) : false;
  };
  const requestedAddress = address(OPT.REQUESTED_ADDRESS);
  const serverId = address(OPT.SERVER_ID);
  if (requestedAddress === false || serverId === false) return fail('bad-option-length');
  const clientId = options.get(OPT.CLIENT_ID) ?? null;
  // RFC 2132 9.14: at least two bytes (a type and a value).
  if (clientId !== null && (clientId.length < 2 || clientId.length > 255)) return fail('bad-option-length');
  const maxSize = options.get(OPT.MAX_MESSAGE_SIZE);
  let maxReply = DEFAULT_MAX_MESSAGE - IP_UDP_HEADERS;
  if (maxSize !== undefined) {
    if (maxSize.length !== 2) return fail('bad-option-length');
    const declared = (maxSize[0]! << 8) | maxSize[1]!;
    // Below 576 is not allowed (RFC 2132 9.10): ignore it rather than shrink our replies.
    if (declared > DEFAULT_MAX_MESSAGE) maxReply = Math.min(declared, 1500) - IP_UDP_HEADERS;
  }
  return {
    ok: true,
    message: {
      op: BOOTREQUEST,
      htype,
      hlen,
      hops: bytes[3]!,
      xid: readU32(bytes, 4),
      secs: (bytes[8]! << 8) | bytes[9]!,
      flags: (bytes[10]! << 8) | bytes[11]!,
      ciaddr: readU32(bytes, 12),
      yiaddr: readU32(bytes, 16),
      siaddr: readU32(bytes, 20),
      giaddr: readU32(bytes, 24),
      chaddr,
      mac,
      messageType: type[0]!,
      options,
      requestedAddress,
      serverId,
      clientId: clientId === null ? null : clientId.slice(),
      clientKey: clientId === null ? `mac:${mac}` : `id:${hex(clientId)}`,
      hostname: printable(options.get(OPT.HOSTNAME)),
      vendorClass: printable(options.get(OPT.VENDOR_CLASS)),
      parameterList: [...(options.get(OPT.PARAMETER_LIST) ?? [])],
      relayInfo: options.get(OPT.RELAY_AGENT_INFO)?.slice() ?? null,
      maxReply,
    },
  };
}

export interface ReplyFields {
  xid: number;
  flags: number;
  ciaddr: number;
  yiaddr: number;
  siaddr: number;
  giaddr: number;
  chaddr: Uint8Array;
  hops?: number;
  /** In the order to write them; the message type first, as clients expect. */
  options: readonly (readonly [number, Uint8Array])[];
}

/** Serialises a BOOTREPLY. The caller keeps the options within the client's maximum size. */
export function encodeReply(reply: ReplyFields): Uint8Array {
  const size = Math.max(MIN_REPLY, OPTIONS_START + optionsLength(reply.options));
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out[0] = BOOTREPLY;
  out[1] = 1;
  out[2] = 6;
  out[3] = reply.hops ?? 0;
  view.setUint32(4, reply.xid);
  view.setUint16(10, reply.flags & BROADCAST_FLAG);
  view.setUint32(12, reply.ciaddr);
  view.setUint32(16, reply.yiaddr);
  view.setUint32(20, reply.siaddr);
  view.setUint32(24, reply.giaddr);
  out.set(reply.chaddr.subarray(0, 16), 28);
  view.setUint32(FIXED, MAGIC_COOKIE);
  writeOptions(out, OPTIONS_START, reply.options);
  return out;
}

/** The options field's room in a reply for a client accepting `maxReply` bytes of UDP payload. */
export function optionsRoom(maxReply: number): number {
  return maxReply - OPTIONS_START;
}

/** Reads a reply (ours in tests, another server's in the rogue watch). Never throws. */
export interface ParsedReply {
  messageType: number;
  xid: number;
  yiaddr: number;
  giaddr: number;
  chaddr: Uint8Array;
  serverId: number | null;
  options: ReadonlyMap<number, Uint8Array>;
}

export function parseReply(bytes: Uint8Array): ParsedReply | undefined {
  if (bytes.length < OPTIONS_START || bytes[0] !== BOOTREPLY || readU32(bytes, FIXED) !== MAGIC_COOKIE) return undefined;
  const options = new Map<number, Uint8Array>();
  if (!readOptions(bytes, OPTIONS_START, bytes.length, options)) return undefined;
  const type = options.get(OPT.MESSAGE_TYPE);
  if (type?.length !== 1) return undefined;
  const server = options.get(OPT.SERVER_ID);
  return {
    messageType: type[0]!,
    xid: readU32(bytes, 4),
    yiaddr: readU32(bytes, 16),
    giaddr: readU32(bytes, 24),
    chaddr: bytes.slice(28, 44),
    serverId: server?.length === 4 ? readU32(server) : null,
    options,
  };
}
