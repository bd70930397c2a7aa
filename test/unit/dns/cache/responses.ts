// Upstream answers for the cache and inspection tests, built with dns-packet (which writes names
// uncompressed) or by hand where a test needs compression pointers in exact places.
import dnsPacket from 'dns-packet';

export interface Rr {
  name: string;
  type: string;
  ttl: number;
  data?: unknown;
}

export interface ResponseSpec {
  id?: number;
  qname?: string;
  qtype?: string;
  /** Header rcode (low 4 bits). */
  rcode?: number;
  /** Extra header flag bits (AA 0x0400, TC 0x0200, AD 0x0020, CD 0x0010). */
  flags?: number;
  answers?: Rr[];
  authorities?: Rr[];
  additionals?: Rr[];
  /** Appends an OPT record: the DO bit and the extended-rcode byte. */
  edns?: { dnssecOk?: boolean; extendedRcode?: number };
}

export function response(spec: ResponseSpec = {}): Uint8Array {
  const additionals = [...(spec.additionals ?? [])] as unknown[];
  if (spec.edns) {
    additionals.push({
      type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: spec.edns.extendedRcode ?? 0,
      flags: spec.edns.dnssecOk ? dnsPacket.DNSSEC_OK : 0, options: [],
    });
  }
  const bytes = dnsPacket.encode({
    type: 'response',
    id: spec.id ?? 0x4242,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (spec.flags ?? 0) | (spec.rcode ?? 0),
    questions: [{ name: spec.qname ?? 'www.example.com', type: (spec.qtype ?? 'A') as 'A', class: 'IN' }],
    answers: (spec.answers ?? []) as dnsPacket.Answer[],
    authorities: (spec.authorities ?? []) as dnsPacket.Answer[],
    additionals: additionals as dnsPacket.Answer[],
  });
  return new Uint8Array(bytes);
}

export const a = (name: string, address: string, ttl = 300): Rr => ({ name, type: 'A', ttl, data: address });
export const aaaa = (name: string, address: string, ttl = 300): Rr => ({ name, type: 'AAAA', ttl, data: address });
export const cname = (name: string, target: string, ttl = 300): Rr => ({ name, type: 'CNAME', ttl, data: target });
export const dname = (name: string, target: string, ttl = 300): Rr => ({ name, type: 'DNAME', ttl, data: target });
export const txt = (name: string, text: string, ttl = 300): Rr => ({ name, type: 'TXT', ttl, data: text });
export const soa = (zone: string, ttl: number, minimum: number): Rr => ({
  name: zone, type: 'SOA', ttl,
  data: { mname: `ns1.${zone}`, rname: `hostmaster.${zone}`, serial: 2024010101, refresh: 7200, retry: 900, expire: 1209600, minimum },
});

/** The 32-bit value at `at`. */
export function u32At(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

/**
 * A view that throws on any index read outside the bytes, so a test can prove a reader never
 * strays (a plain Uint8Array would quietly answer `undefined`).
 */
export function guarded(bytes: Uint8Array): Uint8Array {
  return new Proxy(bytes, {
    get(target, prop) {
      if (typeof prop === 'string' && /^-?\d+$/.test(prop)) {
        const i = Number(prop);
        if (i < 0 || i >= target.length) throw new RangeError(`read at ${i} of ${target.length} bytes`);
        return target[i];
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** IPv6 text (with `::` and an optional dotted IPv4 tail) to 16 bytes; throws on nonsense. */
export function v6(text: string): Uint8Array {
  let groups: number[] = [];
  const parse = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const [p, q, r, s] = g.split('.').map(Number) as [number, number, number, number];
        out.push((p << 8) | q, (r << 8) | s);
      } else {
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const halves = text.split('::');
  if (halves.length === 2) {
    const head = parse(halves[0]!);
    const tail = parse(halves[1]!);
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    groups = parse(text);
  }
  if (groups.length !== 8 || groups.some((g) => !(g >= 0 && g <= 0xffff))) throw new Error(`bad IPv6 ${text}`);
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >>> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

/** Dotted IPv4 to an unsigned 32-bit number. */
export function v4(text: string): number {
  const [p, q, r, s] = text.split('.').map(Number) as [number, number, number, number];
  return ((p << 24) | (q << 16) | (r << 8) | s) >>> 0;
}
