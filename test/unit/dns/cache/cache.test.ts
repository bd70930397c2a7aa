// The answer cache with real answers: TTL arithmetic and clamps, negative caching, the stale
// window, both eviction bounds, and that every hit is a private copy with the client's ID.
import { describe, expect, it } from 'vitest';
import { AnswerCache, CacheHit, STALE_TTL, StoreOutcome, cacheKey, queryCacheKey, type AnswerCacheOptions } from '../../../../firmware/dns/answers/answer-cache.ts';
import { ParsedMessage, readMessage } from '../../../../firmware/dns/wire/message-reader.ts';
import { ParsedQuery, readQuery } from '../../../../firmware/dns/wire/question-reader.ts';
import { decodeReply } from '../decoded.ts';
import { query } from '../packets.ts';
import { a, aaaa, cname, response, soa, txt, u32At, type ResponseSpec, type Rr } from './responses.ts';

const BASE: AnswerCacheOptions = { maxEntries: 1000, minTtl: 0, maxTtl: 86400, negativeTtl: 300, staleTtl: 3600 };
const T0 = 1_000_000;
const sec = (s: number): number => T0 + s * 1000;
const keyA = (name = 'www.example.com', type = 1): string => cacheKey(name, type, 1, false, false);

function cache(options: Partial<AnswerCacheOptions> = {}): AnswerCache {
  return new AnswerCache({ ...BASE, ...options });
}

/** TTLs of every non-OPT record of a reply, in wire order. */
function ttls(reply: Uint8Array): number[] {
  const msg = new ParsedMessage();
  expect(readMessage(reply, msg)).toBe(true);
  const out: number[] = [];
  for (let i = 0; i < msg.recordCount; i++) if (msg.type[i] !== 41) out.push(msg.ttl[i]!);
  return out;
}

function hitAt(c: AnswerCache, key: string, at = T0, id = 0x1111): CacheHit | undefined {
  const out = new CacheHit();
  return c.lookup(key, id, at, out) ? out : undefined;
}

const positive = (spec: ResponseSpec = {}): Uint8Array =>
  response({ answers: [a('www.example.com', '192.0.2.1', 300)], ...spec });

describe('AnswerCache: hostile answers', () => {
  it('refuses an answer whose compression pointer aims into a TTL field (the served copy would parse differently)', () => {
    // Found by the fuzz test: the second answer's owner points at offset 40, a zero byte inside the
    // first answer's TTL, which reads as the root name until the TTL is rewritten.
    const raw = Uint8Array.from([0, 7, 129, 128, 0, 1, 0, 2, 0, 1, 0, 0, 3, 119, 119, 119, 7, 101, 120, 97, 109, 112, 108, 101, 3, 99, 111, 109, 0, 0, 1, 0, 1, 192, 12, 0, 5, 0, 1, 8, 0, 1, 44, 0, 6, 3, 99, 238, 246, 192, 16, 192, 40, 0, 1, 0, 1, 0, 1, 0, 60, 0, 4, 134, 0, 2, 9, 192, 16, 0, 6, 0, 1, 0, 0, 14, 16, 0, 24, 192, 16, 192, 16, 0, 0, 0, 1, 0, 0, 0, 2, 111, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 60]);
    expect(readMessage(raw, new ParsedMessage())).toBe(true);
    const cache = new AnswerCache({ maxEntries: 10, minTtl: 0, maxTtl: 86400, negativeTtl: 300, staleTtl: 600 });
    expect(cache.store(raw, 0, false, false)).toBe(StoreOutcome.malformed);
    expect(cache.size).toBe(0);
  });
});

