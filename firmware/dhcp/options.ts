// DHCP option codes (RFC 2132, 3046, 8910) and the reading and writing of the options field:
// TLVs with pad and end, repeated codes concatenated (RFC 3396), never a read past the buffer.

export const OPT = {
  PAD: 0,
  SUBNET_MASK: 1,
  ROUTER: 3,
  DNS: 6,
  HOSTNAME: 12,
  DOMAIN_NAME: 15,
  BROADCAST: 28,
  REQUESTED_ADDRESS: 50,
  LEASE_TIME: 51,
  OVERLOAD: 52,
  MESSAGE_TYPE: 53,
  SERVER_ID: 54,
  PARAMETER_LIST: 55,
  MESSAGE: 56,
  MAX_MESSAGE_SIZE: 57,
  RENEWAL_TIME: 58,
  REBINDING_TIME: 59,
  VENDOR_CLASS: 60,
  CLIENT_ID: 61,
  RELAY_AGENT_INFO: 82,
  CAPTIVE_PORTAL: 114,
  END: 255,
} as const;

export const MESSAGE_TYPE = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
} as const;

export const MESSAGE_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'DISCOVER', 2: 'OFFER', 3: 'REQUEST', 4: 'DECLINE', 5: 'ACK', 6: 'NAK', 7: 'RELEASE', 8: 'INFORM',
};

/**
 * Reads the TLVs in bytes[start, end) into `into`, concatenating a code seen twice (RFC 3396).
 * Returns false when an option runs past the end; a missing END is tolerated (many clients pad
 * to the end of the field instead).
 */
export function readOptions(bytes: Uint8Array, start: number, end: number, into: Map<number, Uint8Array>): boolean {
  let at = start;
  while (at < end) {
    const code = bytes[at]!;
    if (code === OPT.PAD) { at++; continue; }
    if (code === OPT.END) return true;
    if (at + 1 >= end) return false;
    const length = bytes[at + 1]!;
    const from = at + 2;
    if (from + length > end) return false;
    const value = bytes.subarray(from, from + length);
    const earlier = into.get(code);
    if (earlier === undefined) into.set(code, value);
    else {
      const joined = new Uint8Array(earlier.length + value.length);
      joined.set(earlier);
      joined.set(value, earlier.length);
      into.set(code, joined);
    }
    at = from + length;
  }
  return true;
}

/** Writes options in order (long values split into 255-byte pieces, RFC 3396) and END; returns the end offset. */
export function writeOptions(out: Uint8Array, start: number, options: readonly (readonly [number, Uint8Array])[]): number {
  let at = start;
  for (const [code, value] of options) {
    let offset = 0;
    do {
      const piece = Math.min(255, value.length - offset);
      out[at++] = code;
      out[at++] = piece;
      out.set(value.subarray(offset, offset + piece), at);
      at += piece;
      offset += piece;
    } while (offset < value.length);
  }
  out[at++] = OPT.END;
  return at;
}

/** The encoded size of the options as writeOptions writes them, END included. */
export function optionsLength(options: readonly (readonly [number, Uint8Array])[]): number {
  let total = 1;
  for (const [, value] of options) total += value.length + 2 * Math.max(1, Math.ceil(value.length / 255));
  return total;
}

export function u32(value: number): Uint8Array {
  return Uint8Array.of(value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255);
}

export function readU32(bytes: Uint8Array, at = 0): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

const encoder = new TextEncoder();

export function text(value: string): Uint8Array {
  return encoder.encode(value);
}

export function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/**
 * Client-sent text (hostname, vendor class) as something safe to store and print: printable
 * ASCII only, at most 255 characters. Clients send NULs, UTF-8 and terminal escapes.
 */
export function printable(bytes: Uint8Array | undefined): string {
  if (bytes === undefined) return '';
  let out = '';
  for (const b of bytes) {
    if (b === 0) break;
    out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '?';
  }
  return out.trim().slice(0, 255);
}
