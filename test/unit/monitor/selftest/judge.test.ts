// The self-test's comparison: replies built by the gateway's own reply writer, read back and
// judged against each kind of expectation. A check that can only pass would prove nothing, so
// every expectation is shown failing, and the fail-opens told apart from the other failures.
import { describe, expect, it } from 'vitest';
import { encodeName } from '../../../../firmware/dns/wire/name-writer.ts';
import { ParsedQuery, readQuery } from '../../../../firmware/dns/wire/question-reader.ts';
import { aRecord, cnameRecord, writeReply, type SynthRecord } from '../../../../firmware/dns/wire/replies.ts';
import { Rcode } from '../../../../firmware/dns/wire/constants.ts';
import { judge, questionPacket, readReply, type JudgeContext, type Outcome } from '../../../../firmware/monitor/selftest/judge.ts';
import type { PlannedCheck } from '../../../../firmware/monitor/selftest/selftest-schema.ts';

const BLOCK_PAGE = '10.20.0.1';
const PAGE: JudgeContext = { blockPage: BLOCK_PAGE, blockAnswer: 'block-page' };
const NX: JudgeContext = { blockPage: BLOCK_PAGE, blockAnswer: 'nxdomain' };

/** The bytes the gateway would send for `name`: its question, with `rcode` and `records`. */
function replyBytes(name: string, id: number, rcode: number, records: (SynthRecord | undefined)[]): Uint8Array {
  const request = questionPacket(name, id);
  const q = new ParsedQuery();
  readQuery(request, q);
  return writeReply(request, q, rcode, records.map((r) => r!));
}

function outcome(name: string, rcode: number, records: (SynthRecord | undefined)[] = []): Outcome {
  return { reply: readReply(replyBytes(name, 7, rcode, records), 7, name)! };
}

const check = (expected: PlannedCheck['expected'], extra: Partial<PlannedCheck> = {}): PlannedCheck => ({
  kind: 'category', subject: 'social', name: 'www.facebook.com', critical: false, expected, ...extra,
});

const blockPage = (name: string): Outcome => outcome(name, Rcode.NOERROR, [aRecord(BLOCK_PAGE, 60)]);
const internet = (name: string): Outcome => outcome(name, Rcode.NOERROR, [aRecord('198.51.100.81', 300)]);
const nxdomain = (name: string): Outcome => outcome(name, Rcode.NXDOMAIN);
const servfail = (name: string): Outcome => outcome(name, Rcode.SERVFAIL);
const safeHost = (name: string, host: string): Outcome =>
  outcome(name, Rcode.NOERROR, [cnameRecord(host, 300), aRecord('198.51.100.90', 300, encodeName(host))]);

describe('reading a reply', () => {
  it('reads the rcode, the addresses and the CNAME targets of the answer section', () => {
    const got = safeHost('www.google.com', 'forcesafesearch.google.com');
    expect(got).toEqual({ reply: { rcode: Rcode.NOERROR, addresses: ['198.51.100.90'], cnames: ['forcesafesearch.google.com'] } });
  });

  it('refuses a reply to another question or with another id, and bytes that are not a reply', () => {
    const bytes = replyBytes('www.facebook.com', 9, Rcode.NOERROR, [aRecord(BLOCK_PAGE, 60)]);
    expect(readReply(bytes, 9, 'www.facebook.com')).toBeDefined();
    expect(readReply(bytes, 10, 'www.facebook.com')).toBeUndefined();
    expect(readReply(bytes, 9, 'facebook.com')).toBeUndefined();
    expect(readReply(questionPacket('www.facebook.com', 9), 9, 'www.facebook.com')).toBeUndefined();
    expect(readReply(bytes.subarray(0, 20), 9, 'www.facebook.com')).toBeUndefined();
  });
});

