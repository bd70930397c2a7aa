// Any well-formed question dns-packet can write, the hand-written reader reads back identically,
// and every reply built from it decodes to the same question.
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeReply } from '../../../firmware/dns/wire/replies.ts';
import { AnswerCheck, buildUpstreamQuery, checkUpstreamAnswer } from '../../../firmware/dns/upstream/upstream-message.ts';
import { ParsedQuery, ReadOutcome, readQuery } from '../../../firmware/dns/wire/question-reader.ts';

const label = fc.stringMatching(/^[A-Za-z0-9_-]{1,63}$/);
const domain = fc.array(label, { minLength: 1, maxLength: 10 })
  .filter((labels) => labels.reduce((n, l) => n + l.length + 1, 1) <= 255)
  .map((labels) => labels.join('.'));

const question = fc.record({
  id: fc.integer({ min: 0, max: 0xffff }),
  name: domain,
  qtype: fc.integer({ min: 1, max: 0xffff }),
  rd: fc.boolean(),
  cd: fc.boolean(),
  edns: fc.option(fc.record({ size: fc.integer({ min: 1, max: 0xffff }), dnssecOk: fc.boolean() }), { nil: undefined }),
});
type Question = typeof question extends fc.Arbitrary<infer T> ? T : never;

function encode(x: Question): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: x.id,
    flags: (x.rd ? dnsPacket.RECURSION_DESIRED : 0) | (x.cd ? dnsPacket.CHECKING_DISABLED : 0),
    questions: [{ name: x.name, type: typeName(x.qtype), class: 'IN' } as dnsPacket.Question],
    additionals: x.edns
      ? [{ type: 'OPT', name: '.', udpPayloadSize: x.edns.size, flags: x.edns.dnssecOk ? dnsPacket.DNSSEC_OK : 0 } as dnsPacket.Answer]
      : [],
  });
}

// dns-packet writes a payload size of 0 as 4096, hence sizes from 1.
// dns-packet accepts any numeric type written as UNKNOWN_n.
function typeName(qtype: number): string {
  return `UNKNOWN_${qtype}`;
}

describe('reader properties', () => {
  it('reads back every well-formed question', () => {
    fc.assert(fc.property(question, (x) => {
      const packet = encode(x);
      const q = new ParsedQuery();
      expect(readQuery(packet, q)).toBe(ReadOutcome.ok);
      expect(q.id).toBe(x.id);
      expect(q.name).toBe(x.name.toLowerCase());
      expect(q.labels).toBe(x.name.split('.').length);
      expect(q.qtype).toBe(x.qtype);
      expect(q.qclass).toBe(1);
      expect((q.flags & 0x0100) !== 0).toBe(x.rd);
      expect(q.questionEnd).toBe(12 + x.name.length + 2 + 4);
      expect(q.edns).toBe(x.edns !== undefined);
      if (x.edns) {
        expect(q.udpSize).toBe(Math.max(512, x.edns.size));
        expect(q.dnssecOk).toBe(x.edns.dnssecOk);
      }
    }), { numRuns: 2000 });
  });

  it('writes replies that decode to the same id and question', () => {
    fc.assert(fc.property(question, fc.constantFrom(0, 1, 2, 3, 4, 5), (x, rcode) => {
      const packet = encode(x);
      const q = new ParsedQuery();
      readQuery(packet, q);
      const d = dnsPacket.decode(writeReply(packet, q, rcode));
      expect(d.id).toBe(x.id);
      expect(d.questions).toHaveLength(1);
      expect(d.questions![0]!.name).toBe(x.name);
      expect(dnsPacket.decode(packet).questions![0]!.type).toBe(d.questions![0]!.type);
      expect(d.additionals!.length).toBe(x.edns ? 1 : 0);
    }), { numRuns: 1000 });
  });

  it('builds upstream queries with the same question and accepts only matching answers', () => {
    fc.assert(fc.property(question, fc.integer({ min: 0, max: 0xffff }), (x, id) => {
      const packet = encode(x);
      const q = new ParsedQuery();
      readQuery(packet, q);
      const upstream = buildUpstreamQuery(packet, q, id);
      const d = dnsPacket.decode(upstream);
      expect(d.id).toBe(id);
      expect(d.questions![0]!.name).toBe(x.name);
      expect((d.flags ?? 0) & dnsPacket.RECURSION_DESIRED).toBe(dnsPacket.RECURSION_DESIRED);
      expect(d.additionals!.length).toBe(x.edns ? 1 : 0);

      const answer = (over: { id?: number; name?: string }) => dnsPacket.encode({
        type: 'response', id: over.id ?? id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
        questions: [{ ...d.questions![0]!, name: over.name ?? d.questions![0]!.name }],
        answers: [],
      });
      // Resolvers may echo the name in another case (0x20 randomisation): still our answer.
      expect(checkUpstreamAnswer(answer({ name: x.name.toUpperCase() }), upstream)).toBe(AnswerCheck.ok);
      expect(checkUpstreamAnswer(answer({ id: (id + 1) & 0xffff }), upstream)).toBe(AnswerCheck.mismatch);
      const other = (/^[qQ]/.test(x.name) ? 'z' : 'q') + x.name.slice(1);
      expect(checkUpstreamAnswer(answer({ name: other }), upstream)).toBe(AnswerCheck.mismatch);
      expect(checkUpstreamAnswer(upstream, upstream)).toBe(AnswerCheck.mismatch); // QR clear: a query, not an answer
    }), { numRuns: 500 });
  });
});
