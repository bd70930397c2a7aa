// The DHCP replies in a tcpdump capture (classic pcap, Ethernet), read back without a library:
// the benchmark's record of which leases a client was told it has, independent of both servers.
import { parseReply, type ParsedReply } from '../../../firmware/dhcp/packet.ts';

const LINKTYPE_ETHERNET = 1;

export interface CapturedReply {
  reply: ParsedReply;
  /** The client's MAC, from chaddr. */
  mac: string;
}

/** Every well-formed DHCP reply (UDP from port 67) in the capture, in capture order. */
export function repliesInCapture(file: Uint8Array): CapturedReply[] {
  if (file.length < 24) return [];
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magic = view.getUint32(0, true);
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!little && view.getUint32(0, false) !== 0xa1b2c3d4 && view.getUint32(0, false) !== 0xa1b23c4d) throw new Error('not a pcap file');
  if (view.getUint32(20, little) !== LINKTYPE_ETHERNET) throw new Error(`capture link type ${view.getUint32(20, little)} is not Ethernet`);
  const out: CapturedReply[] = [];
  // A capture cut by a kill ends mid-record: stop at the last whole one.
  for (let at = 24; at + 16 <= file.length;) {
    const captured = view.getUint32(at + 8, little);
    const start = at + 16;
    at = start + captured;
    if (at > file.length) break;
    const frame = file.subarray(start, start + captured);
    const payload = udpPayloadFrom67(frame);
    if (payload === undefined) continue;
    const reply = parseReply(payload);
    if (reply === undefined) continue;
    out.push({ reply, mac: Array.from(reply.chaddr.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(':') });
  }
  return out;
}

function udpPayloadFrom67(frame: Uint8Array): Uint8Array | undefined {
  if (frame.length < 14 + 20 + 8) return undefined;
  let offset = 12;
  let type = (frame[offset]! << 8) | frame[offset + 1]!;
  if (type === 0x8100) { offset += 4; type = (frame[offset]! << 8) | frame[offset + 1]!; }
  if (type !== 0x0800) return undefined;
  const ip = offset + 2;
  const ihl = (frame[ip]! & 0x0f) * 4;
  if (frame[ip + 9] !== 17) return undefined;
  const udp = ip + ihl;
  if (udp + 8 > frame.length) return undefined;
  if (((frame[udp]! << 8) | frame[udp + 1]!) !== 67) return undefined;
  return frame.subarray(udp + 8);
}
