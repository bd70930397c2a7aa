// The whole-message walker against dns-packet's encoder and against hand-built packets whose
// compression pointers and defects sit exactly where each test needs them.
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DNAME, ParsedMessage, Section, ipv4At, ipv6OffsetAt, rdataName, readMessage, soaMinimum,
} from '../../../../firmware/dns/wire/message-reader.ts';
import { ParsedQuery, ReadOutcome, readQuery } from '../../../../firmware/dns/wire/question-reader.ts';
import { header, name, u16, u32 } from '../packets.ts';
import { a, aaaa, cname, response, soa, txt, u32At } from './responses.ts';

/** A response header: QR, RD, RA set and the given rcode. */
const rh = (counts: { an?: number; ns?: number; ar?: number; qd?: number }, rcode = 0): number[] =>
  header({ id: 7, flags: 0x8180 | rcode, qd: counts.qd ?? 1, an: counts.an ?? 0, ns: counts.ns ?? 0, ar: counts.ar ?? 0 });
const question = (qname: string, qtype = 1): number[] => [...name(qname), ...u16(qtype), ...u16(1)];
/** A record with raw owner bytes and raw RDATA. */
const rr = (owner: number[], type: number, ttl: number, rdata: number[]): number[] =>
  [...owner, ...u16(type), ...u16(1), ...u32(ttl), ...u16(rdata.length), ...rdata];
const ptr = (offset: number): number[] => [0xc0 | (offset >>> 8), offset & 0xff];

