// What the networks page does to the configuration, kept apart from the routes so it is tested on
// plain documents: a network's form applied to a draft, the form field each configuration path
// belongs to, and what still refers to a network, a schedule or a device group that is to go.
import type { NetworkBody } from './api/networks-schema.ts';
import type { Config, Network } from '../config/schema.ts';
import { loosenedBlocks } from '../control/changes/widening.ts';
import { p2pMode } from '../net/reach.ts';

/** A new network's lease time: an hour suits a guest or a pupil tablet; the file can say longer. */
const NEW_LEASE_SECONDS = 3600;

/**
 * A network as the form describes it, over what the configuration already holds: the range
 * replaces the first pool and keeps the others, the lease time when the form gives one, and the rest; no DHCP in the form
 * on a network that had it turns its server off rather than losing its settings.
 */
export function networkFromBody(body: NetworkBody, before: Network | undefined, id: string): Network {
  const { dhcp: form, ssid, vlan, tethering, p2p, ...rest } = body;
  const dhcp = form
    ? {
      ...(before?.dhcp ?? { leaseSeconds: NEW_LEASE_SECONDS }), enabled: form.enabled,
      pools: [{ first: form.first, last: form.last }, ...(before?.dhcp?.pools.slice(1) ?? [])],
      ...(form.leaseSeconds !== undefined ? { leaseSeconds: form.leaseSeconds } : {}),
    }
    : before?.dhcp ? { ...before.dhcp, enabled: false } : undefined;
  return {
    id,
    ...rest,
    ...(ssid !== undefined ? { ssid } : {}),
    ...(vlan !== undefined ? { vlan } : {}),
    ...(tethering !== undefined ? { tethering } : {}),
    ...(p2p !== undefined ? { p2p } : {}),
    ...(dhcp ? { dhcp } : {}),
  };
}

/** "/networks/2/dhcp/pools/0/first" → "dhcp/first": the form's own names, so the message lands beside what was typed. */
export function networkFieldOf(index: number): (path: string) => string | undefined {
  const prefix = `/networks/${index}/`;
  return (path) => {
    if (!path.startsWith(prefix)) return undefined;
    const rest = path.slice(prefix.length);
    const pool = /^dhcp\/pools\/\d+(?:\/(first|last))?$/.exec(rest);
    if (pool) return pool[1] ? `dhcp/${pool[1]}` : 'dhcp/first';
    if (rest === 'dhcp') return 'gateway/ipv4'; // DHCP without the gateway's IPv4 address
    if (rest === 'dhcp/pools') return 'dhcp/first';
    if (rest === 'dhcp/leaseSeconds') return 'dhcp/leaseMinutes';
    if (rest.startsWith('dhcp')) return 'dhcp/enabled';
    // The form has the subnets in one field, comma-separated.
    if (/^subnets\/\d+$/.test(rest)) return 'subnets';
    return rest;
  };
}

/** Everything in the configuration that names this network, in words: a network in use cannot go. */
export function networkUsers(config: Readonly<Config>, id: string): string[] {
  const users: string[] = [];
  for (const r of config.reservations ?? []) if (r.network === id) users.push(`the reservation of ${r.mac}${r.name ? ` (${r.name})` : ''}`);
  for (const e of config.exceptions) if (e.networks?.includes(id)) users.push(`the ${e.action} exception for ${e.domain}`);
  if (config.firewall?.ipv6Forward?.includes(id)) users.push('the firewall\'s IPv6 forwarding');
  return users;
}

/** The policies (by name) whose "at certain times" rows use this schedule, with the category. */
export function scheduleUsers(config: Readonly<Config>, id: string): string[] {
  const users: string[] = [];
  for (const p of config.policies) {
    for (const [category, rule] of Object.entries(p.categories)) if (rule.schedule === id) users.push(`policy "${p.name}" (${category})`);
  }
  return users;
}

