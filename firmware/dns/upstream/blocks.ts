// Recognising the school's filtering resolver blocking a name. Where the school forwards to an
// IWF-member provider (the IWF list is URL-level and licensed, so a DNS gateway cannot apply it
// itself), the provider's answer is what the device gets; Schoolgate records it as "blocked
// upstream" so it reaches the review like its own blocks. Two signs: an address that is one of the
// provider's block pages, or an Extended DNS Error (RFC 8914) saying Blocked, Censored or Filtered.
import { parseAddress } from '../../clients/ip.ts';
import type { Inspection } from '../answers/inspection.ts';
import type { ParsedMessage } from '../wire/message-reader.ts';

/** RFC 8914 option code, and the INFO-CODEs that mean a policy decided, not a failure. */
const OPTION_EDE = 15;
const EDE_BLOCKED = 15;
const EDE_CENSORED = 16;
const EDE_FILTERED = 17;

export interface UpstreamBlockOptions {
  addresses: readonly string[];
  extendedErrors: boolean;
}

export class UpstreamBlocks {
  readonly #v4 = new Set<number>();
  readonly #v6 = new Set<string>();
  readonly #extendedErrors: boolean;

  constructor(options: UpstreamBlockOptions) {
    this.#extendedErrors = options.extendedErrors;
    for (const text of options.addresses) {
      const parsed = parseAddress(text);
      if (!parsed) continue;
      if (parsed.family === 4) this.#v4.add(Number(parsed.value));
      else this.#v6.add(parsed.value.toString(16).padStart(32, '0'));
    }
  }

  get active(): boolean {
    return this.#extendedErrors || this.#v4.size > 0 || this.#v6.size > 0;
  }

  /** The Extended DNS Error code that marks a block, or the block-page address seen, or undefined. */
  blockedBy(reply: Uint8Array, inspection: Inspection): string | undefined {
    if (this.#extendedErrors) {
      const code = extendedError(reply, inspection.message);
      if (code === EDE_BLOCKED || code === EDE_CENSORED || code === EDE_FILTERED) return `ede-${code}`;
    }
    if (this.#v4.size === 0 && this.#v6.size === 0) return undefined;
    const bytes = inspection.addressBytes;
    for (let i = 0; i < inspection.addressCount; i++) {
      const at = i * 16;
      if (inspection.addressFamily[i] === 4) {
        const v = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
        if (this.#v4.has(v)) return 'block-page';
      } else if (this.#v6.size > 0) {
        let hex = '';
        for (let b = 0; b < 16; b++) hex += bytes[at + b]!.toString(16).padStart(2, '0');
        if (this.#v6.has(hex)) return 'block-page';
      }
    }
    return undefined;
  }
}

/** The first EDE INFO-CODE in the reply's OPT record, or -1. Bounds-checked; never throws. */
export function extendedError(reply: Uint8Array, msg: ParsedMessage): number {
  const i = msg.optIndex;
  if (i < 0) return -1;
  let pos = msg.rdataOffset[i]!;
  const end = pos + msg.rdataLength[i]!;
  if (end > reply.length) return -1;
  while (pos + 4 <= end) {
    const code = (reply[pos]! << 8) | reply[pos + 1]!;
    const length = (reply[pos + 2]! << 8) | reply[pos + 3]!;
    pos += 4;
    if (pos + length > end) return -1;
    if (code === OPTION_EDE && length >= 2) return (reply[pos]! << 8) | reply[pos + 1]!;
    pos += length;
  }
  return -1;
}
