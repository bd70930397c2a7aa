// An upstream as the forwarder holds it: its address parsed once (to recognise where answers come
// from), the slots of its socket pool, and its health.
import { parseAddress } from '../../clients/ip.ts';
import type { UpstreamTarget } from './forwarder.ts';
import { UpstreamHealth, type HealthSettings } from './health.ts';
import type { PoolSocket } from './pool.ts';

export class Target implements UpstreamTarget {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
  readonly value: bigint;
  /** Socket slots; undefined until first used, or after the socket in it was retired. */
  readonly slots: (PoolSocket | undefined)[];
  readonly health: UpstreamHealth;

  constructor(name: string, address: string, port: number, family: 4 | 6, value: bigint, poolSize: number, health: HealthSettings) {
    this.name = name;
    this.address = address;
    this.port = port;
    this.family = family;
    this.value = value;
    this.slots = new Array<PoolSocket | undefined>(poolSize).fill(undefined);
    this.health = new UpstreamHealth(name, family === 6 ? `[${address}]:${port}` : `${address}:${port}`, health);
  }
}

/** `u` as a Target; throws when its address is not an IP address. */
export function targetFor(u: UpstreamTarget, poolSize: number, health: HealthSettings): Target {
  const parsed = parseAddress(u.address.split('%')[0]!);
  if (!parsed) throw new Error(`upstream ${u.name}: "${u.address}" is not an IP address`);
  // Connect in the address's own family; a mapped ::ffff:a.b.c.d upstream is just IPv4.
  const address = parsed.family === 4 && u.address.includes(':') ? u.address.slice(u.address.lastIndexOf(':') + 1) : u.address;
  return new Target(u.name, address, u.port, parsed.family, parsed.value, poolSize, health);
}

/** The answer's source is the target's address written another way (an IPv4-mapped IPv6 one, say). */
export function sameAddress(text: string, target: Target): boolean {
  const parsed = parseAddress(text.split('%')[0]!);
  return parsed !== undefined && parsed.family === target.family && parsed.value === target.value;
}