/** The policies' "nominated users" rows, the filter exceptions, reservations and the class view's settings (teachers, the head's unlock limits) that name this device group. */
export function groupUsers(config: Readonly<Config>, id: string): string[] {
  const users: string[] = [];
  for (const p of config.policies) {
    for (const [category, rule] of Object.entries(p.categories)) if (rule.groups?.includes(id)) users.push(`policy "${p.name}" (${category})`);
  }
  for (const e of config.exceptions) if (e.groups?.includes(id)) users.push(`the ${e.action} exception for ${e.domain}`);
  for (const r of config.reservations ?? []) if (r.group === id) users.push(`the reservation of ${r.mac}`);
  // The configuration refuses teachers of a class that is gone; an unlock made for it is passed over.
  if (config.classes?.teachers.some((t) => t.group === id && t.accounts.length > 0)) users.push('the teachers assigned to it');
  for (const l of config.classes?.unlocks ?? []) if (l.groups?.includes(id)) users.push(`what teachers may unlock for it (${l.category})`);
  return users;
}

/** Of the ids before and after a save, those that went, each with what still uses it. */
export function removedInUse(before: readonly { id: string; name: string }[], after: readonly { id: string }[], usersOf: (id: string) => string[]): { id: string; name: string; users: string[] }[] {
  const kept = new Set(after.map((x) => x.id));
  return before.filter((x) => !kept.has(x.id)).map((x) => ({ id: x.id, name: x.name, users: usersOf(x.id) })).filter((x) => x.users.length > 0);
}

/** The schedules (by id) a policy's "at certain times" row uses: changing when one is open changes what is filtered. */
export function schedulesInUse(config: Readonly<Config>): string[] {
  return config.schedules.filter((s) => scheduleUsers(config, s.id).length > 0).map((s) => s.id);
}

// What of a networks-page edit is a filtering change, as "put back what the configuration holds
// now": the draft left is what saves at once (see filtering-split.ts). A new network, schedule or
// group keeps what it was given: no device is under it and no policy uses it yet.

/** A network's policy (which AUP table its devices get). */
export function keepNetworkPolicy(id: string): (draft: Config, current: Readonly<Config>) => void {
  return (draft, current) => {
    const was = current.networks.find((n) => n.id === id);
    const now = draft.networks.find((n) => n.id === id);
    if (was !== undefined && now !== undefined) now.policy = was.policy;
  };
}

/**
 * A network's policy, and its P2P and hotspot blocks when the form loosens them (off, or a hotspot
 * from block to monitor: "no tethering or P2P"); turning a block on saves at once.
 */
export function keepNetworkFiltering(id: string): (draft: Config, current: Readonly<Config>) => void {
  const keepPolicy = keepNetworkPolicy(id);
  return (draft, current) => {
    keepPolicy(draft, current);
    const was = current.networks.find((n) => n.id === id);
    const now = draft.networks.find((n) => n.id === id);
    if (was === undefined || now === undefined) return;
    const loosened = loosenedBlocks(was, now);
    if (loosened.p2p !== undefined) {
      // Absent means the kind's default: a network whose kind changes keeps the blocking it had.
      if (was.p2p === undefined && p2pMode({ kind: now.kind }) === p2pMode(was)) delete now.p2p;
      else now.p2p = p2pMode(was);
    }
    if (loosened.tethering !== undefined) {
      if (was.tethering === undefined) delete now.tethering;
      else now.tethering = was.tethering;
    }
  };
}

/** When each schedule a policy uses is open: its windows and whether it runs in term time only. */
export function keepScheduleTimes(draft: Config, current: Readonly<Config>): void {
  const used = new Set(schedulesInUse(current));
  for (const schedule of draft.schedules) {
    const was = current.schedules.find((s) => s.id === schedule.id);
    if (was === undefined || !used.has(was.id)) continue;
    schedule.windows = structuredClone(was.windows);
    if (was.termTimeOnly === undefined) delete schedule.termTimeOnly;
    else schedule.termTimeOnly = was.termTimeOnly;
  }
}

/** The policy each existing device group's devices get (none: their network's). */
export function keepGroupPolicies(draft: Config, current: Readonly<Config>): void {
  for (const group of draft.deviceGroups) {
    const was = current.deviceGroups.find((g) => g.id === group.id);
    if (was === undefined) continue;
    if (was.policy === undefined) delete group.policy;
    else group.policy = was.policy;
  }
}