describe('AnswerCache: positive answers', () => {
  it('serves a copy with the request ID and every TTL lowered by whole elapsed seconds', () => {
    const c = cache();
    const reply = response({
      answers: [cname('www.example.com', 'edge.example.net', 600), a('edge.example.net', '192.0.2.1', 300)],
      additionals: [txt('note.example.com', 'x', 900)],
    });
    expect(c.store(reply, T0, false, false)).toBe(StoreOutcome.stored);
    const hit = hitAt(c, keyA(), sec(10.9), 0xbeef)!;
    expect(hit).toBeDefined();
    expect(hit.reply[0]).toBe(0xbe);
    expect(hit.reply[1]).toBe(0xef);
    expect(ttls(hit.reply)).toEqual([590, 290, 890]);
    expect(hit.ttl).toBe(290);
    expect(hit.negative).toBe(false);
    expect(hit.stale).toBe(false);
    // Apart from ID and TTLs the bytes are the upstream's.
    const d = decodeReply(hit.reply);
    expect(d.answers.map((r) => r.data)).toEqual(['edge.example.net', '192.0.2.1']);
    expect(hit.reply.length).toBe(reply.length);
  });

  it('expires at the smallest TTL: one second before still serves TTL 1, at it misses', () => {
    const c = cache();
    c.store(positive(), T0, false, false);
    expect(ttls(hitAt(c, keyA(), sec(299.999))!.reply)).toEqual([1]);
    expect(hitAt(c, keyA(), sec(300))).toBeUndefined();
  });

  it('raises short TTLs to minTtl and caps long ones at maxTtl', () => {
    const c = cache({ minTtl: 60, maxTtl: 1000 });
    c.store(response({ answers: [a('www.example.com', '192.0.2.1', 5), a('www.example.com', '192.0.2.2', 50_000)] }), T0, false, false);
    expect(ttls(hitAt(c, keyA(), T0)!.reply)).toEqual([60, 1000]);
    expect(ttls(hitAt(c, keyA(), sec(59))!.reply)).toEqual([1, 941]);
    expect(hitAt(c, keyA(), sec(60))).toBeUndefined();
  });

  it('never caches an answer whose TTL is 0 after clamping, but does once minTtl lifts it', () => {
    const zero = response({ answers: [a('www.example.com', '192.0.2.1', 0)] });
    expect(cache().store(zero, T0, false, false)).toBe(StoreOutcome.zeroTtl);
    const lifted = cache({ minTtl: 30 });
    expect(lifted.store(zero, T0, false, false)).toBe(StoreOutcome.stored);
    expect(ttls(hitAt(lifted, keyA(), T0)!.reply)).toEqual([30]);
  });

  it('does not cache SERVFAIL, REFUSED, FORMERR, truncated or extended-rcode answers', () => {
    const c = cache();
    expect(c.store(response({ rcode: 2 }), T0, false, false)).toBe(StoreOutcome.uncacheableRcode);
    expect(c.store(response({ rcode: 5 }), T0, false, false)).toBe(StoreOutcome.uncacheableRcode);
    expect(c.store(response({ rcode: 1 }), T0, false, false)).toBe(StoreOutcome.uncacheableRcode);
    expect(c.store(positive({ flags: 0x0200 }), T0, false, false)).toBe(StoreOutcome.truncated);
    expect(c.store(positive({ edns: { extendedRcode: 1 } }), T0, false, false)).toBe(StoreOutcome.uncacheableRcode);
    expect(c.store(Uint8Array.of(1, 2, 3), T0, false, false)).toBe(StoreOutcome.malformed);
    expect(c.store(query('www.example.com'), T0, false, false)).toBe(StoreOutcome.notAnswer);
    expect(c.size).toBe(0);
  });

  it('leaves the OPT record alone: its TTL field carries the DO bit and extended rcode', () => {
    const c = cache();
    const reply = positive({ edns: { dnssecOk: true } });
    c.store(reply, T0, true, false);
    const msg = new ParsedMessage();
    readMessage(reply, msg);
    const optTtlAt = msg.ttlOffset[msg.optIndex]!;
    const hit = hitAt(c, cacheKey('www.example.com', 1, 1, true, false), sec(100))!;
    expect(u32At(hit.reply, optTtlAt)).toBe(0x8000);
    expect(Array.from(hit.reply.subarray(optTtlAt - 4, optTtlAt + 6))).toEqual(Array.from(reply.subarray(optTtlAt - 4, optTtlAt + 6)));
    expect(decodeReply(hit.reply).additionals[0]!.flag_do).toBe(true);
    expect(ttls(hit.reply)).toEqual([200]);
  });

  it('does not take the OPT word for a TTL, wherever the OPT sits', () => {
    const c = cache();
    // Without DO the OPT word is 0: read as a TTL it would make the answer uncacheable.
    expect(c.store(positive({ edns: {} }), T0, false, false)).toBe(StoreOutcome.stored);
    const optFirst = positive({
      additionals: [
        { name: '.', type: 'OPT', udpPayloadSize: 1232, flags: 0, options: [] } as unknown as Rr,
        txt('note.example.com', 'x', 900),
      ],
    });
    const d = cache();
    expect(d.store(optFirst, T0, false, false)).toBe(StoreOutcome.stored);
    const hit = hitAt(d, keyA(), sec(10))!;
    expect(ttls(hit.reply)).toEqual([290, 890]);
    const msg = new ParsedMessage();
    readMessage(hit.reply, msg);
    expect(msg.optIndex).toBe(1);
    expect(u32At(hit.reply, msg.ttlOffset[1]!)).toBe(0);
  });

  it('clears AA: a cached answer is not authoritative', () => {
    const c = cache();
    c.store(positive({ flags: 0x0400 }), T0, false, false);
    const hit = hitAt(c, keyA(), T0)!;
    expect((hit.reply[2]! << 8) & 0x0400).toBe(0);
    expect(hit.reply[2]! & 0x80).toBe(0x80); // still a response
  });

  it('hands out copies that never alias the stored bytes or each other', () => {
    const c = cache();
    const reply = positive();
    c.store(reply, T0, false, false);
    reply.fill(0); // the caller reuses its buffer
    const first = hitAt(c, keyA(), T0, 1)!.reply;
    first.fill(0xff);
    const second = hitAt(c, keyA(), T0, 2)!.reply;
    expect(second).not.toBe(first);
    expect(second.buffer).not.toBe(first.buffer);
    expect(decodeReply(second).answers[0]!.data).toBe('192.0.2.1');
    expect(second[1]).toBe(2);
  });

  it('keys on name case-insensitively, type, class and the DO and CD bits', () => {
    const c = cache();
    c.store(response({ qname: 'WWW.Example.COM', answers: [a('www.example.com', '192.0.2.1')] }), T0, false, false);
    c.store(response({ qtype: 'AAAA', answers: [aaaa('www.example.com', '2001:db8::1')] }), T0, false, true);
    expect(hitAt(c, keyA())).toBeDefined();
    expect(hitAt(c, cacheKey('www.example.com', 1, 1, true, false))).toBeUndefined();
    expect(hitAt(c, cacheKey('www.example.com', 1, 1, false, true))).toBeUndefined();
    expect(hitAt(c, cacheKey('www.example.com', 28, 1, false, false))).toBeUndefined();
    expect(hitAt(c, cacheKey('www.example.com', 28, 1, false, true))).toBeDefined();
    expect(hitAt(c, cacheKey('www.example.com', 1, 3, false, false))).toBeUndefined();

    const q = new ParsedQuery();
    readQuery(query('www.EXAMPLE.com', 1), q);
    expect(queryCacheKey(q)).toBe(keyA());
  });

  it('replaces an entry stored again under the same key, bytes accounted once', () => {
    const c = cache();
    c.store(positive(), T0, false, false);
    const bytes = c.stats().bytes;
    c.store(response({ answers: [a('www.example.com', '192.0.2.99', 300)] }), sec(1), false, false);
    expect(c.stats()).toMatchObject({ entries: 1, bytes });
    expect(decodeReply(hitAt(c, keyA(), sec(1))!.reply).answers[0]!.data).toBe('192.0.2.99');
  });

  it('does not stretch TTLs when the clock steps backwards', () => {
    const c = cache();
    c.store(positive(), T0, false, false);
    expect(ttls(hitAt(c, keyA(), T0 - 5000)!.reply)).toEqual([300]);
  });

  it('with maxEntries 0 is off', () => {
    const c = cache({ maxEntries: 0 });
    expect(c.store(positive(), T0, false, false)).toBe(StoreOutcome.off);
    expect(hitAt(c, keyA())).toBeUndefined();
  });
});