describe('readMessage', () => {
  it('notes every record of every section with its TTL offset and RDATA', () => {
    const bytes = response({
      qname: 'www.Example.COM',
      answers: [cname('www.example.com', 'edge.cdn.example', 600), a('edge.cdn.example', '192.0.2.7', 60), aaaa('edge.cdn.example', '2001:db8::7', 61)],
      authorities: [soa('example.com', 3600, 300)],
      additionals: [txt('info.example.com', 'hello', 5)],
      edns: { dnssecOk: true },
    });
    const msg = new ParsedMessage();
    expect(readMessage(bytes, msg)).toBe(true);
    expect(msg.qname).toBe('www.example.com');
    expect(msg.qtype).toBe(1);
    expect(msg.qclass).toBe(1);
    expect([msg.answerCount, msg.authorityCount, msg.additionalCount]).toEqual([3, 1, 2]);
    expect(msg.owner).toEqual(['www.example.com', 'edge.cdn.example', 'edge.cdn.example', 'example.com', 'info.example.com', '.']);
    expect(Array.from(msg.type.subarray(0, 6))).toEqual([5, 1, 28, 6, 16, 41]);
    expect(Array.from(msg.ttl.subarray(0, 5))).toEqual([600, 60, 61, 3600, 5]);
    expect(msg.optIndex).toBe(5);
    expect([0, 1, 2, 3, 4, 5].map((i) => msg.sectionOf(i))).toEqual([
      Section.answer, Section.answer, Section.answer, Section.authority, Section.additional, Section.additional,
    ]);
    for (let i = 0; i < 5; i++) expect(u32At(bytes, msg.ttlOffset[i]!)).toBe(msg.ttl[i]);
    // The OPT's "TTL" word holds the DO bit, not a time.
    expect(u32At(bytes, msg.ttlOffset[5]!)).toBe(0x8000);
    expect(msg.end).toBe(bytes.length);
    expect(ipv4At(bytes, msg, 1)).toBe(0xc0000207);
    const at = ipv6OffsetAt(bytes, msg, 2);
    expect(Array.from(bytes.subarray(at, at + 16))).toEqual([0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 7]);
    expect(rdataName(bytes, msg, 0)).toBe('edge.cdn.example');
    expect(soaMinimum(bytes, msg, 3)).toBe(300);
    // Typed readers refuse records of the wrong type.
    expect(ipv4At(bytes, msg, 0)).toBe(-1);
    expect(ipv6OffsetAt(bytes, msg, 1)).toBe(-1);
    expect(rdataName(bytes, msg, 1)).toBeUndefined();
    expect(soaMinimum(bytes, msg, 0)).toBe(-1);
    expect(rdataName(bytes, msg, 99)).toBeUndefined();
  });

  it('follows compression pointers in owners and inside CNAME, DNAME and SOA data', () => {
    // 12: www.example.com (www at 12, example at 16, com at 24); answers point back into it.
    const packet = [
      ...rh({ an: 3, ns: 1 }),
      ...question('www.example.com'),
      ...rr(ptr(12), 5, 300, [4, ...Array.from('edge', (c) => c.charCodeAt(0)), ...ptr(16)]),
      ...rr([4, ...Array.from('EDGE', (c) => c.charCodeAt(0)), ...ptr(16)], 1, 60, [192, 0, 2, 1]),
      ...rr(ptr(16), DNAME, 30, ptr(24)),
      ...rr(ptr(16), 6, 900, [...ptr(16), 2, 0x68, 0x6d, ...ptr(16), ...u32(1), ...u32(2), ...u32(3), ...u32(4), ...u32(120)]),
    ];
    const bytes = Uint8Array.from(packet);
    const msg = new ParsedMessage();
    expect(readMessage(bytes, msg)).toBe(true);
    expect(msg.owner).toEqual(['www.example.com', 'edge.example.com', 'example.com', 'example.com']);
    expect(rdataName(bytes, msg, 0)).toBe('edge.example.com');
    expect(rdataName(bytes, msg, 2)).toBe('com');
    expect(soaMinimum(bytes, msg, 3)).toBe(120);
  });

  it('writes names exactly as the query reader does, escapes and case included', () => {
    const labelBytes = fc.uint8Array({ minLength: 1, maxLength: 20 });
    fc.assert(fc.property(fc.array(labelBytes, { minLength: 1, maxLength: 6 }), (labels) => {
      const wire = [...labels.flatMap((l) => [l.length, ...l]), 0];
      const q = Uint8Array.from([...header({ id: 1, flags: 0x0100 }), ...wire, ...u16(1), ...u16(1)]);
      const r = Uint8Array.from([...rh({ an: 1 }), ...wire, ...u16(1), ...u16(1), ...rr(ptr(12), 1, 5, [1, 2, 3, 4])]);
      const parsed = new ParsedQuery();
      expect(readQuery(q, parsed)).toBe(ReadOutcome.ok);
      const msg = new ParsedMessage();
      expect(readMessage(r, msg)).toBe(true);
      expect(msg.qname).toBe(parsed.name);
      expect(msg.owner[0]).toBe(parsed.name);
    }));
  });

  it('reads an owner that points at the question as the same name written out in full', () => {
    const labelBytes = fc.uint8Array({ minLength: 1, maxLength: 20 });
    fc.assert(fc.property(fc.array(labelBytes, { minLength: 1, maxLength: 6 }), (labels) => {
      const wire = [...labels.flatMap((l) => [l.length, ...l]), 0];
      const answer = (owner: number[]): Uint8Array => Uint8Array.from([...rh({ an: 2 }), ...wire, ...u16(1), ...u16(1), ...rr(owner, 1, 5, [1, 2, 3, 4]), ...rr(ptr(12), 1, 5, [5, 6, 7, 8])]);
      const pointed = new ParsedMessage();
      const full = new ParsedMessage();
      expect(readMessage(answer(ptr(12)), pointed)).toBe(true);
      expect(readMessage(answer(wire), full)).toBe(true);
      expect(pointed.owner).toEqual(full.owner);
      expect(pointed.owner[0]).toBe(pointed.qname);
      expect(ipv4At(answer(ptr(12)), pointed, 1)).toBe(ipv4At(answer(wire), full, 1));
    }));
    // Cut inside the pointer: malformed, not read past the end.
    const cut = Uint8Array.from([...rh({ an: 1 }), ...question('example.com'), 0xc0]);
    expect(readMessage(cut, new ParsedMessage())).toBe(false);
  });

  it('agrees with dns-packet on random well-formed answers', () => {
    const label = fc.stringMatching(/^[a-z0-9-]{1,20}$/);
    const domain = fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.'));
    const record = fc.oneof(
      fc.record({ name: domain, ttl: fc.integer({ min: 0, max: 0x7fffffff }), address: fc.ipV4() }).map((r) => a(r.name, r.address, r.ttl)),
      fc.record({ name: domain, ttl: fc.integer({ min: 0, max: 0x7fffffff }), target: domain }).map((r) => cname(r.name, r.target, r.ttl)),
      fc.record({ name: domain, ttl: fc.integer({ min: 0, max: 0x7fffffff }), text: fc.string({ maxLength: 40 }) }).map((r) => txt(r.name, r.text, r.ttl)),
    );
    fc.assert(fc.property(domain, fc.array(record, { maxLength: 8 }), fc.array(record, { maxLength: 3 }), (qname, answers, authorities) => {
      const bytes = response({ qname, answers, authorities });
      const msg = new ParsedMessage();
      expect(readMessage(bytes, msg)).toBe(true);
      const decoded = dnsPacket.decode(Buffer.from(bytes));
      const all = [...(decoded.answers ?? []), ...(decoded.authorities ?? [])];
      expect(msg.recordCount).toBe(all.length);
      all.forEach((r, i) => {
        expect(msg.owner[i]).toBe(r.name.toLowerCase());
        expect(msg.ttl[i]).toBe((r as { ttl: number }).ttl);
        expect(u32At(bytes, msg.ttlOffset[i]!)).toBe(msg.ttl[i]);
        if (r.type === 'CNAME') expect(rdataName(bytes, msg, i)).toBe(String(r.data).toLowerCase());
      });
    }));
  });

  it('reads a TTL with the top bit set as 0 (RFC 2181 8)', () => {
    const bytes = Uint8Array.from([...rh({ an: 1 }), ...question('x.test'), ...rr(ptr(12), 1, 0x80000001, [1, 2, 3, 4])]);
    const msg = new ParsedMessage();
    expect(readMessage(bytes, msg)).toBe(true);
    expect(msg.ttl[0]).toBe(0);
  });

  it('takes the extended rcode from the OPT record', () => {
    const bytes = response({ rcode: 0, edns: { extendedRcode: 1 } });
    const msg = new ParsedMessage();
    expect(readMessage(bytes, msg)).toBe(true);
    expect(msg.rcode).toBe(16);
  });

  it('ignores bytes after the last record, noting where the message ends', () => {
    const body = [...rh({ an: 1 }), ...question('x.test'), ...rr(ptr(12), 1, 5, [1, 2, 3, 4])];
    const msg = new ParsedMessage();
    expect(readMessage(Uint8Array.from([...body, 9, 9, 9]), msg)).toBe(true);
    expect(msg.end).toBe(body.length);
  });

  it('grows its arrays for many records and reuses them afterwards', () => {
    const answers = Array.from({ length: 100 }, (_, i) => a('many.test', `10.0.${i >> 8}.${i & 255}`, i + 1));
    const msg = new ParsedMessage();
    expect(readMessage(response({ qname: 'many.test', answers }), msg)).toBe(true);
    expect(msg.recordCount).toBe(100);
    expect(msg.ttl[99]).toBe(100);
    expect(readMessage(response({ qname: 'one.test', answers: [a('one.test', '10.0.0.1')] }), msg)).toBe(true);
    expect(msg.recordCount).toBe(1);
    expect(msg.owner).toEqual(['one.test']);
  });

  it('can skip building owner names', () => {
    const msg = new ParsedMessage();
    expect(readMessage(response({ answers: [a('www.example.com', '192.0.2.1')] }), msg, false)).toBe(true);
    expect(msg.owner).toEqual([]);
    expect(msg.namesRead).toBe(false);
    expect(msg.qname).toBe('www.example.com');
  });

  describe('refuses malformed messages', () => {
    const good = [...rh({ an: 1 }), ...question('x.test')];
    const cases: [string, number[]][] = [
      ['shorter than a header', [0, 1, 2]],
      ['two questions', [...rh({ qd: 2 }), ...question('a.test'), ...question('b.test')]],
      ['a question cut short', [...rh({}), ...name('x.test'), 0, 1]],
      ['an answer count the bytes cannot hold', [...rh({ an: 3 }), ...question('x.test'), ...rr(ptr(12), 1, 5, [1, 2, 3, 4])]],
      ['RDATA past the end', [...good, ...ptr(12), ...u16(1), ...u16(1), ...u32(5), ...u16(10), 1, 2, 3, 4]],
      ['a forward pointer', [...good, ...ptr(40), ...u16(1), ...u16(1), ...u32(5), ...u16(4), 1, 2, 3, 4, 0, 0, 0, 0, 0, 0]],
      ['a pointer to itself', [...good, ...ptr(24), ...u16(1), ...u16(1), ...u32(5), ...u16(4), 1, 2, 3, 4]],
      ['a pointer into the header', [...good, ...ptr(4), ...u16(1), ...u16(1), ...u32(5), ...u16(4), 1, 2, 3, 4]],
      ['a reserved label type', [...good, 0x40, ...u16(1), ...u16(1), ...u32(5), ...u16(4), 1, 2, 3, 4, 0, 0]],
      ['a name over 255 bytes', [...rh({}), ...Array.from({ length: 5 }, () => [63, ...new Array<number>(63).fill(0x61)]).flat(), 0, ...u16(1), ...u16(1)]],
      ['a label running off the end', [...rh({}), 10, 0x61, 0x62]],
    ];
    for (const [what, packet] of cases) {
      it(what, () => {
        expect(readMessage(Uint8Array.from(packet), new ParsedMessage())).toBe(false);
      });
    }

    it('a message larger than any transport carries', () => {
      const bytes = new Uint8Array(65536);
      bytes.set(rh({ qd: 0 }));
      expect(readMessage(bytes, new ParsedMessage())).toBe(false);
    });

    it('a CNAME whose RDATA holds more than one name', () => {
      const bytes = Uint8Array.from([...rh({ an: 1 }), ...question('x.test'), ...rr(ptr(12), 5, 5, [...ptr(12), 0])]);
      const msg = new ParsedMessage();
      expect(readMessage(bytes, msg)).toBe(true);
      expect(rdataName(bytes, msg, 0)).toBeUndefined();
    });

    it('an SOA with missing fields, and an A with five bytes', () => {
      const bytes = Uint8Array.from([
        ...rh({ an: 1, ns: 1 }), ...question('x.test'),
        ...rr(ptr(12), 1, 5, [1, 2, 3, 4, 5]),
        ...rr(ptr(14), 6, 5, [...ptr(12), ...ptr(12), ...u32(1), ...u32(2)]),
      ]);
      const msg = new ParsedMessage();
      expect(readMessage(bytes, msg)).toBe(true);
      expect(ipv4At(bytes, msg, 0)).toBe(-1);
      expect(soaMinimum(bytes, msg, 1)).toBe(-1);
    });
  });
});
