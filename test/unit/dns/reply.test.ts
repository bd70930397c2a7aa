import { describe, expect, it } from 'vitest';
import { encodeName } from '../../../firmware/dns/wire/name-writer.ts';
import {
  aaaaRecord, aRecord, cnameRecord, fitForUdp, rfc8482Record, udpLimit, writeReply, writeTruncated,
} from '../../../firmware/dns/wire/replies.ts';
import { ParsedQuery, ReadOutcome, readQuery } from '../../../firmware/dns/wire/question-reader.ts';
import { decodeReply as decode } from './decoded.ts';
import { header, opt, query } from './packets.ts';

function parsed(packet: Uint8Array): ParsedQuery {
  const q = new ParsedQuery();
  readQuery(packet, q);
  return q;
}

describe('writeReply', () => {
  it('copies id and question, sets QR and RA, copies RD and CD, sets the rcode', () => {
    const req = query('Example.com', 1, { h: { id: 0x4242, flags: 0x0110 } });
    const reply = writeReply(req, parsed(req), 5);
    const d = decode(reply);
    expect(d.id).toBe(0x4242);
    expect(d.type).toBe('response');
    expect(d.rcode).toBe('REFUSED');
    expect(d.flags & 0x0100).toBe(0x0100);
    expect(d.flags & 0x0010).toBe(0x0010);
    expect(d.flags & 0x0080).toBe(0x0080);
    expect(d.flags & 0x0400).toBe(0);
    expect(d.questions).toEqual([{ name: 'Example.com', type: 'A', class: 'IN' }]);
    expect(d.answers).toEqual([]);
    expect(d.additionals).toEqual([]);
  });

  it('writes a header-only reply when the question could not be read', () => {
    const req = Uint8Array.from(header({ id: 7, qd: 0 }));
    const q = parsed(req);
    expect(q.hasQuestion).toBe(false);
    const d = decode(writeReply(req, q, 1));
    expect(d.id).toBe(7);
    expect(d.rcode).toBe('FORMERR');
    expect(d.questions).toEqual([]);
  });

  it('answers with A, AAAA and CNAME records pointing at the question name', () => {
    const req = query('block.example', 1);
    const records = [
      cnameRecord('blocked.gateway.school', 60)!,
      aRecord('192.0.2.1', 60, encodeName('blocked.gateway.school'))!,
      aaaaRecord('2001:db8::1', 30)!,
      aaaaRecord('::ffff:192.0.2.9', 30)!,
    ];
    const d = decode(writeReply(req, parsed(req), 0, records));
    expect(d.rcode).toBe('NOERROR');
    expect(d.answers).toMatchObject([
      { name: 'block.example', type: 'CNAME', ttl: 60, data: 'blocked.gateway.school' },
      { name: 'blocked.gateway.school', type: 'A', ttl: 60, data: '192.0.2.1' },
      { name: 'block.example', type: 'AAAA', ttl: 30, data: '2001:db8::1' },
      { name: 'block.example', type: 'AAAA', ttl: 30, data: '::ffff:c000:209' },
    ]);
  });

  it('rejects bad addresses and names when building records', () => {
    expect(aRecord('2001:db8::1', 1)).toBeUndefined();
    expect(aRecord('300.1.1.1', 1)).toBeUndefined();
    expect(aaaaRecord('192.0.2.1', 1)).toBeUndefined();
    expect(cnameRecord(`${'a'.repeat(64)}.example`, 1)).toBeUndefined();
  });

  it('writes the RFC 8482 HINFO answer', () => {
    const req = query('example.com', 255);
    const d = decode(writeReply(req, parsed(req), 0, [rfc8482Record(3600)]));
    expect(d.answers).toMatchObject([{ type: 'HINFO', ttl: 3600, data: { cpu: 'RFC8482', os: '' } }]);
  });

  it('echoes EDNS with our payload size and the client DO bit, options dropped', () => {
    const req = query('example.com', 1, { h: { ar: 1 }, tail: opt(4096, 0, 0x8000, [0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8]) });
    const d = decode(writeReply(req, parsed(req), 3));
    expect(d.rcode).toBe('NXDOMAIN');
    expect(d.additionals).toHaveLength(1);
    const o = d.additionals[0]!;
    expect(o.type).toBe('OPT');
    expect(o.udpPayloadSize).toBe(1232);
    expect(o.flag_do).toBe(true);
    expect(o.extendedRcode).toBe(0);
    expect(o.options).toEqual([]);
  });

  it('writes BADVERS as header rcode 0 plus extended rcode 1 in the OPT record', () => {
    const req = query('example.com', 1, { h: { ar: 1 }, tail: opt(1232, 3) });
    const q = new ParsedQuery();
    expect(readQuery(req, q)).toBe(ReadOutcome.badVers);
    const reply = writeReply(req, q, 16);
    expect(reply[3]! & 0xf).toBe(0);
    const o = decode(reply).additionals[0]!;
    expect(o.extendedRcode).toBe(1);
    expect(reply[reply.length - 5]).toBe(0); // version 0
  });
});

