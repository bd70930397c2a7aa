// The ARP packets of the DHCP server's probe (RFC 826, RFC 5227 2.1.1): the "who has" request it
// sends, and the replies netio's packet socket hands over (arp-probe.c filters them but reads
// nothing). Pure and bounds-checked: a reply that does not add up is refused, never read past.
import { macFromBytes } from '../state/mac.ts';

/** Ethernet/IPv4 ARP: 8 bytes of header, two MACs and two IPv4 addresses. */
export const ARP_PACKET_BYTES = 28;
const HTYPE_ETHERNET = 1;
const PTYPE_IPV4 = 0x0800;
const OP_REQUEST = 1;
const OP_REPLY = 2;

export interface ArpReply {
  /** Who answers: the MAC (aa:bb:cc:dd:ee:ff) that holds `senderAddress`. */
  senderMac: string;
  /** The address it answers for, as an unsigned 32-bit number. */
  senderAddress: number;
  /** The address the reply is addressed to: 0 when it answers an RFC 5227 probe. */
  targetAddress: number;
}

/**
 * An RFC 5227 probe for `target`: sender hardware address `senderMac` (6 bytes), sender IP 0 so no
 * host that hears it puts anything in its ARP cache, target hardware address zero.
 */
export function arpProbe(senderMac: Uint8Array, target: number): Uint8Array {
  if (senderMac.length !== 6) throw new RangeError(`a MAC is 6 bytes, not ${senderMac.length}`);
  if (!Number.isInteger(target) || target < 0 || target > 0xffffffff) throw new RangeError(`${target} is not an IPv4 address`);
  const bytes = new Uint8Array(ARP_PACKET_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, HTYPE_ETHERNET);
  view.setUint16(2, PTYPE_IPV4);
  bytes[4] = 6;
  bytes[5] = 4;
  view.setUint16(6, OP_REQUEST);
  bytes.set(senderMac, 8);
  // Sender IP (14..17) and target MAC (18..23) stay zero.
  view.setUint32(24, target);
  return bytes;
}

/** The Ethernet/IPv4 ARP reply at bytes[start, start + length), or undefined when it is not one. */
export function readArpReply(bytes: Uint8Array, start: number, length: number): ArpReply | undefined {
  // Trailing bytes (Ethernet padding to 46) are allowed, a short packet is not.
  if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < ARP_PACKET_BYTES || start + length > bytes.length) return undefined;
  const u16 = (at: number): number => (bytes[start + at]! << 8) | bytes[start + at + 1]!;
  const u32 = (at: number): number => ((bytes[start + at]! << 24) | (bytes[start + at + 1]! << 16) | (bytes[start + at + 2]! << 8) | bytes[start + at + 3]!) >>> 0;
  if (u16(0) !== HTYPE_ETHERNET || u16(2) !== PTYPE_IPV4 || bytes[start + 4] !== 6 || bytes[start + 5] !== 4 || u16(6) !== OP_REPLY) return undefined;
  const senderMac = macFromBytes(bytes, start + 8);
  // No host has the all-zero, broadcast or a multicast MAC: such a reply is forged or broken.
  if (senderMac === '00:00:00:00:00:00' || (bytes[start + 8]! & 1) === 1) return undefined;
  return { senderMac, senderAddress: u32(14), targetAddress: u32(24) };
}

