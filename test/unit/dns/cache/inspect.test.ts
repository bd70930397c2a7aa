// Answer inspection: the CNAME/DNAME chain as the pipeline must re-check it, the addresses it must
// judge, and the chains it must refuse outright.
import { describe, expect, it } from 'vitest';
import { InspectOutcome, Inspection, MAX_CHAIN, inspectAnswer } from '../../../../firmware/dns/answers/inspection.ts';
import { rebindingVerdict } from '../../../../firmware/dns/answers/private-addresses.ts';
import { header, name, u16, u32 } from '../packets.ts';
import { a, aaaa, cname, dname, response, soa, type Rr } from './responses.ts';

const Q = { name: 'www.example.com', qtype: 1 };

function addresses(out: Inspection): string[] {
  const list: string[] = [];
  for (let i = 0; i < out.addressCount; i++) {
    const b = out.addressBytes.subarray(i * 16, i * 16 + 16);
    if (out.addressFamily[i] === 4) list.push(Array.from(b.subarray(0, 4)).join('.'));
    else list.push(Array.from({ length: 8 }, (_, g) => ((b[g * 2]! << 8) | b[g * 2 + 1]!).toString(16)).join(':'));
  }
  return list;
}

/** www.example.com → c1.test → c2.test → … → c<n>.test, then an A record at the end. */
function chain(n: number): Rr[] {
  const records: Rr[] = [];
  let from = 'www.example.com';
  for (let i = 1; i <= n; i++) {
    records.push(cname(from, `c${i}.test`));
    from = `c${i}.test`;
  }
  records.push(a(from, '192.0.2.1'));
  return records;
}

