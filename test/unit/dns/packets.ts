// Hand-built DNS packets for the reader's tests: every byte where the test can see it.

export interface HeaderFields {
  id?: number;
  flags?: number;
  qd?: number;
  an?: number;
  ns?: number;
  ar?: number;
}

export function header(h: HeaderFields = {}): number[] {
  const w = (v: number): number[] => [(v >>> 8) & 255, v & 255];
  return [...w(h.id ?? 0x1234), ...w(h.flags ?? 0x0100), ...w(h.qd ?? 1), ...w(h.an ?? 0), ...w(h.ns ?? 0), ...w(h.ar ?? 0)];
}

/** Wire labels for a dotted name (no escapes; use raw bytes for those). */
export function name(text: string): number[] {
  const out: number[] = [];
  if (text !== '.' && text !== '') {
    for (const label of text.split('.')) out.push(label.length, ...Array.from(label, (c) => c.charCodeAt(0)));
  }
  out.push(0);
  return out;
}

export const u16 = (v: number): number[] => [(v >>> 8) & 255, v & 255];
export const u32 = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];

/** An OPT pseudo-record: payload size, extended rcode, version, flags (DO = 0x8000), rdata. */
export function opt(size = 1232, version = 0, flags = 0, rdata: number[] = [], owner: number[] = [0]): number[] {
  return [...owner, ...u16(41), ...u16(size), 0, version, ...u16(flags), ...u16(rdata.length), ...rdata];
}

/** A simple query: header + question (+ extra sections appended raw). */
export function query(qname = 'example.com', qtype = 1, extra: { h?: HeaderFields; tail?: number[] } = {}): Uint8Array {
  return Uint8Array.from([...header(extra.h), ...name(qname), ...u16(qtype), ...u16(1), ...(extra.tail ?? [])]);
}
