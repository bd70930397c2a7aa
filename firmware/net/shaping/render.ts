// A shaping plan → the text the kernel is given: `tc -batch` lines per interface and Schoolgate's
// second nftables table, `inet schoolgate_shaping`, which marks upload for the uplink's classes.
// Pure. `shapingChanges(old, next)` is what a live change runs: one device's class and filter,
// not the whole tree.
//
// Upload is shaped as an HTB tree on the uplink's egress, like download, rather than with
// nftables `limit rate over … drop` meters: a meter drops what is over the rate at once, which
// TCP reads as heavy loss (throughput saw-tooths well under the cap), where HTB queues and sends
// at the rate. The uplink only sees the uplink address (after NAT), and this kernel has no `fw`
// filter to classify by a mark; but HTB classifies by skb->priority by itself when its major is
// the qdisc's handle, and nftables sets the priority (`meta priority set`) in the forward hook,
// before NAT rewrites the source, from a map keyed by the device's own address. That map is
// changed by element as devices come and go. A second table, not the firewall's: shaping is
// applied by its own service (and its own queue) and must outlive a firewall re-apply untouched.
import { quote } from '../nft-text.ts';
import type { HtbClass, InterfacePlan, ShapingPlan, U32Filter } from './plan.ts';

export const SHAPING_TABLE = 'schoolgate_shaping';
export const UPLOAD_MAP = 'upload_class';
const TABLE = `inet ${SHAPING_TABLE}`;

/** HTB's quantum (bytes a class sends per round): a tenth of a second at its rate, within what HTB accepts quietly. */
function quantum(rateKbit: number): number {
  return Math.min(60_000, Math.max(1514, Math.floor((rateKbit * 1000) / 8 / 10)));
}

function classLine(dev: string, c: HtbClass): string {
  return `class replace dev ${dev} parent ${c.parent} classid ${c.classid} htb rate ${c.rateKbit}kbit ceil ${c.ceilKbit}kbit quantum ${quantum(c.rateKbit)}`;
}

function leafLines(dev: string, c: HtbClass): string[] {
  if (!c.leaf) return [];
  const minor = c.classid.split(':')[1]!;
  return [`qdisc replace dev ${dev} parent ${c.classid} handle ${minor}: ${c.leaf}`];
}

function filterLine(dev: string, f: U32Filter): string {
  return `filter add dev ${dev} parent 1: protocol ip prio 1 handle ${f.handle} u32 ht ${f.ht} match ip dst ${f.dst} flowid ${f.flowid}`;
}

function filterDeleteLine(dev: string, f: U32Filter): string {
  return `filter del dev ${dev} parent 1: protocol ip prio 1 handle ${f.handle} u32`;
}

/** Removes Schoolgate's root qdisc (handle 1:) from an interface; fails harmlessly when absent. */
export function removeInterfaceLine(dev: string): string {
  return `qdisc del dev ${dev} root handle 1:`;
}

/** One interface's whole tree, onto an interface without Schoolgate's qdisc. */
export function interfaceLines(plan: InterfacePlan): string[] {
  const lines = [`qdisc add dev ${plan.dev} root handle 1: htb default 0`];
  for (const c of plan.skeleton) lines.push(classLine(plan.dev, c), ...leafLines(plan.dev, c));
  if (plan.download) {
    // The devices' hash table, and the root table's link to it by the destination's last byte.
    // Both stay while the qdisc does, so the u32 instance is never emptied (the kernel would
    // drop it, and its next root table might not be 800:).
    lines.push(
      `filter add dev ${plan.dev} parent 1: protocol ip prio 1 handle 1: u32 divisor 256`,
      `filter add dev ${plan.dev} parent 1: protocol ip prio 1 handle 800::1 u32 ht 800:: match ip dst 0.0.0.0/0 hashkey mask 0x000000ff at 16 link 1:`,
      ...plan.networkFilters.map((f) => filterLine(plan.dev, f)),
    );
  }
  for (const [, d] of sortedDevices(plan)) {
    lines.push(classLine(plan.dev, d.cls), ...leafLines(plan.dev, d.cls));
    if (d.filter) lines.push(filterLine(plan.dev, d.filter));
  }
  return lines;
}

function sortedDevices(plan: InterfacePlan): Array<[string, { cls: HtbClass; filter?: U32Filter }]> {
  return [...plan.devices].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
}

