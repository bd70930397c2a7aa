// Hostile upstream bytes: random and mutated answers through the walker, the typed RDATA readers,
// inspection and the cache. Reads go through a view that throws on any index outside the bytes,
// so "never throws" here also proves "never reads out of bounds".
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AnswerCache, CacheHit, cacheKey } from '../../../../firmware/dns/answers/answer-cache.ts';
import { InspectOutcome, Inspection, inspectAnswer } from '../../../../firmware/dns/answers/inspection.ts';
import { ParsedMessage, ipv4At, ipv6OffsetAt, rdataName, readMessage, soaMinimum } from '../../../../firmware/dns/wire/message-reader.ts';
import { a, aaaa, cname, dname, guarded, response, soa, txt } from './responses.ts';

const RUNS = Number(process.env.SCHOOLGATE_FUZZ_RUNS ?? 3000);

const seeds: Uint8Array[] = [
  response({ answers: [cname('www.example.com', 'cdn.example.net'), a('cdn.example.net', '192.0.2.1'), aaaa('cdn.example.net', '2001:db8::1')], edns: { dnssecOk: true } }),
  response({ rcode: 3, authorities: [soa('example.com', 3600, 60)] }),
  response({ qname: 'x.old.test', answers: [dname('old.test', 'new.test'), cname('x.old.test', 'x.new.test'), a('x.new.test', '10.0.0.1')] }),
  response({ qtype: 'TXT', answers: [txt('www.example.com', 'v=spf1 -all')], additionals: [a('ns.example.com', '198.51.100.1')] }),
  // Hand-compressed: answers pointing into the question and into each other.
  Uint8Array.from([
    0, 7, 0x81, 0x80, 0, 1, 0, 2, 0, 1, 0, 0,
    3, 0x77, 0x77, 0x77, 7, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 3, 0x63, 0x6f, 0x6d, 0, 0, 1, 0, 1,
    0xc0, 12, 0, 5, 0, 1, 0, 0, 1, 0x2c, 0, 6, 3, 0x63, 0x64, 0x6e, 0xc0, 16,
    0xc0, 45, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 9,
    0xc0, 16, 0, 6, 0, 1, 0, 0, 0x0e, 0x10, 0, 24, 0xc0, 16, 0xc0, 16, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 60,
  ]),
];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('pointer' as const), at: fc.nat(), target: fc.nat({ max: 0x3fff }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(seed: Uint8Array, mutations: Mutation[]): Uint8Array {
  let bytes = Array.from(seed);
  for (const m of mutations) {
    if (bytes.length === 0) break;
    const at = m.at % bytes.length;
    if (m.kind === 'set') bytes[at] = m.value;
    else if (m.kind === 'flip') bytes[at] = bytes[at]! ^ (1 << m.bit);
    else if (m.kind === 'cut') bytes = bytes.slice(0, at);
    else if (m.kind === 'insert') bytes.splice(at, 0, ...m.bytes);
    else bytes.splice(at, 2, 0xc0 | (m.target >>> 8), m.target & 0xff);
  }
  return Uint8Array.from(bytes);
}

const mutated = fc.tuple(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }))
  .map(([i, ms]) => mutate(seeds[i]!, ms));
const randomBytes = fc.uint8Array({ maxLength: 600 });
const headerPlusRandom = fc.uint8Array({ maxLength: 300 }).map((tail) => Uint8Array.from([0, 1, 0x81, 0x80, 0, 1, 0, 3, 0, 1, 0, 1, ...tail]));

const msg = new ParsedMessage();
const inspection = new Inspection();
const cache = new AnswerCache({ maxEntries: 50, minTtl: 0, maxTtl: 86400, negativeTtl: 300, staleTtl: 600, maxBytes: 64 * 1024 });
const hit = new CacheHit();
let walked = 0;

function exercise(raw: Uint8Array): void {
  const bytes = guarded(raw);
  if (readMessage(bytes, msg)) {
    walked++;
    expect(msg.end).toBeLessThanOrEqual(raw.length);
    expect(msg.owner.length).toBe(msg.recordCount);
    for (let i = 0; i < msg.recordCount; i++) {
      expect(msg.ttlOffset[i]! + 4).toBeLessThanOrEqual(raw.length);
      expect(msg.rdataOffset[i]! + msg.rdataLength[i]!).toBeLessThanOrEqual(msg.end);
      expect(msg.ttl[i]).toBeLessThanOrEqual(0x7fffffff);
      rdataName(bytes, msg, i);
      soaMinimum(bytes, msg, i);
      ipv4At(bytes, msg, i);
      ipv6OffsetAt(bytes, msg, i);
    }
  }
  const outcome = inspectAnswer(bytes, { name: msg.qname || 'www.example.com', qtype: msg.qtype || 1 }, inspection);
  expect(Object.values(InspectOutcome)).toContain(outcome);
  expect(inspection.targets.length).toBeLessThanOrEqual(16);
  cache.store(bytes, 1000, false, false);
  if (msg.hasQuestion) {
    const key = cacheKey(msg.qname, msg.qtype, msg.qclass, false, false);
    if (cache.lookup(key, 0xabcd, 2000, hit)) {
      expect(hit.reply[0]).toBe(0xab);
      expect(hit.reply[1]).toBe(0xcd);
      expect(readMessage(hit.reply, msg)).toBe(true);
    }
  }
}

describe('hostile answers', () => {
  it('the seeds themselves are well formed', () => {
    for (const seed of seeds) expect(readMessage(seed, msg)).toBe(true);
  });

  it('the guard catches a stray read', () => {
    const bytes = guarded(seeds[0]!);
    expect(() => bytes[seeds[0]!.length]).toThrow(RangeError);
    expect(() => bytes[-1]).toThrow(RangeError);
  });

  it('mutated answers never throw or read out of bounds', () => {
    walked = 0;
    fc.assert(fc.property(mutated, (bytes) => exercise(bytes)), { numRuns: RUNS });
    // Enough mutants must survive the walk for the deeper readers to be exercised at all.
    expect(walked).toBeGreaterThan(RUNS / 20);
  });

  it('random bytes never throw or read out of bounds', () => {
    fc.assert(fc.property(fc.oneof(randomBytes, headerPlusRandom), (bytes) => exercise(bytes)), { numRuns: RUNS });
  });
});
