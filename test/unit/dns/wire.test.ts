import { describe, expect, it } from 'vitest';
import { ParsedQuery, ReadOutcome, readQuery } from '../../../firmware/dns/wire/question-reader.ts';
import { header, name, opt, query, u16, u32 } from './packets.ts';

function read(bytes: Uint8Array | number[]): { outcome: number; q: ParsedQuery } {
  const q = new ParsedQuery();
  const outcome = readQuery(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes), q);
  return { outcome, q };
}

describe('readQuery: well-formed questions', () => {
  it('reads id, flags, name, type, class and the question bounds', () => {
    const packet = query('Example.COM', 28, { h: { id: 0xbeef, flags: 0x0110 } });
    const { outcome, q } = read(packet);
    expect(outcome).toBe(ReadOutcome.ok);
    expect(q.id).toBe(0xbeef);
    expect(q.flags).toBe(0x0110);
    expect(q.name).toBe('example.com');
    expect(q.labels).toBe(2);
    expect(q.qtype).toBe(28);
    expect(q.qclass).toBe(1);
    expect(q.questionEnd).toBe(packet.length);
    expect(q.hasQuestion).toBe(true);
    expect(q.edns).toBe(false);
    expect(q.udpSize).toBe(512);
  });

  it('reads the root name as "."', () => {
    const { outcome, q } = read(query('.', 2));
    expect(outcome).toBe(ReadOutcome.ok);
    expect(q.name).toBe('.');
    expect(q.labels).toBe(0);
  });

  it('escapes dots, backslashes and non-printable bytes inside labels, keeping other bytes', () => {
    const label = [0x41, 0x2e, 0x5c, 0x00, 0x20, 0x7f, 0xff, 0x7e, 0x21];
    const packet = [...header(), label.length, ...label, 3, 0x63, 0x6f, 0x6d, 0, ...u16(1), ...u16(1)];
    const { outcome, q } = read(packet);
    expect(outcome).toBe(ReadOutcome.ok);
    expect(q.name).toBe('a\\.\\\\\\000\\032\\127\\255~!.com');
  });

  it('accepts a name of exactly 255 wire bytes and a 63-byte label', () => {
    // 4 labels of 63 (4 * 64 = 256) is too long; 3 x 63 + one of 61 = 192 + 62 + 1 = 255.
    const l63 = 'a'.repeat(63);
    const ok = `${l63}.${l63}.${l63}.${'b'.repeat(61)}`;
    expect(read(query(ok)).outcome).toBe(ReadOutcome.ok);
    expect(read(query(ok)).q.name).toBe(ok);
    const tooLong = `${l63}.${l63}.${l63}.${'b'.repeat(62)}`;
    expect(read(query(tooLong)).outcome).toBe(ReadOutcome.formErr);
  });

  it('skips answer and authority records, including ones using backward pointers', () => {
    const rr = [0xc0, 12, ...u16(1), ...u16(1), ...u32(60), ...u16(4), 1, 2, 3, 4];
    const { outcome, q } = read(query('example.com', 1, { h: { an: 1, ns: 1 }, tail: [...rr, ...rr] }));
    expect(outcome).toBe(ReadOutcome.ok);
    expect(q.name).toBe('example.com');
  });

  it('understands EDNS: payload size, DO bit; sizes under 512 read as 512', () => {
    const big = read(query('a.b', 1, { h: { ar: 1 }, tail: opt(4096, 0, 0x8000) })).q;
    expect(big.edns).toBe(true);
    expect(big.udpSize).toBe(4096);
    expect(big.dnssecOk).toBe(true);
    const small = read(query('a.b', 1, { h: { ar: 1 }, tail: opt(100, 0, 0) })).q;
    expect(small.udpSize).toBe(512);
    expect(small.dnssecOk).toBe(false);
  });

  it('steps over other additional records (e.g. a TSIG-like record) around the OPT', () => {
    const other = [...name('key'), ...u16(250), ...u16(255), ...u32(0), ...u16(3), 9, 9, 9];
    const r = read(query('a.b', 1, { h: { ar: 2 }, tail: [...other, ...opt(1400, 0, 0, [0, 10, 0, 2, 1, 2])] }));
    expect(r.outcome).toBe(ReadOutcome.ok);
    expect(r.q.udpSize).toBe(1400);
  });

  it('resets a reused result object', () => {
    const q = new ParsedQuery();
    readQuery(query('first.example', 1, { h: { ar: 1 }, tail: opt(4096, 0, 0x8000) }), q);
    expect(readQuery(query('second.example', 16), q)).toBe(ReadOutcome.ok);
    expect(q.name).toBe('second.example');
    expect(q.edns).toBe(false);
    expect(q.dnssecOk).toBe(false);
    expect(readQuery(Uint8Array.of(1, 2, 3), q)).toBe(ReadOutcome.drop);
    expect(q.hasQuestion).toBe(false);
    expect(q.name).toBe('');
  });
});

