// Where a channel may speak without TLS: this box alone. Anything further (the school's LAN
// included) could be listened to, and an alert names a pupil's device and what it looked up.
import { parseAddress } from '../../../clients/ip.ts';

const V4_LOOPBACK_NETWORK = 0x7fn; // 127.0.0.0/8

export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare === 'localhost') return true;
  const address = parseAddress(bare);
  if (!address) return false;
  return address.family === 4 ? address.value >> 24n === V4_LOOPBACK_NETWORK : address.value === 1n;
}