/** The whole nftables table for `nft -f` (replaced in one transaction, like the firewall's). */
export function renderShapingTable(plan: ShapingPlan): string {
  const wan = quote(plan.wan);
  const elements = [...plan.uploadDevices].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
  return [
    '#!/usr/sbin/nft -f',
    '# Schoolgate\'s upload shaping: which uplink HTB class a forwarded packet goes to, by its source before NAT.',
    `add table ${TABLE}`,
    `delete table ${TABLE}`,
    `table ${TABLE} {`,
    `  map ${UPLOAD_MAP} {`,
    '    type ipv4_addr : classid',
    ...(elements.length > 0 ? [`    elements = { ${elements.map(([a, c]) => `${a} : ${c}`).join(', ')} }`] : []),
    '  }',
    '  chain forward {',
    // After the firewall's forward chain (priority filter): only what it let through is classified.
    '    type filter hook forward priority filter + 10; policy accept;',
    ...plan.uploadNetworks.map((n) => `    oifname ${wan} ip saddr { ${n.subnets.join(', ')} } meta priority set ${n.classid} comment "${n.networkId}: network upload cap"`),
    `    oifname ${wan} meta priority set ip saddr map @${UPLOAD_MAP}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

export const REMOVE_SHAPING_TABLE = `add table ${TABLE}\ndelete table ${TABLE}\n`;

/** What to run: `remove` lines may fail (nothing there to remove); `tc` lines must all succeed; `nft` is one transaction. */
export interface ShapingCommands {
  remove: string[];
  tc: string[];
  nft: string;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Everything to bring the kernel from `old` to `next`. Without `old` (start, configuration
 * change, or after a failure) every candidate interface is rebuilt or cleared and the table
 * replaced. With it, an interface whose network classes are unchanged gets only its devices'
 * differences, and the upload map only its elements'.
 */
export function shapingChanges(old: ShapingPlan | undefined, next: ShapingPlan): ShapingCommands {
  const remove: string[] = [];
  const tc: string[] = [];
  const oldByDev = new Map((old?.interfaces ?? []).map((i) => [i.dev, i]));
  const nextByDev = new Map(next.interfaces.map((i) => [i.dev, i]));
  const full = old === undefined || old.engine !== next.engine || old.wan !== next.wan;
  const cleared = full ? new Set([...next.candidates, ...(old?.candidates ?? [])]) : new Set(oldByDev.keys());
  for (const dev of [...cleared].sort()) {
    if (!nextByDev.has(dev)) remove.push(removeInterfaceLine(dev));
  }
  for (const plan of next.interfaces) {
    const before = full ? undefined : oldByDev.get(plan.dev);
    if (!before || !sameJson(before.skeleton, plan.skeleton) || !sameJson(before.networkFilters, plan.networkFilters)) {
      remove.push(removeInterfaceLine(plan.dev));
      tc.push(...interfaceLines(plan));
      continue;
    }
    tc.push(...deviceChanges(plan.dev, before, plan));
  }
  let nft = '';
  const wanted = (plan: ShapingPlan): boolean => plan.uploadNetworks.length > 0 || plan.uploadDevices.size > 0;
  if (!wanted(next)) {
    // Nothing capped on the way up: no table, so forwarding pays for no extra chain.
    if (full || wanted(old!)) nft = REMOVE_SHAPING_TABLE;
  } else if (full || !wanted(old!) || !sameJson(old!.uploadNetworks, next.uploadNetworks)) {
    nft = renderShapingTable(next);
  } else {
    const lines: string[] = [];
    for (const [address, classid] of old!.uploadDevices) {
      if (next.uploadDevices.get(address) !== classid) lines.push(`delete element ${TABLE} ${UPLOAD_MAP} { ${address} }`);
    }
    for (const [address, classid] of next.uploadDevices) {
      if (old!.uploadDevices.get(address) !== classid) lines.push(`add element ${TABLE} ${UPLOAD_MAP} { ${address} : ${classid} }`);
    }
    nft = lines.length > 0 ? `${lines.join('\n')}\n` : '';
  }
  return { remove, tc, nft };
}

function deviceChanges(dev: string, before: InterfacePlan, after: InterfacePlan): string[] {
  const lines: string[] = [];
  for (const [address, d] of sortedDevices(before)) {
    const now = after.devices.get(address);
    if (now && sameJson(now.cls.parent, d.cls.parent) && sameJson(now.filter, d.filter)) continue;
    // Gone, or moved to another parent (HTB cannot move a class): filter first, a class a filter
    // points at cannot be deleted.
    if (d.filter) lines.push(filterDeleteLine(dev, d.filter));
    lines.push(`class del dev ${dev} classid ${d.cls.classid}`);
  }
  for (const [address, d] of sortedDevices(after)) {
    const was = before.devices.get(address);
    const kept = was && sameJson(was.cls.parent, d.cls.parent) && sameJson(was.filter, d.filter);
    if (kept && sameJson(was.cls, d.cls)) continue;
    lines.push(classLine(dev, d.cls));
    if (!kept || !sameJson(was.cls.leaf, d.cls.leaf)) lines.push(...leafLines(dev, d.cls));
    if (!kept && d.filter) lines.push(filterLine(dev, d.filter));
  }
  return lines;
}