describe('readQuery: drops', () => {
  it('drops packets shorter than a header', () => {
    for (let n = 0; n < 12; n++) expect(read(new Uint8Array(n)).outcome).toBe(ReadOutcome.drop);
  });

  it('drops responses (QR set) whatever follows', () => {
    expect(read(query('example.com', 1, { h: { flags: 0x8180 } })).outcome).toBe(ReadOutcome.drop);
    expect(read([...header({ flags: 0x8000, qd: 7 })]).outcome).toBe(ReadOutcome.drop);
  });
});

describe('readQuery: NOTIMP and FORMERR', () => {
  it('answers NOTIMP for every opcode but QUERY', () => {
    for (const opcode of [1, 2, 4, 5, 6, 15]) {
      const r = read(query('example.com', 1, { h: { flags: opcode << 11 } }));
      expect(r.outcome).toBe(ReadOutcome.notImp);
      expect(r.q.hasQuestion).toBe(false);
    }
  });

  it('needs exactly one question', () => {
    expect(read(header({ qd: 0 })).outcome).toBe(ReadOutcome.formErr);
    expect(read(query('a.b', 1, { h: { qd: 2 }, tail: [...name('c.d'), ...u16(1), ...u16(1)] })).outcome).toBe(ReadOutcome.formErr);
  });

  it('rejects truncated questions at every cut', () => {
    const packet = query('www.example.com', 1);
    for (let cut = 12; cut < packet.length; cut++) {
      expect(read(packet.subarray(0, cut)).outcome, `cut at ${cut}`).toBe(ReadOutcome.formErr);
    }
  });

  it('rejects reserved label types (0x40, 0x80) and so any label over 63', () => {
    expect(read([...header(), 0x40, ...new Array(64).fill(0x61), 0, ...u16(1), ...u16(1)]).outcome).toBe(ReadOutcome.formErr);
    expect(read([...header(), 0x80, 0x61, 0, ...u16(1), ...u16(1)]).outcome).toBe(ReadOutcome.formErr);
  });

  it('rejects pointers in the question: into the header, to itself, or forwards', () => {
    expect(read([...header(), 0xc0, 0x00, ...u16(1), ...u16(1)]).outcome).toBe(ReadOutcome.formErr);
    expect(read([...header(), 0xc0, 12, ...u16(1), ...u16(1)]).outcome).toBe(ReadOutcome.formErr);
    expect(read([...header(), 1, 0x61, 0xc0, 12, ...u16(1), ...u16(1)]).outcome).toBe(ReadOutcome.formErr);
    expect(read([...header(), 0xc0, 16, ...u16(1), ...u16(1), 0]).outcome).toBe(ReadOutcome.formErr);
    // A pointer whose second byte is missing.
    expect(read([...header(), 1, 0x61, 0xc0]).outcome).toBe(ReadOutcome.formErr);
  });

  it('rejects forward or header pointers and overruns in skipped records', () => {
    const base = query('example.com', 1);
    const tailAt = base.length;
    const forward = [0xc0, tailAt + 2, ...u16(1), ...u16(1), ...u32(0), ...u16(0)];
    expect(read(query('example.com', 1, { h: { an: 1 }, tail: forward })).outcome).toBe(ReadOutcome.formErr);
    const self = [0xc0, tailAt, ...u16(1), ...u16(1), ...u32(0), ...u16(0)];
    expect(read(query('example.com', 1, { h: { an: 1 }, tail: self })).outcome).toBe(ReadOutcome.formErr);
    const intoHeader = [0xc0, 3, ...u16(1), ...u16(1), ...u32(0), ...u16(0)];
    expect(read(query('example.com', 1, { h: { ns: 1 }, tail: intoHeader })).outcome).toBe(ReadOutcome.formErr);
    const overrun = [0xc0, 12, ...u16(1), ...u16(1), ...u32(0), ...u16(40), 1, 2];
    expect(read(query('example.com', 1, { h: { an: 1 }, tail: overrun })).outcome).toBe(ReadOutcome.formErr);
  });

  it('rejects record counts larger than the packet holds', () => {
    expect(read(query('example.com', 1, { h: { an: 0xffff } })).outcome).toBe(ReadOutcome.formErr);
    expect(read(query('example.com', 1, { h: { ar: 0xffff } })).outcome).toBe(ReadOutcome.formErr);
  });

  it('rejects two OPT records, an OPT not owned by the root, and an OPT overrunning the packet', () => {
    expect(read(query('a.b', 1, { h: { ar: 2 }, tail: [...opt(), ...opt()] })).outcome).toBe(ReadOutcome.formErr);
    expect(read(query('a.b', 1, { h: { ar: 1 }, tail: opt(1232, 0, 0, [], name('x')) })).outcome).toBe(ReadOutcome.formErr);
    const cut = opt(1232, 0, 0, [0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8]).slice(0, -3);
    expect(read(query('a.b', 1, { h: { ar: 1 }, tail: cut })).outcome).toBe(ReadOutcome.formErr);
  });

  it('answers BADVERS for an EDNS version other than 0, keeping the question', () => {
    const r = read(query('a.b', 1, { h: { ar: 1 }, tail: opt(1232, 1, 0x8000) }));
    expect(r.outcome).toBe(ReadOutcome.badVers);
    expect(r.q.hasQuestion).toBe(true);
    expect(r.q.ednsVersion).toBe(1);
    expect(r.q.edns).toBe(true);
  });
});