describe('judging a check', () => {
  const name = 'www.facebook.com';
  it.each<[string, PlannedCheck, Outcome, JudgeContext, { pass: boolean; failOpen: boolean; got: string }]>([
    ['blocked, answered with the block page', check('blocked', { blockAnswer: 'block-page' }), blockPage(name), PAGE,
      { pass: true, failOpen: false, got: '10.20.0.1 (block page)' }],
    ['blocked, answered from the internet', check('blocked', { blockAnswer: 'block-page' }), internet(name), PAGE,
      { pass: false, failOpen: true, got: '198.51.100.81 (should be blocked)' }],
    ['blocked, passed on to the internet, which knows no such name', check('blocked', { blockAnswer: 'block-page' }), nxdomain(name), PAGE,
      { pass: false, failOpen: true, got: 'NXDOMAIN (should be blocked)' }],
    ['blocked, but the upstreams failed', check('blocked', { blockAnswer: 'block-page' }), servfail(name), PAGE,
      { pass: false, failOpen: false, got: 'SERVFAIL' }],
    ['blocked with NXDOMAIN under a policy that answers so', check('blocked', { blockAnswer: 'nxdomain' }), nxdomain(name), NX,
      { pass: true, failOpen: false, got: 'NXDOMAIN' }],
    ['blocked with 0.0.0.0, answered so', check('blocked', { blockAnswer: 'null-address' }), outcome(name, Rcode.NOERROR, [aRecord('0.0.0.0', 60)]), PAGE,
      { pass: true, failOpen: false, got: '0.0.0.0' }],
    ['allowed, answered from the internet', check('allowed'), internet(name), PAGE,
      { pass: true, failOpen: false, got: '198.51.100.81' }],
    ['allowed, and the internet knows no such name', check('allowed'), nxdomain(name), PAGE,
      { pass: true, failOpen: false, got: 'NXDOMAIN' }],
    ['allowed, but answered with the block page', check('allowed'), blockPage(name), PAGE,
      { pass: false, failOpen: false, got: '10.20.0.1 (block page) (blocked, but the policy allows it)' }],
    ['allowed, but the upstreams failed', check('allowed'), servfail(name), PAGE,
      { pass: false, failOpen: false, got: 'SERVFAIL' }],
    ['a canary answered NXDOMAIN', check('canary'), nxdomain('use-application-dns.net'), PAGE,
      { pass: true, failOpen: false, got: 'NXDOMAIN' }],
    ['a canary answered with an address: DoH switches on', check('canary'), internet('use-application-dns.net'), PAGE,
      { pass: false, failOpen: true, got: '198.51.100.81 (must be NXDOMAIN)' }],
    ['safe search rewritten to the safe host', check('rewritten', { rewrite: 'forcesafesearch.google.com' }), safeHost(name, 'forcesafesearch.google.com'), PAGE,
      { pass: true, failOpen: false, got: 'CNAME forcesafesearch.google.com -> 198.51.100.90' }],
    ['safe search answered with the engine\'s own address', check('rewritten', { rewrite: 'forcesafesearch.google.com' }), internet(name), PAGE,
      { pass: false, failOpen: true, got: '198.51.100.81 (should be forcesafesearch.google.com)' }],
    ['safe search rewritten to the wrong host (moderate where strict is due)', check('rewritten', { rewrite: 'restrict.youtube.com' }), safeHost(name, 'restrictmoderate.youtube.com'), PAGE,
      { pass: false, failOpen: true, got: 'CNAME restrictmoderate.youtube.com -> 198.51.100.90 (should be restrict.youtube.com)' }],
    ['safe search, but the safe host could not be resolved', check('rewritten', { rewrite: 'forcesafesearch.google.com' }), servfail(name), PAGE,
      { pass: false, failOpen: false, got: 'SERVFAIL' }],
    ['no reply at all', check('blocked', { blockAnswer: 'block-page' }), { none: 'no reply within 5 s' }, PAGE,
      { pass: false, failOpen: false, got: 'no reply within 5 s' }],
  ])('%s', (_, planned, got, context, verdict) => {
    expect(judge(planned, got, context)).toEqual({ ...planned, ...verdict });
  });
});