describe('truncation', () => {
  const many = Array.from({ length: 40 }, (_, i) => aRecord(`192.0.2.${i}`, 60)!);

  it('limits UDP to 512 without EDNS, and to min(client size, 1232) with it', () => {
    expect(udpLimit(parsed(query('a.b')))).toBe(512);
    expect(udpLimit(parsed(query('a.b', 1, { h: { ar: 1 }, tail: opt(4096) })))).toBe(1232);
    expect(udpLimit(parsed(query('a.b', 1, { h: { ar: 1 }, tail: opt(800) })))).toBe(800);
  });

  it('replaces an oversized reply with header + question + TC', () => {
    const req = query('many.example', 1, { h: { id: 99 } });
    const q = parsed(req);
    const full = writeReply(req, q, 0, many);
    expect(full.length).toBeGreaterThan(512);
    const fitted = fitForUdp(full, req, q);
    const d = decode(fitted);
    expect(d.id).toBe(99);
    expect(d.flags & 0x0200).toBe(0x0200);
    expect(d.answers).toEqual([]);
    expect(d.questions).toEqual([{ name: 'many.example', type: 'A', class: 'IN' }]);
    expect(decode(writeTruncated(req, q)).flags & 0x0200).toBe(0x0200);
  });

  it('keeps a reply that fits the client EDNS size', () => {
    const req = query('many.example', 1, { h: { ar: 1 }, tail: opt(4096) });
    const q = parsed(req);
    const full = writeReply(req, q, 0, many);
    expect(fitForUdp(full, req, q)).toBe(full);
  });
});

describe('encodeName', () => {
  it('encodes names with escapes, with or without the final dot', () => {
    expect(Array.from(encodeName('a.b')!)).toEqual([1, 97, 1, 98, 0]);
    expect(Array.from(encodeName('a.b.')!)).toEqual([1, 97, 1, 98, 0]);
    expect(Array.from(encodeName('.')!)).toEqual([0]);
    expect(Array.from(encodeName('a\\.b.c')!)).toEqual([3, 97, 46, 98, 1, 99, 0]);
    expect(Array.from(encodeName('x\\\\\\000\\255')!)).toEqual([4, 120, 92, 0, 255, 0]);
  });

  it('refuses empty labels, long labels, long names and bad escapes', () => {
    expect(encodeName('a..b')).toBeUndefined();
    expect(encodeName(`${'a'.repeat(64)}`)).toBeUndefined();
    expect(encodeName(Array(5).fill('a'.repeat(63)).join('.'))).toBeUndefined();
    expect(encodeName('a\\25')).toBeUndefined();
    expect(encodeName('a\\256')).toBeUndefined();
    expect(encodeName('a\\')).toBeUndefined();
  });
});
