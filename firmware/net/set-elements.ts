// The live sets' elements, read back from `nft -j list set` and written as `add element` lines
// with what is left of each timeout, so replacing the table keeps every guest, suspension and
// learned address exactly as long as it had left. Pure: parses text another module read.
import { TABLE_FAMILY, TABLE_NAME } from './ruleset.ts';

/** The sets the daemon fills at run time (declared in ruleset.ts). */
export const LIVE_SETS = ['authorised_guests', 'suspended', 'bypass_v4', 'bypass_v6', 'tethering_suspects'] as const;
export type LiveSet = (typeof LIVE_SETS)[number];

interface JsonElem { val: unknown; expires?: number }

const VALUE = /^[0-9a-fA-F:.]+$/;

function valueText(val: unknown): string {
  const parts = typeof val === 'object' && val !== null && 'concat' in val ? (val as { concat: unknown[] }).concat : [val];
  return parts.map((p) => {
    if (typeof p !== 'string' || !VALUE.test(p)) throw new Error(`unexpected set element value ${JSON.stringify(p)}`);
    return p;
  }).join(' . ');
}

/** `add element` lines for one set's `nft -j list set` output (none for an empty set). */
export function preservedElements(set: LiveSet, json: unknown): string[] {
  const items = (json as { nftables?: Array<{ set?: { elem?: Array<{ elem?: JsonElem } | string> } }> }).nftables ?? [];
  const elems = items.flatMap((i) => i.set?.elem ?? []);
  const texts = elems.map((e) => {
    // An element without a timeout is listed bare; one with a timeout as { elem: { val, expires } }.
    if (typeof e === 'string') return valueText(e);
    const inner = e.elem;
    if (!inner) throw new Error(`unexpected set element ${JSON.stringify(e)}`);
    // At least a second: an element about to expire is kept that long rather than forever.
    const left = inner.expires === undefined ? '' : ` timeout ${Math.max(1, Math.floor(inner.expires))}s`;
    return `${valueText(inner.val)}${left}`;
  });
  return texts.length === 0 ? [] : [`add element ${TABLE_FAMILY} ${TABLE_NAME} ${set} { ${texts.join(', ')} }`];
}