describe('inspectAnswer', () => {
  it('a plain answer: no chain, its addresses, the smallest TTL', () => {
    const out = new Inspection();
    const reply = response({ answers: [a('www.example.com', '192.0.2.1', 300), a('www.example.com', '192.0.2.2', 120)], edns: {} });
    expect(inspectAnswer(reply, Q, out)).toBe(InspectOutcome.ok);
    expect(out.targets).toEqual([]);
    expect(out.finalName).toBe('www.example.com');
    expect(addresses(out)).toEqual(['192.0.2.1', '192.0.2.2']);
    // The OPT record's TTL word is 0 here; it must not count.
    expect(out.minTtl).toBe(120);
  });

  it('follows a CNAME chain in order, however the records are shuffled', () => {
    const out = new Inspection();
    const reply = response({
      answers: [
        a('edge.cdn.test', '192.0.2.9', 20),
        cname('cdn.example.net', 'edge.cdn.test', 600),
        cname('www.example.com', 'cdn.example.net', 3600),
      ],
      authorities: [soa('example.com', 900, 60)],
    });
    expect(inspectAnswer(reply, Q, out)).toBe(InspectOutcome.ok);
    expect(out.targets).toEqual(['cdn.example.net', 'edge.cdn.test']);
    expect(out.finalName).toBe('edge.cdn.test');
    expect(addresses(out)).toEqual(['192.0.2.9']);
    expect(out.minTtl).toBe(20);
  });

  it('reads compressed, mixed-case CNAME targets', () => {
    // The CNAME points at "CDN" + a pointer to "example.com" inside the question.
    const bytes = Uint8Array.from([
      ...header({ id: 1, flags: 0x8180, an: 2 }), ...name('www.example.com'), ...u16(1), ...u16(1),
      0xc0, 12, ...u16(5), ...u16(1), ...u32(60), ...u16(6), 3, 0x43, 0x44, 0x4e, 0xc0, 16,
      0xc0, 45, ...u16(1), ...u16(1), ...u32(60), ...u16(4), 10, 1, 2, 3,
    ]);
    const out = new Inspection();
    expect(inspectAnswer(bytes, Q, out)).toBe(InspectOutcome.ok);
    expect(out.targets).toEqual(['cdn.example.com']);
    expect(addresses(out)).toEqual(['10.1.2.3']);
  });

  it('collects A and AAAA together', () => {
    const out = new Inspection();
    const reply = response({
      answers: [cname('www.example.com', 'dual.test'), aaaa('dual.test', '2001:db8::5'), a('dual.test', '198.51.100.5'), aaaa('dual.test', 'fd00::1')],
    });
    expect(inspectAnswer(reply, Q, out)).toBe(InspectOutcome.ok);
    expect(addresses(out)).toEqual(['2001:db8:0:0:0:0:0:5', '198.51.100.5', 'fd00:0:0:0:0:0:0:1']);
    expect(Array.from(out.addressFamily.subarray(0, 3))).toEqual([6, 4, 6]);
  });

  it('grows its address table for large answers and resets between uses', () => {
    const out = new Inspection();
    const many = Array.from({ length: 30 }, (_, i) => a('www.example.com', `192.0.2.${i}`));
    expect(inspectAnswer(response({ answers: many }), Q, out)).toBe(InspectOutcome.ok);
    expect(out.addressCount).toBe(30);
    expect(addresses(out)[29]).toBe('192.0.2.29');
    expect(inspectAnswer(response({ answers: chain(2) }), Q, out)).toBe(InspectOutcome.ok);
    expect(out.addressCount).toBe(1);
    expect(out.targets).toEqual(['c1.test', 'c2.test']);
  });

  it('accepts a chain of exactly MAX_CHAIN and refuses one longer', () => {
    const out = new Inspection();
    expect(MAX_CHAIN).toBe(16);
    expect(inspectAnswer(response({ answers: chain(16) }), Q, out)).toBe(InspectOutcome.ok);
    expect(out.targets).toHaveLength(16);
    expect(out.targets.at(-1)).toBe('c16.test');
    expect(inspectAnswer(response({ answers: chain(17) }), Q, out)).toBe(InspectOutcome.chainTooLong);
    expect(out.outcome).toBe(InspectOutcome.chainTooLong);
  });

  it('refuses loops, back to the question or between targets', () => {
    const out = new Inspection();
    expect(inspectAnswer(response({ answers: [cname('www.example.com', 'www.example.com')] }), Q, out)).toBe(InspectOutcome.chainLoop);
    expect(inspectAnswer(response({ answers: [cname('www.example.com', 'b.test'), cname('b.test', 'WWW.example.com')] }), Q, out)).toBe(InspectOutcome.chainLoop);
    expect(inspectAnswer(response({ answers: [cname('www.example.com', 'b.test'), cname('b.test', 'c.test'), cname('c.test', 'b.test')] }), Q, out)).toBe(InspectOutcome.chainLoop);
  });

  it('follows a DNAME, with or without the synthesised CNAME beside it', () => {
    const q = { name: 'host.old.test', qtype: 1 };
    const out = new Inspection();
    expect(inspectAnswer(response({ qname: 'host.old.test', answers: [dname('old.test', 'new.example'), a('host.new.example', '192.0.2.3')] }), q, out)).toBe(InspectOutcome.ok);
    expect(out.targets).toEqual(['host.new.example']);
    expect(out.finalName).toBe('host.new.example');
    const withCname = response({
      qname: 'host.old.test',
      answers: [dname('old.test', 'new.example'), cname('host.old.test', 'host.new.example'), cname('host.new.example', 'blocked.test'), a('blocked.test', '192.0.2.3')],
    });
    expect(inspectAnswer(withCname, q, out)).toBe(InspectOutcome.ok);
    expect(out.targets).toEqual(['host.new.example', 'blocked.test']);
    // A DNAME applies below its owner, never to the owner itself.
    expect(inspectAnswer(response({ qname: 'old.test', answers: [dname('old.test', 'new.example')] }), { name: 'old.test', qtype: 1 }, out)).toBe(InspectOutcome.ok);
    expect(out.targets).toEqual([]);
  });

  it('refuses a DNAME whose synthesised name would exceed 255 bytes', () => {
    const long = Array.from({ length: 4 }, () => 'x'.repeat(60)).join('.');
    const qname = `${'y'.repeat(60)}.old.test`;
    const out = new Inspection();
    expect(inspectAnswer(response({ qname, answers: [dname('old.test', long)] }), { name: qname, qtype: 1 }, out)).toBe(InspectOutcome.malformed);
  });

  it('keeps the chain of a negative answer (NXDOMAIN at the end of a CNAME)', () => {
    const out = new Inspection();
    const reply = response({ rcode: 3, answers: [cname('www.example.com', 'gone.test', 300)], authorities: [soa('test', 900, 30)] });
    expect(inspectAnswer(reply, Q, out)).toBe(InspectOutcome.ok);
    expect(out.targets).toEqual(['gone.test']);
    expect(out.addressCount).toBe(0);
    expect(out.minTtl).toBe(300);
  });

  it('refuses an answer to another question, and malformed ones', () => {
    const out = new Inspection();
    expect(inspectAnswer(response({ qname: 'other.test' }), Q, out)).toBe(InspectOutcome.questionMismatch);
    expect(inspectAnswer(response({ qtype: 'AAAA' }), Q, out)).toBe(InspectOutcome.questionMismatch);
    expect(inspectAnswer(Uint8Array.of(0, 1, 0x81), Q, out)).toBe(InspectOutcome.malformed);
    const badA = Uint8Array.from([
      ...header({ id: 1, flags: 0x8180, an: 1 }), ...name('www.example.com'), ...u16(1), ...u16(1),
      0xc0, 12, ...u16(1), ...u16(1), ...u32(60), ...u16(3), 10, 1, 2,
    ]);
    expect(inspectAnswer(badA, Q, out)).toBe(InspectOutcome.malformed);
    const badCname = Uint8Array.from([
      ...header({ id: 1, flags: 0x8180, an: 1 }), ...name('www.example.com'), ...u16(1), ...u16(1),
      0xc0, 12, ...u16(5), ...u16(1), ...u32(60), ...u16(3), 0xc0, 12, 0,
    ]);
    expect(inspectAnswer(badCname, Q, out)).toBe(InspectOutcome.malformed);
  });

  it('feeds the rebinding verdict', () => {
    const policy = { enabled: true, allowedDomains: [], localDomain: 'schoolgate.home.arpa' };
    const out = new Inspection();
    inspectAnswer(response({ answers: [cname('www.example.com', 'cdn.test'), a('cdn.test', '192.168.1.20')] }), Q, out);
    expect(rebindingVerdict(Q.name, out, policy)).toBe('refused');
    inspectAnswer(response({ answers: [a('www.example.com', '198.51.100.20')] }), Q, out);
    expect(rebindingVerdict(Q.name, out, policy)).toBe('allowed');
  });
});