describe('AnswerCache: negative answers', () => {
  it('caches NXDOMAIN for the SOA MINIMUM when that is the least', () => {
    const c = cache();
    c.store(response({ rcode: 3, authorities: [soa('example.com', 3600, 60)] }), T0, false, false);
    const hit = hitAt(c, keyA(), sec(20))!;
    expect(hit.negative).toBe(true);
    expect(hit.rcode).toBe(3);
    expect(decodeReply(hit.reply).rcode).toBe('NXDOMAIN');
    // The SOA's TTL is rewritten to the negative TTL still left.
    expect(ttls(hit.reply)).toEqual([40]);
    expect(hitAt(c, keyA(), sec(60))).toBeUndefined();
  });

  it('takes the SOA TTL when it is below MINIMUM, and negativeTtl when that is below both', () => {
    const c = cache();
    c.store(response({ rcode: 3, authorities: [soa('example.com', 30, 600)] }), T0, false, false);
    expect(ttls(hitAt(c, keyA(), T0)!.reply)).toEqual([30]);
    const capped = cache({ negativeTtl: 10 });
    capped.store(response({ rcode: 3, authorities: [soa('example.com', 3600, 600)] }), T0, false, false);
    expect(ttls(hitAt(capped, keyA(), T0)!.reply)).toEqual([10]);
    expect(hitAt(capped, keyA(), sec(10))).toBeUndefined();
  });

  it('caches NODATA: NOERROR without an answer of the asked type, even behind a CNAME', () => {
    const c = cache();
    c.store(response({ qtype: 'AAAA', authorities: [soa('example.com', 3600, 120)] }), T0, false, false);
    const nodata = hitAt(c, keyA('www.example.com', 28))!;
    expect(nodata.negative).toBe(true);
    expect(nodata.rcode).toBe(0);
    c.store(response({ qname: 'alias.example.com', qtype: 'AAAA', answers: [cname('alias.example.com', 'v4only.example.com', 3600)], authorities: [soa('example.com', 3600, 120)] }), T0, false, false);
    const behind = hitAt(c, keyA('alias.example.com', 28), sec(100))!;
    expect(behind.negative).toBe(true);
    expect(ttls(behind.reply)).toEqual([3500, 20]);
    expect(hitAt(c, keyA('alias.example.com', 28), sec(120))).toBeUndefined();
  });

  it('does not cache a negative answer without an SOA, nor a referral', () => {
    const c = cache();
    expect(c.store(response({ rcode: 3 }), T0, false, false)).toBe(StoreOutcome.noSoa);
    expect(c.store(response({ authorities: [{ name: 'example.com', type: 'NS', ttl: 3600, data: 'ns1.example.com' }] }), T0, false, false)).toBe(StoreOutcome.noSoa);
    // An SOA in the additional section does not count.
    expect(c.store(response({ rcode: 3, additionals: [soa('example.com', 3600, 60)] }), T0, false, false)).toBe(StoreOutcome.noSoa);
    expect(c.size).toBe(0);
  });

  it('does not cache negative answers at all with negativeTtl 0', () => {
    const c = cache({ negativeTtl: 0 });
    expect(c.store(response({ rcode: 3, authorities: [soa('example.com', 3600, 60)] }), T0, false, false)).toBe(StoreOutcome.zeroTtl);
  });
});

