// What the kernel should shape, as data: the configuration's caps and the devices holding
// addresses now → an HTB tree per interface and the upload classification. Pure; render.ts
// turns a plan into tc and nft text, and the difference of two plans into the few commands a
// live change needs.
//
// The tree, on each shaped interface (the same on the uplink for upload):
//   1:  htb, default 0: traffic nothing classifies (an uncapped network) leaves unshaped
//   ├─ 1:1x  a network's cap (download on its interface, upload on the uplink)
//   │   ├─ 1:4x     everyone on that network without a cap of their own (the default)
//   │   └─ 1:1xxx   a capped device
//   └─ 1:1xxx  a capped device on a network without a cap
// A device's class has a small guaranteed rate and its cap as ceil, borrowing the rest from its
// network: HTB lets a class under its own rate send whatever its parent does, so guarantees
// summing past the network's cap would break that cap.
import type { DeviceGroup, Network, Policy } from '../../config/schema.ts';
import { formatIPv4, parseIPv4Subnet, subnetContains } from '../../dhcp/ipv4.ts';
import { isV6 } from '../nft-text.ts';
import { mbitToKbit } from './rates.ts';

/** cake: the kernel has it (a Pi's does); htb: HTB's own leaves (pfifo), as on these kernels. */
export type ShapingEngine = 'htb' | 'cake';

/** Device slots 1..MAX_SLOTS name a device's class (1:1001…1:1fff) and its u32 filter's node (1:<bucket>:001…fff, 12 bits). */
export const MAX_SLOTS = 0xfff;
const NETWORK_FILTERS = 0xf00;

export interface ShapingInput {
  networks: readonly Network[];
  policies: readonly Policy[];
  deviceGroups: readonly DeviceGroup[];
  wanInterface: string;
  engine: ShapingEngine;
}

/** A device holding an address now, with its own caps from state.db. */
export interface LiveDevice {
  /** IPv4, as a number (what DHCP hands out). */
  address: number;
  mac: string;
  groupId: string | null;
  capDownKbit: number | null;
  capUpKbit: number | null;
}

export interface Cap {
  kbit: number;
  /** Where it comes from: "device" (its own) or "policy <id>". */
  source: string;
}

export interface HtbClass {
  classid: string;
  parent: string;
  rateKbit: number;
  ceilKbit: number;
  /** The leaf qdisc's tc arguments, when not HTB's own pfifo. */
  leaf?: string;
}

/**
 * A u32 filter with a fixed handle, so one can be deleted alone. A device's is in the hash table
 * 1: (256 buckets by the address's last byte: a packet is compared with the few devices of its
 * bucket, not every capped device), which the root table's first filter (800::1) links to; a
 * network's subnets follow in the root table (800::f00…), tried when no device matched.
 */
export interface U32Filter {
  handle: string;
  /** The table (and bucket) it is in, e.g. 1:a: (a device) or 800:: (a network). */
  ht: string;
  dst: string;
  flowid: string;
}

export interface InterfacePlan {
  dev: string;
  /** The network classes and their defaults: when these change the interface is rebuilt. */
  skeleton: HtbClass[];
  /** Download: classified by u32 on the destination (the hash table, the link, the networks' subnets). False on the uplink. */
  download: boolean;
  /** Download only: each capped network's subnets → its default class. */
  networkFilters: U32Filter[];
  /** One class per capped device, keyed by its address. */
  devices: Map<string, { cls: HtbClass; filter?: U32Filter }>;
}

export interface CappedDevice {
  address: string;
  mac: string;
  networkId: string;
  slot: number;
  down?: Cap;
  up?: Cap;
}

export interface ShapingPlan {
  engine: ShapingEngine;
  wan: string;
  /** Only interfaces something is capped on; Schoolgate's qdisc is removed from the others. */
  interfaces: InterfacePlan[];
  /** Upload classification on the uplink: each capped network's sources → its default class. */
  uploadNetworks: Array<{ networkId: string; subnets: string[]; classid: string }>;
  /** Upload classification: a capped device's address → its class (the nft map). */
  uploadDevices: Map<string, string>;
  devices: CappedDevice[];
  /** Every interface Schoolgate may shape: the enabled networks' and the uplink. */
  candidates: string[];
}

const hex = (n: number): string => n.toString(16);
const networkClass = (index: number): string => `1:${hex(0x10 + index)}`;
const networkDefault = (index: number): string => `1:${hex(0x40 + index)}`;
export const deviceClass = (slot: number): string => `1:${hex(0x1000 + slot)}`;
/** The hash bucket of an address: its last byte, as the link filter's `hashkey mask 0x000000ff at 16` picks it. */
const bucketOf = (address: string): string => hex(Number(address.split('.')[3]));
export const deviceFilter = (slot: number, address: string, flowid: string): U32Filter =>
  ({ handle: `1:${bucketOf(address)}:${hex(slot)}`, ht: `1:${bucketOf(address)}:`, dst: `${address}/32`, flowid });

