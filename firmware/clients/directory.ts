// Who is asking: a source address to the school network it belongs to. Every DNS question goes
// through here, so IPv4 (nearly all clients) is matched on plain numbers without BigInt or splits.
// A source on no enabled network is unknown, and unknown sources are refused: never an open resolver.
// An IPv4 address some device holds a lease on also names that device (lease-devices.ts), so the
// query log records it and the policy applies its device group; a guest signed in with a voucher
// that names a policy carries that policy too (LeaseDevices.applyPolicy, fed by the voucher service).
import type { Network } from '../config/schema.ts';
import { parseAddress, parsePrefix } from './ip.ts';
import type { ClientInfo, LeaseDevices } from './lease-devices.ts';

export type { ClientDevice, ClientInfo, PolicyChange } from './lease-devices.ts';

interface V6Entry {
  network: bigint;
  mask: bigint;
  info: ClientInfo;
}

const ALL128 = (1n << 128n) - 1n;

export class ClientDirectory {
  readonly networks: readonly Network[];
  /** Subnets that could not be parsed (config validation reports them; here they match nothing). */
  readonly skippedSubnets: readonly string[];
  readonly #v4Network: Uint32Array;
  readonly #v4Mask: Uint32Array;
  readonly #v4Info: ClientInfo[];
  readonly #v6: V6Entry[];
  readonly #devices: LeaseDevices | undefined;

  /** `devices` outlives the directory: a configuration reload builds a new directory over the same leases. */
  constructor(networks: readonly Network[], devices?: LeaseDevices) {
    this.#devices = devices;
    const enabled = networks.filter((n) => n.enabled !== false);
    this.networks = enabled;
    const v4: { network: number; length: number; info: ClientInfo }[] = [];
    const v6: (V6Entry & { length: number })[] = [];
    const skipped: string[] = [];
    for (const network of enabled) {
      // One shared result object per network: the lookup allocates nothing.
      const info: ClientInfo = Object.freeze({ network });
      for (const subnet of network.subnets) {
        const prefix = parsePrefix(subnet);
        if ('error' in prefix) {
          skipped.push(subnet);
          continue;
        }
        if (prefix.family === 4) {
          v4.push({ network: Number(prefix.network), length: prefix.length, info });
        } else {
          const mask = ALL128 ^ ((1n << BigInt(128 - prefix.length)) - 1n);
          v6.push({ network: prefix.network, mask, length: prefix.length, info });
        }
      }
    }
    // Longest prefix first, so a more specific subnet wins if networks were ever nested.
    v4.sort((a, b) => b.length - a.length);
    v6.sort((a, b) => b.length - a.length);
    this.#v4Network = Uint32Array.from(v4, (e) => e.network);
    this.#v4Mask = Uint32Array.from(v4, (e) => (e.length === 0 ? 0 : (0xffffffff << (32 - e.length)) >>> 0));
    this.#v4Info = v4.map((e) => e.info);
    this.#v6 = v6.map(({ network, mask, info }) => ({ network, mask, info }));
    this.skippedSubnets = skipped;
  }

  /** The client behind a socket's source address (IPv4, IPv6, or IPv4-mapped IPv6 text). */
  lookup(address: string): ClientInfo | undefined {
    const v4 = dottedQuad(address, 0);
    if (v4 >= 0) return this.lookupIPv4(v4);
    if (address.length > 7 && address.charCodeAt(0) === 0x3a && /^::ffff:/i.test(address)) {
      const mapped = dottedQuad(address, 7);
      if (mapped >= 0) return this.lookupIPv4(mapped);
    }
    const parsed = parseAddress(address);
    if (!parsed) return undefined;
    if (parsed.family === 4) return this.lookupIPv4(Number(parsed.value));
    for (const e of this.#v6) if ((parsed.value & e.mask) === e.network) return e.info;
    return undefined;
  }

  lookupIPv4(value: number): ClientInfo | undefined {
    const nets = this.#v4Network;
    const masks = this.#v4Mask;
    for (let i = 0; i < nets.length; i++) {
      if (((value & masks[i]!) >>> 0) === nets[i]) {
        const info = this.#v4Info[i]!;
        // A lease only names a device inside a school network: a stale lease for an address
        // outside every enabled subnet must not let that source in.
        return this.#devices?.info(value, info.network) ?? info;
      }
    }
    return undefined;
  }
}

/** Strict a.b.c.d from `start` to the end of `text` (no leading zeros), as an unsigned number; -1 if not. */
function dottedQuad(text: string, start: number): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && part === 0) return -1;
      part = part * 10 + (c - 0x30);
      if (part > 255 || ++digits > 3) return -1;
    } else if (c === 0x2e) {
      if (digits === 0 || parts === 3) return -1;
      value = value * 256 + part;
      parts++;
      part = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (digits === 0 || parts !== 3) return -1;
  return value * 256 + part;
}
