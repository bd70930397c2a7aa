// The live sets' elements of a busy site, as `add element` lines for one nft transaction: what
// the benchmark loads so the ruleset is measured with full sets, not empty ones. Pure.
//
// 1,000 devices: 600 guests the portal authorised (address . MAC, an 8 h session), 300
// suspended devices, 100 tethering suspects; and 500 + 100 addresses of bypass providers learned
// from DNS. Every MAC is locally administered and outside the lab's own clients' 02:5c:… range,
// so no element ever matches the device the benchmark measures from.
import { TABLE_FAMILY, TABLE_NAME } from '../../../firmware/net/ruleset.ts';

export const ELEMENT_COUNTS = { authorised_guests: 600, suspended: 300, tethering_suspects: 100, bypass_v4: 500, bypass_v6: 100 } as const;

const hex = (n: number): string => n.toString(16).padStart(2, '0');
/** The i-th made-up MAC of a kind: 02:5b:<kind>:<i as three bytes>. */
export const benchMac = (kind: number, i: number): string => `02:5b:${hex(kind)}:${hex((i >> 16) & 255)}:${hex((i >> 8) & 255)}:${hex(i & 255)}`;

function chunked(set: string, values: readonly string[], size = 250): string[] {
  const lines: string[] = [];
  for (let at = 0; at < values.length; at += size) {
    lines.push(`add element ${TABLE_FAMILY} ${TABLE_NAME} ${set} { ${values.slice(at, at + size).join(', ')} }`);
  }
  return lines;
}

/** `add element` lines filling every live set as a school with 1,000 devices would. */
export function busySiteElements(): string[] {
  const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
  return [
    // Guests on a /22: a big visitors' day, more than one /24 holds.
    ...chunked('authorised_guests', range(ELEMENT_COUNTS.authorised_guests).map((i) => `10.30.${Math.floor(i / 250)}.${(i % 250) + 1} . ${benchMac(0x30, i)} timeout 8h`)),
    ...chunked('suspended', range(ELEMENT_COUNTS.suspended).map((i) => `${benchMac(0x20, i)} timeout 1d`)),
    ...chunked('tethering_suspects', range(ELEMENT_COUNTS.tethering_suspects).map((i) => `${benchMac(0x43, i)} timeout 1h`)),
    // A private range the lab never routes to: nothing the benchmark sends goes there.
    ...chunked('bypass_v4', range(ELEMENT_COUNTS.bypass_v4).map((i) => `172.16.${Math.floor(i / 250)}.${(i % 250) + 1} timeout 1h`)),
    ...chunked('bypass_v6', range(ELEMENT_COUNTS.bypass_v6).map((i) => `fd00:b1::${(i + 1).toString(16)} timeout 1h`)),
  ];
}
