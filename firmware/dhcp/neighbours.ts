// The MAC behind an IPv4 address on a directly attached network, from the kernel's neighbour
// table (/proc/net/arp). A DHCP reply names its server by IP only, so when the rogue watch hears
// one it asks here; an address not yet in the table is prompted with one UDP datagram to the
// discard port, which makes the kernel ARP for it.
import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';

/** The complete entry for `address` on `interfaceName` in /proc/net/arp's text, or null. */
export function macFromArpTable(text: string, address: string, interfaceName: string): string | null {
  for (const line of text.split('\n').slice(1)) {
    const [ip, , flags, mac, , device] = line.trim().split(/\s+/);
    // Flag 0x2 is ATF_COM: the entry is complete (an incomplete one has the all-zero MAC).
    if (ip === address && device === interfaceName && mac !== undefined && (Number(flags) & 2) === 2) return mac.toLowerCase();
  }
  return null;
}

export interface ResolveOptions {
  arpFile?: string;
  /** How long to wait for the kernel to resolve an address it did not know (ms). */
  waitMs?: number;
}

export async function resolveMac(interfaceName: string, address: string, options: ResolveOptions = {}): Promise<string | null> {
  const file = options.arpFile ?? '/proc/net/arp';
  const read = async (): Promise<string | null> => macFromArpTable(await readFile(file, 'utf8'), address, interfaceName);
  const known = await read();
  if (known !== null) return known;
  await nudge(address);
  const deadline = Date.now() + (options.waitMs ?? 1500);
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const mac = await read();
    if (mac !== null) return mac;
  }
  return null;
}

/** One datagram to the discard port: the kernel resolves the neighbour to send it. */
async function nudge(address: string): Promise<void> {
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve) => {
      socket.once('error', () => resolve());
      socket.send(new Uint8Array(1), 9, address, () => resolve());
    });
  } finally {
    socket.close();
  }
}
