// The IPv4 and UDP headers around a DHCP message, as the rogue watch's frame socket hands over
// whole IP packets (netio's dhcp-frames.c filters them but reads nothing). Pure and bounds-checked:
// a packet whose headers do not add up is refused, never read past.

export interface UdpFrame {
  /** Where the UDP payload (the DHCP message) starts and ends in the buffer. */
  payloadStart: number;
  payloadEnd: number;
  sourcePort: number;
  destinationPort: number;
  /** Offsets of the IPv4 source and destination addresses (4 bytes each, network order). */
  sourceAt: number;
  destinationAt: number;
}

const IPV4_MIN_HEADER = 20;
const UDP_HEADER = 8;
const UDP = 17;

/** The UDP datagram in the IPv4 packet at bytes[start, start + length), or undefined when it is not one. */
export function readUdpFrame(bytes: Uint8Array, start: number, length: number): UdpFrame | undefined {
  if (start < 0 || length < IPV4_MIN_HEADER + UDP_HEADER || start + length > bytes.length) return undefined;
  const versionAndLength = bytes[start]!;
  if (versionAndLength >> 4 !== 4) return undefined;
  const headerLength = (versionAndLength & 0x0f) * 4;
  if (headerLength < IPV4_MIN_HEADER) return undefined;
  const total = (bytes[start + 2]! << 8) | bytes[start + 3]!;
  // Trailing bytes past the IP length (Ethernet padding) are allowed, a short packet is not.
  if (total > length || total < headerLength + UDP_HEADER) return undefined;
  if (bytes[start + 9] !== UDP) return undefined;
  // A fragment carries only part of the datagram (the kernel's filter already drops them).
  if ((((bytes[start + 6]! << 8) | bytes[start + 7]!) & 0x3fff) !== 0) return undefined;
  const udp = start + headerLength;
  const udpLength = (bytes[udp + 4]! << 8) | bytes[udp + 5]!;
  if (udpLength < UDP_HEADER || headerLength + udpLength > total) return undefined;
  return {
    payloadStart: udp + UDP_HEADER,
    payloadEnd: udp + udpLength,
    sourcePort: (bytes[udp]! << 8) | bytes[udp + 1]!,
    destinationPort: (bytes[udp + 2]! << 8) | bytes[udp + 3]!,
    sourceAt: start + 12,
    destinationAt: start + 16,
  };
}