describe('AnswerCache: serve-stale', () => {
  it('serves an answer expired within staleTtl only through lookupStale, with TTL 30', () => {
    const c = cache({ staleTtl: 100 });
    c.store(response({ answers: [a('www.example.com', '192.0.2.1', 60), a('www.example.com', '192.0.2.2', 600)] }), T0, false, false);
    expect(hitAt(c, keyA(), sec(61))).toBeUndefined();
    const out = new CacheHit();
    expect(c.lookupStale(keyA(), 0x0203, sec(61), out)).toBe(true);
    expect(out.stale).toBe(true);
    expect(out.ttl).toBe(0);
    expect(ttls(out.reply)).toEqual([STALE_TTL, STALE_TTL]);
    expect(out.reply[1]).toBe(3);
    expect(c.lookupStale(keyA(), 1, sec(159.999), out)).toBe(true);
    expect(c.lookupStale(keyA(), 1, sec(160), out)).toBe(false);
    expect(c.stats()).toMatchObject({ entries: 0, staleHits: 2, expired: 1 });
  });

  it('gives a fresh entry through lookupStale as an ordinary hit', () => {
    const c = cache();
    c.store(positive(), T0, false, false);
    const out = new CacheHit();
    expect(c.lookupStale(keyA(), 1, sec(100), out)).toBe(true);
    expect(out.stale).toBe(false);
    expect(ttls(out.reply)).toEqual([200]);
    expect(c.stats()).toMatchObject({ hits: 1, staleHits: 0 });
  });

  it('with staleTtl 0 drops an entry as soon as it expires', () => {
    const c = cache({ staleTtl: 0 });
    c.store(positive(), T0, false, false);
    expect(c.lookupStale(keyA(), 1, sec(300), new CacheHit())).toBe(false);
    expect(hitAt(c, keyA(), sec(300))).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('prune drops only entries past their stale window', () => {
    const c = cache({ staleTtl: 100 });
    c.store(response({ qname: 'short.test', answers: [a('short.test', '192.0.2.1', 10)] }), T0, false, false);
    c.store(response({ qname: 'long.test', answers: [a('long.test', '192.0.2.1', 1000)] }), T0, false, false);
    expect(c.prune(sec(109))).toBe(0);
    expect(c.prune(sec(110))).toBe(1);
    expect(hitAt(c, keyA('long.test'), sec(110))).toBeDefined();
    expect(c.stats().bytes).toBeGreaterThan(0);
  });
});

describe('AnswerCache: bounds and stats', () => {
  const named = (n: string, ttl = 300): Uint8Array => response({ qname: n, answers: [a(n, '192.0.2.1', ttl)] });

  it('evicts the least recently used entry past maxEntries', () => {
    const c = cache({ maxEntries: 3 });
    for (const n of ['a.test', 'b.test', 'c.test']) c.store(named(n), T0, false, false);
    expect(hitAt(c, keyA('a.test'), sec(1))).toBeDefined(); // a is now the most recent
    c.store(named('d.test'), sec(2), false, false);
    expect(hitAt(c, keyA('b.test'), sec(3))).toBeUndefined();
    for (const n of ['a.test', 'c.test', 'd.test']) expect(hitAt(c, keyA(n), sec(3))).toBeDefined();
    expect(c.stats()).toMatchObject({ entries: 3, evictions: 1 });
  });

  it('evicts by total bytes, and refuses one answer larger than the whole budget', () => {
    const probe = cache();
    probe.store(named('a.test'), T0, false, false);
    const one = probe.stats().bytes;
    const c = cache({ maxBytes: one * 2 + one / 2 });
    for (const n of ['a.test', 'b.test', 'c.test']) c.store(named(n), T0, false, false);
    expect(c.stats()).toMatchObject({ entries: 2, evictions: 1 });
    expect(c.stats().bytes).toBeLessThanOrEqual(one * 2 + one / 2);
    expect(hitAt(c, keyA('a.test'))).toBeUndefined();
    const big = response({ qname: 'big.test', answers: Array.from({ length: 40 }, (_, i) => a('big.test', `10.0.0.${i}`)) });
    expect(c.store(big, T0, false, false)).toBe(StoreOutcome.tooLarge);
    expect(c.size).toBe(2);
  });

  it('a big answer pushes out as many small ones as it needs', () => {
    const probe = cache();
    probe.store(named('a.test'), T0, false, false);
    const one = probe.stats().bytes;
    const c = cache({ maxBytes: one * 6 });
    for (const n of ['a.test', 'b.test', 'c.test', 'd.test', 'e.test']) c.store(named(n), T0, false, false);
    const big = response({ qname: 'big.test', answers: Array.from({ length: 8 }, (_, i) => a('big.test', `10.0.0.${i}`)) });
    expect(c.store(big, T0, false, false)).toBe(StoreOutcome.stored);
    expect(c.stats().bytes).toBeLessThanOrEqual(one * 6);
    expect(hitAt(c, keyA('big.test'))).toBeDefined();
    expect(hitAt(c, keyA('a.test'))).toBeUndefined();
    expect(hitAt(c, keyA('e.test'))).toBeDefined();
  });

  it('configure shrinks to new bounds at once', () => {
    const c = cache();
    for (const n of ['a.test', 'b.test', 'c.test', 'd.test']) c.store(named(n), T0, false, false);
    c.configure({ ...BASE, maxEntries: 1 });
    expect(c.size).toBe(1);
    expect(hitAt(c, keyA('d.test'))).toBeDefined();
  });

  it('counts hits and misses; clear empties it', () => {
    const c = cache();
    c.store(named('a.test'), T0, false, false);
    hitAt(c, keyA('a.test'));
    hitAt(c, keyA('a.test'));
    hitAt(c, keyA('nope.test'));
    expect(c.stats()).toMatchObject({ entries: 1, hits: 2, misses: 1, staleHits: 0, evictions: 0 });
    c.clear();
    expect(c.stats()).toMatchObject({ entries: 0, bytes: 0 });
    expect(hitAt(c, keyA('a.test'))).toBeUndefined();
  });
});
