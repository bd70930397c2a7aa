// dns-packet's decoder with the fields its type declarations leave out (rcode, HINFO/OPT data),
// so the tests read replies without casts at every line.
import dnsPacket from 'dns-packet';

export interface DecodedRecord {
  name: string;
  type: string;
  ttl?: number;
  data?: unknown;
  udpPayloadSize?: number;
  extendedRcode?: number;
  flag_do?: boolean;
  options?: unknown[];
}

export interface Decoded {
  id: number;
  type: 'query' | 'response';
  flags: number;
  rcode: string;
  questions: { name: string; type: string; class: string }[];
  answers: DecodedRecord[];
  authorities: DecodedRecord[];
  additionals: DecodedRecord[];
}

export function decodeReply(bytes: Uint8Array): Decoded {
  return dnsPacket.decode(Buffer.from(bytes)) as unknown as Decoded;
}

/** Bytes dns-packet consumed in its last decode: a reply must have none left over. */
export function lastDecodedLength(): number {
  return (dnsPacket.decode as unknown as { bytes: number }).bytes;
}

/** Record types the type declarations lack (ANY, AXFR) still encode by name. */
export const anyType = 'ANY' as dnsPacket.RecordType;
export const axfrType = 'AXFR' as dnsPacket.RecordType;
