// The live sets' elements, read back from `nft -j list set` and written as `add element` lines
// with what is left of each timeout, so replacing the table keeps every guest, suspension and
// learned address exactly as long as it had left. Pure: parses text another module read.
import { TABLE_FAMILY, TABLE_NAME } from './ruleset.ts';

/** The sets the daemon fills at run time (declared in ruleset.ts). */
export const LIVE_SETS = [
  'authorised_guests', 'suspended', 'bypass_v4', 'bypass_v6', 'tethering_suspects',
  'bypass_attempts_v4', 'bypass_attempts_v6', 'p2p_attempts_v4', 'p2p_attempts_v6', 'aup_accepted',
] as const;
export type LiveSet = (typeof LIVE_SETS)[number];

interface JsonElem { val: unknown; expires?: number; counter?: { packets?: unknown; bytes?: unknown } }

/** A counter as nft reads it back in an element (`counter packets N bytes M`); empty for none. */
function counterText(counter: JsonElem['counter']): string {
  if (counter === undefined) return '';
  const { packets, bytes } = counter;
  if (!Number.isSafeInteger(packets) || !Number.isSafeInteger(bytes)) throw new Error(`unexpected set element counter ${JSON.stringify(counter)}`);
  return ` counter packets ${String(packets)} bytes ${String(bytes)}`;
}

const VALUE = /^[0-9a-fA-F:.]+$/;
/** An interface name (aup_accepted's first part), written back quoted. */
const IFNAME = /^[A-Za-z0-9._-]{1,15}$/;

function valueText(val: unknown): string {
  const parts = typeof val === 'object' && val !== null && 'concat' in val ? (val as { concat: unknown[] }).concat : [val];
  return parts.map((p) => {
    if (typeof p === 'string' && VALUE.test(p)) return p;
    if (typeof p === 'string' && IFNAME.test(p)) return `"${p}"`;
    throw new Error(`unexpected set element value ${JSON.stringify(p)}`);
  }).join(' . ');
}

/**
 * `add element` lines for every live set in an `nft -j list table` (or `list set`) output, none
 * for an empty one. Sets that are not live (none today) are the ruleset's own and not copied.
 */
export function preservedElements(json: unknown): string[] {
  const items = (json as { nftables?: Array<{ set?: { name?: string; elem?: Array<{ elem?: JsonElem } | { concat: unknown[] } | string> } }> }).nftables ?? [];
  const lines: string[] = [];
  for (const set of items.map((i) => i.set).filter((x) => x !== undefined)) {
    if (!(LIVE_SETS as readonly string[]).includes(set.name ?? '')) continue;
    const texts = (set.elem ?? []).map((e) => {
      // An element without a timeout is listed bare (a string, or { concat } for aup_accepted's
      // pairs); one with a timeout as { elem: { val, expires } }.
      if (typeof e === 'string' || 'concat' in e) return valueText(e);
      const inner = e.elem;
      if (!inner) throw new Error(`unexpected set element ${JSON.stringify(e)}`);
      // At least a second: an element about to expire is kept that long rather than forever.
      const left = inner.expires === undefined ? '' : ` timeout ${Math.max(1, Math.floor(inner.expires))}s`;
      // The attempt counts are carried over too, so a configuration change loses no attempt.
      return `${valueText(inner.val)}${counterText(inner.counter)}${left}`;
    });
    if (texts.length > 0) lines.push(`add element ${TABLE_FAMILY} ${TABLE_NAME} ${set.name} { ${texts.join(', ')} }`);
  }
  return lines;
}

/** The values in one set of an `nft -j list set` (or `list table`) output, each as nft writes it. */
export function setMembers(json: unknown, name: LiveSet): string[] {
  const items = (json as { nftables?: Array<{ set?: { name?: string; elem?: Array<{ elem?: JsonElem } | string> } }> }).nftables ?? [];
  const set = items.map((i) => i.set).find((s) => s?.name === name);
  return (set?.elem ?? []).map((e) => {
    if (typeof e === 'string') return valueText(e);
    if (!e.elem) throw new Error(`unexpected set element ${JSON.stringify(e)}`);
    return valueText(e.elem.val);
  });
}

/** The elements of a counting set with their packet counts (an element without a counter counts 0). */
export function setCounts(json: unknown, name: LiveSet): { value: string; packets: number }[] {
  const items = (json as { nftables?: Array<{ set?: { name?: string; elem?: Array<{ elem?: JsonElem } | string> } }> }).nftables ?? [];
  const set = items.map((i) => i.set).find((s) => s?.name === name);
  return (set?.elem ?? []).map((e) => {
    if (typeof e === 'string') return { value: valueText(e), packets: 0 };
    if (!e.elem) throw new Error(`unexpected set element ${JSON.stringify(e)}`);
    const packets = e.elem.counter?.packets ?? 0;
    if (!Number.isSafeInteger(packets)) throw new Error(`unexpected set element counter ${JSON.stringify(e.elem.counter)}`);
    return { value: valueText(e.elem.val), packets: packets as number };
  });
}
