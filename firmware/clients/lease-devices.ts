// Which device holds which IPv4 address, as the DHCP leases say: the client directory asks it on
// every DNS question, so the key is the address as a number and a lookup allocates nothing. The
// result object for a (network, device) pair is made once and reused until either changes.
// Loaded by DNS worker threads: plain data only (no TypeBox).
import type { Network } from '../config/schema.ts';

export interface ClientDevice {
  /** The device's MAC address, lower case with colons: the id the query log records. */
  readonly id: string;
  /** Its device group in the configuration, if it has one (the policy uses it). */
  readonly group?: string;
}

export interface ClientInfo {
  readonly network: Network;
  readonly device?: ClientDevice;
  /** The policy of the voucher this guest device signed in with, replacing its network's while the authorisation lasts. */
  readonly policy?: string;
}

/**
 * One change to the map, as plain data so it can cross to a worker thread:
 * [address, mac, group or null] sets an address, [address] clears it.
 */
export type DeviceChange = readonly [address: number, mac?: string, group?: string | null];

/**
 * A voucher's policy for the device signed in at an address (the voucher service sets it with
 * the authorisation and clears it when that ends), as plain data for the worker threads:
 * [address, mac, policy] sets, [address] clears.
 */
export type PolicyChange = readonly [address: number, mac?: string, policy?: string];

interface Entry {
  device: ClientDevice;
  /** The last network this entry was looked up for, and the result made for it. */
  network: Network | undefined;
  info: ClientInfo | undefined;
}

export class LeaseDevices {
  readonly #byAddress = new Map<number, Entry>();
  /** Every address a MAC holds (a device can hold a lease on more than one network). */
  readonly #byMac = new Map<string, Set<number>>();
  /**
   * Voucher policies by address, kept apart from the lease entries: a lease renewed (set()) or
   * lapsed and taken again keeps the override, and the MAC check keeps it off another device
   * that is given the address.
   */
  readonly #policies = new Map<number, { mac: string; policy: string }>();

  get size(): number {
    return this.#byAddress.size;
  }

  /** The device holding `address`, or undefined. */
  device(address: number): ClientDevice | undefined {
    return this.#byAddress.get(address)?.device;
  }

  /**
   * The directory's answer for `address` on `network`: a frozen object reused across lookups
   * (a new one only after the device or the network object changes, i.e. a lease or a reload).
   */
  info(address: number, network: Network): ClientInfo | undefined {
    const entry = this.#byAddress.get(address);
    if (entry === undefined) return undefined;
    if (entry.network !== network || entry.info === undefined) {
      entry.network = network;
      // Looked up only here, when the cached answer is made: a question pays nothing for overrides.
      const override = this.#policies.get(address);
      entry.info = Object.freeze(override !== undefined && override.mac === entry.device.id
        ? { network, device: entry.device, policy: override.policy }
        : { network, device: entry.device });
    }
    return entry.info;
  }

  set(address: number, mac: string, group?: string | null): void {
    const previous = this.#byAddress.get(address);
    if (previous !== undefined && previous.device.id !== mac) this.#unindex(address, previous.device.id);
    const device: ClientDevice = Object.freeze(group ? { id: mac, group } : { id: mac });
    this.#byAddress.set(address, { device, network: undefined, info: undefined });
    let addresses = this.#byMac.get(mac);
    if (addresses === undefined) this.#byMac.set(mac, (addresses = new Set()));
    addresses.add(address);
  }

  delete(address: number): void {
    const entry = this.#byAddress.get(address);
    if (entry === undefined) return;
    this.#byAddress.delete(address);
    this.#unindex(address, entry.device.id);
  }

  /** Sets (`[address, mac, policy]`) or clears (`[address]`) a voucher's policy for the device at an address. */
  applyPolicy(change: PolicyChange): void {
    const [address, mac, policy] = change;
    if (mac === undefined || policy === undefined) this.#policies.delete(address);
    else this.#policies.set(address, { mac, policy });
    const entry = this.#byAddress.get(address);
    if (entry !== undefined) entry.info = undefined;
  }

  /** Every voucher policy in force, as changes (a new worker thread's start). */
  policySnapshot(): PolicyChange[] {
    return [...this.#policies].map(([address, o]) => [address, o.mac, o.policy] as const);
  }

  /** A device's group changed (`schoolgate devices group`): every address it holds follows. Returns the changes made. */
  regroup(mac: string, group: string | null): DeviceChange[] {
    const changes: DeviceChange[] = [];
    for (const address of this.#byMac.get(mac) ?? []) {
      this.set(address, mac, group);
      changes.push([address, mac, group]);
    }
    return changes;
  }

  apply(change: DeviceChange): void {
    const [address, mac, group] = change;
    if (mac === undefined) this.delete(address);
    else this.set(address, mac, group);
  }

  /** Everything, as changes that rebuild the map from empty (a new worker thread's start). */
  snapshot(): DeviceChange[] {
    const out: DeviceChange[] = [];
    for (const [address, entry] of this.#byAddress) out.push([address, entry.device.id, entry.device.group ?? null]);
    return out;
  }

  #unindex(address: number, mac: string): void {
    const addresses = this.#byMac.get(mac);
    if (addresses === undefined) return;
    addresses.delete(address);
    if (addresses.size === 0) this.#byMac.delete(mac);
  }
}