/**
 * The rate a class is guaranteed under a parent of `parentKbit`: a hundredth of it (at least
 * 64 kbit/s), never more than its own ceil. A hundred busy devices then fill the network's cap
 * from guarantees alone; past that, the parent's ceil still bounds what they borrow.
 */
function floorRate(parentKbit: number, ceilKbit: number): number {
  return Math.min(ceilKbit, Math.max(64, Math.floor(parentKbit / 100)));
}

function policyCaps(policy: Policy | undefined): { networkDown?: number; networkUp?: number; deviceDown?: number; deviceUp?: number } {
  const b = policy?.bandwidth;
  if (!b) return {};
  return {
    ...(b.networkDownMbit !== undefined ? { networkDown: mbitToKbit(b.networkDownMbit) } : {}),
    ...(b.networkUpMbit !== undefined ? { networkUp: mbitToKbit(b.networkUpMbit) } : {}),
    ...(b.deviceDownMbit !== undefined ? { deviceDown: mbitToKbit(b.deviceDownMbit) } : {}),
    ...(b.deviceUpMbit !== undefined ? { deviceUp: mbitToKbit(b.deviceUpMbit) } : {}),
  };
}

/** Each enabled network's caps from its policy (kbit/s; null: none), for `net show`. */
export function networkCaps(input: Pick<ShapingInput, 'networks' | 'policies'>): Array<{ network: string; policy: string; downKbit: number | null; upKbit: number | null; deviceDownKbit: number | null; deviceUpKbit: number | null }> {
  return input.networks.filter((n) => n.enabled).map((n) => {
    const caps = policyCaps(input.policies.find((p) => p.id === n.policy));
    return {
      network: n.id, policy: n.policy,
      downKbit: caps.networkDown ?? null, upKbit: caps.networkUp ?? null,
      deviceDownKbit: caps.deviceDown ?? null, deviceUpKbit: caps.deviceUp ?? null,
    };
  });
}

/** The enabled network whose IPv4 subnets hold this address, with its index in the configuration. */
export function networkOf(networks: readonly Network[], address: number): { network: Network; index: number } | undefined {
  for (const [index, network] of networks.entries()) {
    if (!network.enabled) continue;
    for (const text of network.subnets) {
      const subnet = isV6(text) ? undefined : parseIPv4Subnet(text);
      if (subnet && subnetContains(subnet, address)) return { network, index };
    }
  }
  return undefined;
}

/** A device's caps: its own first, then its device group's policy, then its network's. */
export function deviceCaps(input: Pick<ShapingInput, 'policies' | 'deviceGroups'>, network: Network, device: LiveDevice): { down?: Cap; up?: Cap } {
  const groupPolicy = device.groupId === null ? undefined : input.deviceGroups.find((g) => g.id === device.groupId)?.policy;
  const policyId = groupPolicy ?? network.policy;
  const policy = policyCaps(input.policies.find((p) => p.id === policyId));
  const pick = (own: number | null, fromPolicy: number | undefined): Cap | undefined =>
    own !== null ? { kbit: own, source: 'device' } : fromPolicy !== undefined ? { kbit: fromPolicy, source: `policy ${policyId}` } : undefined;
  const down = pick(device.capDownKbit, policy.deviceDown);
  const up = pick(device.capUpKbit, policy.deviceUp);
  return { ...(down ? { down } : {}), ...(up ? { up } : {}) };
}

/**
 * Slots for the addresses that need one: kept for an address that had one (so a live change
 * touches only that device), the lowest free for a new one. Throws past MAX_SLOTS.
 */
export function allocateSlots(previous: ReadonlyMap<string, number>, addresses: readonly string[]): Map<string, number> {
  const wanted = new Set(addresses);
  const slots = new Map<string, number>();
  const used = new Set<number>();
  for (const [address, slot] of previous) {
    if (wanted.has(address)) { slots.set(address, slot); used.add(slot); }
  }
  let next = 1;
  for (const address of addresses) {
    if (slots.has(address)) continue;
    while (used.has(next)) next++;
    if (next > MAX_SLOTS) throw new Error(`more than ${MAX_SLOTS} capped devices: the rest stay uncapped`);
    slots.set(address, next);
    used.add(next);
  }
  return slots;
}

function leafOf(engine: ShapingEngine, direction: 'down' | 'up', kbit?: number): string | undefined {
  if (engine !== 'cake') return undefined;
  // Fairness between hosts inside the class: by destination on the way down, by the source
  // before NAT (cake's nat option asks conntrack) on the way up.
  const bandwidth = kbit === undefined ? 'unlimited' : `bandwidth ${kbit}kbit`;
  return direction === 'down' ? `cake ${bandwidth} besteffort dual-dsthost` : `cake ${bandwidth} besteffort dual-srchost nat`;
}

