// IPv4 addresses as unsigned 32-bit numbers: DHCP's fields are four raw bytes, pools are ranges,
// and the allocator walks them by adding one, so numbers are the natural form; text only at the edges.
import { parseIPv4 } from '../clients/ip.ts';

export { parseIPv4 };

export function formatIPv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** The mask of a prefix length, e.g. 24 -> 0xffffff00. */
export function maskOf(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

export interface Ipv4Subnet {
  network: number;
  length: number;
  mask: number;
  broadcast: number;
}

/** Parses "a.b.c.d/n" (host bits may not be set); undefined for anything else, IPv6 included. */
export function parseIPv4Subnet(text: string): Ipv4Subnet | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const network = parseIPv4(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (network === undefined || !/^[0-9]{1,2}$/.test(lengthText)) return undefined;
  const length = Number(lengthText);
  if (length > 32) return undefined;
  const mask = maskOf(length);
  if (((network & mask) >>> 0) !== network) return undefined;
  return { network, length, mask, broadcast: (network | (~mask >>> 0)) >>> 0 };
}

export function subnetContains(subnet: Ipv4Subnet, address: number): boolean {
  return ((address & subnet.mask) >>> 0) === subnet.network;
}
