// What the DHCP service reads about this host's own interfaces: whether one holds an address,
// and its MAC (the rogue watch's probes come from it, and our own server must not take them for a client).
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { formatIPv4 } from './ipv4.ts';
import { randomMac } from './rogue-watch.ts';

export function interfaceHolds(interfaceName: string, address: number): boolean {
  const text = formatIPv4(address);
  return (networkInterfaces()[interfaceName] ?? []).some((a) => a.family === 'IPv4' && a.address === text);
}

/** The interface's MAC, or a random one where it cannot be read. */
export function interfaceMac(interfaceName: string): Uint8Array {
  try {
    const text = readFileSync(`/sys/class/net/${interfaceName}/address`, 'utf8').trim();
    const bytes = Uint8Array.from(text.split(':').map((h) => parseInt(h, 16)));
    if (bytes.length === 6 && bytes.every((b) => Number.isInteger(b))) return bytes;
  } catch {
    // fall through: a probe from a random address still draws a rogue's OFFER
  }
  return randomMac();
}