export function planShaping(input: ShapingInput, live: readonly LiveDevice[], previousSlots: ReadonlyMap<string, number> = new Map()): ShapingPlan {
  const enabled = input.networks.filter((n) => n.enabled);
  const indexOf = new Map(input.networks.map((n, i) => [n.id, i]));
  const capped: Array<Omit<CappedDevice, 'slot'>> = [];
  for (const device of live) {
    const found = networkOf(input.networks, device.address);
    if (!found) continue;
    const caps = deviceCaps(input, found.network, device);
    if (caps.down || caps.up) capped.push({ address: formatIPv4(device.address), mac: device.mac, networkId: found.network.id, ...caps });
  }
  capped.sort((a, b) => a.address.localeCompare(b.address, 'en', { numeric: true }));
  const slots = allocateSlots(previousSlots, capped.map((d) => d.address));
  const devices: CappedDevice[] = capped.map((d) => ({ ...d, slot: slots.get(d.address)! }));

  const byDev = new Map<string, InterfacePlan>();
  const iface = (dev: string): InterfacePlan => {
    let plan = byDev.get(dev);
    if (!plan) { plan = { dev, download: dev !== input.wanInterface, skeleton: [], networkFilters: [], devices: new Map() }; byDev.set(dev, plan); }
    return plan;
  };
  const uploadNetworks: ShapingPlan['uploadNetworks'] = [];
  const networkKbit = new Map<string, { down?: number; up?: number }>();
  for (const n of enabled) {
    const i = indexOf.get(n.id)!;
    const caps = policyCaps(input.policies.find((p) => p.id === n.policy));
    const v4 = n.subnets.filter((s) => !isV6(s));
    networkKbit.set(n.id, { ...(caps.networkDown !== undefined ? { down: caps.networkDown } : {}), ...(caps.networkUp !== undefined ? { up: caps.networkUp } : {}) });
    if (caps.networkDown !== undefined) {
      const plan = iface(n.interface);
      plan.skeleton.push(
        { classid: networkClass(i), parent: '1:', rateKbit: caps.networkDown, ceilKbit: caps.networkDown },
        { classid: networkDefault(i), parent: networkClass(i), rateKbit: floorRate(caps.networkDown, caps.networkDown), ceilKbit: caps.networkDown, ...optional(leafOf(input.engine, 'down', caps.networkDown)) },
      );
      plan.networkFilters.push(...v4.map((dst): U32Filter => ({ handle: `800::${hex(NETWORK_FILTERS + plan.networkFilters.length)}`, ht: '800::', dst, flowid: networkDefault(i) })));
    }
    if (caps.networkUp !== undefined) {
      const plan = iface(input.wanInterface);
      plan.skeleton.push(
        { classid: networkClass(i), parent: '1:', rateKbit: caps.networkUp, ceilKbit: caps.networkUp },
        { classid: networkDefault(i), parent: networkClass(i), rateKbit: floorRate(caps.networkUp, caps.networkUp), ceilKbit: caps.networkUp, ...optional(leafOf(input.engine, 'up', caps.networkUp)) },
      );
      uploadNetworks.push({ networkId: n.id, subnets: v4, classid: networkDefault(i) });
    }
  }
  const uploadDevices = new Map<string, string>();
  for (const d of devices) {
    const network = input.networks[indexOf.get(d.networkId)!]!;
    const i = indexOf.get(d.networkId)!;
    const parentCaps = networkKbit.get(d.networkId) ?? {};
    const classid = deviceClass(d.slot);
    if (d.down) {
      const parent = parentCaps.down;
      iface(network.interface).devices.set(d.address, {
        cls: { classid, parent: parent === undefined ? '1:' : networkClass(i), rateKbit: parent === undefined ? d.down.kbit : floorRate(parent, d.down.kbit), ceilKbit: d.down.kbit, ...optional(leafOf(input.engine, 'down')) },
        filter: deviceFilter(d.slot, d.address, classid),
      });
    }
    if (d.up) {
      const parent = parentCaps.up;
      iface(input.wanInterface).devices.set(d.address, {
        cls: { classid, parent: parent === undefined ? '1:' : networkClass(i), rateKbit: parent === undefined ? d.up.kbit : floorRate(parent, d.up.kbit), ceilKbit: d.up.kbit, ...optional(leafOf(input.engine, 'up')) },
      });
      uploadDevices.set(d.address, classid);
    }
  }
  const candidates = [...new Set([...enabled.map((n) => n.interface), input.wanInterface])];
  return {
    engine: input.engine,
    wan: input.wanInterface,
    interfaces: [...byDev.values()].sort((a, b) => a.dev.localeCompare(b.dev)),
    uploadNetworks,
    uploadDevices,
    devices,
    candidates,
  };
}

function optional(leaf: string | undefined): { leaf?: string } {
  return leaf === undefined ? {} : { leaf };
}
