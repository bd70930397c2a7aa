// Random and mutated packets through the whole handler (reader, directory, every stage, reply
// writer, truncation): each must end as a well-formed reply or a deliberate drop, never a throw.
// SCHOOLGATE_FUZZ_ITERATIONS=5000000 for a long run; SCHOOLGATE_FUZZ_SEED to replay one.
import { readFileSync } from 'node:fs';
import { AnswerCache } from '../../../firmware/dns/answers/answer-cache.ts';
import { FilterState } from '../../../firmware/dns/policy/filter-state.ts';
import { compileMatcher } from '../../../firmware/dns/matcher/compile.ts';
import { SafeSearch } from '../../../firmware/dns/policy/safe-search-map.ts';
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { ClientDirectory } from '../../../firmware/clients/directory.ts';
import { CATEGORY_SEVERITY, defaultConfig } from '../../../firmware/config/defaults.ts';
import type { RequestContext, Responder } from '../../../firmware/dns/query/context.ts';
import { emptyCounters, EventBuffer } from '../../../firmware/dns/events/event-buffer.ts';
import { QueryHandler } from '../../../firmware/dns/query/handler.ts';
import { buildPipeline } from '../../../firmware/dns/pipeline.ts';
import { TokenBuckets } from '../../../firmware/dns/query/token-buckets.ts';
import { Forwarder } from '../../../firmware/dns/upstream/forwarder.ts';
import { ParsedQuery, readQuery } from '../../../firmware/dns/wire/question-reader.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { decodeReply, lastDecodedLength } from './decoded.ts';

const ITERATIONS = Number(process.env.SCHOOLGATE_FUZZ_ITERATIONS ?? 300_000);
const SEED = Number(process.env.SCHOOLGATE_FUZZ_SEED ?? Date.now() % 0x7fffffff) >>> 0 || 1;

// xorshift32: fast, and a failing run can be replayed from its seed.
let state = SEED;
function rand(n: number): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return state % n;
}

function seedPackets(): Uint8Array[] {
  const names = ['example.com', 'A.B.C.D.E.F.example.org', '.', 'x', `${'a'.repeat(63)}.${'b'.repeat(63)}.test`];
  const types = ['A', 'AAAA', 'ANY', 'TXT', 'AXFR', 'MX', 'UNKNOWN_65535'] as const;
  const out: Uint8Array[] = [];
  for (const name of names) {
    for (const type of types) {
      out.push(dnsPacket.encode({ type: 'query', id: rand(65536), flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as 'A' }] }));
      out.push(dnsPacket.encode({
        type: 'query', id: rand(65536), flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as 'A' }],
        answers: [{ type: 'A', name, ttl: 5, data: '192.0.2.1' }],
        authorities: [{ type: 'NS', name, ttl: 5, data: `ns.${name === '.' ? 'root' : name}` }],
        additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 700 + rand(4000), flags: rand(2) ? dnsPacket.DNSSEC_OK : 0, options: [{ code: 10, data: Buffer.alloc(8, 7) }] } as unknown as dnsPacket.Answer],
      }));
    }
  }
  return out;
}

function mutate(base: Uint8Array): Uint8Array {
  let p = Uint8Array.from(base);
  const rounds = 1 + rand(4);
  for (let r = 0; r < rounds; r++) {
    switch (rand(10)) {
      case 0: // flip bits
        for (let k = rand(6) + 1; k > 0 && p.length > 0; k--) p[rand(p.length)]! ^= 1 << rand(8);
        break;
      case 1: // truncate
        p = p.subarray(0, rand(p.length + 1));
        break;
      case 2: { // append junk
        const extra = new Uint8Array(rand(64));
        for (let i = 0; i < extra.length; i++) extra[i] = rand(256);
        const q = new Uint8Array(p.length + extra.length);
        q.set(p);
        q.set(extra, p.length);
        p = q;
        break;
      }
      case 3: // huge or random section counts
        if (p.length >= 12) {
          const at = 4 + 2 * rand(4);
          const v = rand(3) === 0 ? 0xffff : rand(4);
          p[at] = v >>> 8;
          p[at + 1] = v & 255;
        }
        break;
      case 4: // a compression pointer anywhere: backwards, self, forwards, into the header
        if (p.length > 13) {
          const at = 12 + rand(p.length - 13);
          const target = rand(4) === 0 ? at : rand(p.length + 8);
          p[at] = 0xc0 | ((target >>> 8) & 0x3f);
          p[at + 1] = target & 255;
        }
        break;
      case 5: // bad label length byte
        if (p.length > 12) p[12 + rand(p.length - 12)] = 0x3f + rand(0xc1);
        break;
      case 6: { // random OPT record appended, ARCOUNT bumped
        const rdlen = rand(12);
        const opt = [0, 0, 41, rand(256), rand(256), rand(256), rand(3) === 0 ? rand(256) : 0, rand(256), rand(256), 0, rand(3) === 0 ? rand(40) : rdlen];
        for (let i = 0; i < rdlen; i++) opt.push(rand(256));
        const q = new Uint8Array(p.length + opt.length);
        q.set(p);
        q.set(opt, p.length);
        if (q.length >= 12) q[11] = (q[11]! + 1) & 255;
        p = q;
        break;
      }
      case 7: // opcode / QR / flags
        if (p.length >= 4) {
          p[2] = rand(4) === 0 ? rand(256) : p[2]! & 0x87;
          p[3] = rand(256);
        }
        break;
      case 8: // pointer loop: two pointers at each other
        if (p.length > 16) {
          const a = 12 + rand(p.length - 15);
          const b = a + 2;
          p[a] = 0xc0; p[a + 1] = b & 255; p[b] = 0xc0; p[b + 1] = a & 255;
        }
        break;
      default: // one random byte
        if (p.length > 0) p[rand(p.length)] = rand(256);
    }
  }
  return p;
}

function randomPacket(): Uint8Array {
  const p = new Uint8Array(rand(rand(8) === 0 ? 1500 : 80));
  for (let i = 0; i < p.length; i++) p[i] = rand(256);
  if (p.length > 3 && rand(2) === 0) p[2]! &= 0x07; // a query with opcode QUERY more often than not
  if (p.length > 5 && rand(2) === 0) { p[4] = 0; p[5] = 1; }
  return p;
}

const SOURCES = ['127.20.0.5', '127.20.7.9', '127.10.1.1', '127.99.0.1', '::ffff:127.30.0.4', '::1', 'fd00::5'];

describe('handler fuzz', () => {
  it(`answers or drops ${ITERATIONS} random and mutated packets without throwing (seed ${SEED})`, async () => {
    let clock = 0;
    const counters = emptyCounters();
    const config = defaultConfig();
    // Real lists and policy, so random names also go through the matcher and the policy engine.
    const matcher = compileMatcher([
      { name: 'blocked.example', kind: 'block', category: 'social', list: 0, line: 1 },
      { name: 'a', kind: 'block', category: 'gaming', mode: 'subdomains', list: 0, line: 2 },
      { name: 'restricted.example', kind: 'restricted', list: 1, line: 1 },
    ], { categories: ['social', 'gaming'] });
    const googleDomains = readFileSync(new URL('../../../rules/safe-search/google-domains.txt', import.meta.url), 'utf8');
    const filter = new FilterState(config, matcher, ['social-list', 'restricted-list'], { safeSearch: SafeSearch.load(googleDomains), severity: CATEGORY_SEVERITY });
    const handler = new QueryHandler({
      runtime: {
        directory: new ClientDirectory(config.networks),
        pipeline: buildPipeline({
          config,
          buckets: new TokenBuckets({ ratePerSecond: 5, maxClients: 4 }),
          // No upstreams: the real forwarder answers SERVFAIL at once, and no packet leaves the test.
          forwarder: new Forwarder({ upstreams: [], timeoutMs: 100 }),
          cache: new AnswerCache(config.dns.cache),
          filter: () => filter,
          monotonic: () => clock,
          now: () => clock,
        }),
      },
      events: new EventBuffer(1024),
      counters,
      logger: silentLogger(),
      now: () => clock,
      monotonic: () => clock,
    });

    const q = new ParsedQuery();
    let pending = 0;
    let replies = 0;
    let drops = 0;
    const failures: string[] = [];
    const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
    const check = (ctx: RequestContext): void => {
      const packet = ctx.packet;
      const reply = ctx.reply;
      const shouldDrop = packet.length < 12 || (packet[2]! & 0x80) !== 0;
      if (reply === undefined) {
        drops++;
        if (!shouldDrop) failures.push(`no reply to ${hex(packet)}`);
        return;
      }
      replies++;
      if (shouldDrop) failures.push(`reply to a packet that should be dropped: ${hex(packet)}`);
      try {
        const d = decodeReply(reply);
        const consumed = lastDecodedLength();
        if (consumed !== reply.length) failures.push(`reply has ${reply.length - consumed} stray bytes for ${hex(packet)}`);
        if (d.id !== ((packet[0]! << 8) | packet[1]!)) failures.push(`id not echoed for ${hex(packet)}`);
        if (d.type !== 'response') failures.push(`QR not set for ${hex(packet)}`);
        readQuery(packet, q);
        if (q.hasQuestion && d.questions?.length === 1
          && Buffer.compare(Buffer.from(reply.subarray(12, q.questionEnd)), Buffer.from(packet.subarray(12, q.questionEnd))) !== 0) {
          failures.push(`question not echoed for ${hex(packet)}`);
        }
        if (reply.length > (q.edns ? 1232 : 512)) failures.push(`oversized UDP reply for ${hex(packet)}`);
      } catch (error) {
        failures.push(`undecodable reply ${hex(reply)} to ${hex(packet)}: ${String(error)}`);
      }
    };
    const responder: Responder = {
      respond(ctx) {
        pending--;
        check(ctx);
      },
    };

    const seeds = seedPackets();
    for (let i = 0; i < ITERATIONS && failures.length < 5; i++) {
      const kind = rand(10);
      const packet = kind < 2 ? randomPacket() : kind < 3 ? seeds[rand(seeds.length)]! : mutate(seeds[rand(seeds.length)]!);
      clock += rand(64) === 0 ? 2000 : rand(3);
      pending++;
      handler.handle(packet, SOURCES[rand(SOURCES.length)]!, 1024 + rand(60000), 'udp', responder);
      // Let the forwarder's promises settle now and then, so they do not pile up.
      if ((i & 4095) === 4095) await new Promise((resolve) => setImmediate(resolve));
    }
    for (let spins = 0; pending > 0 && spins < 100; spins++) await new Promise((resolve) => setImmediate(resolve));

    expect(failures).toEqual([]);
    expect(pending).toBe(0);
    expect(counters.handlerErrors).toBe(0);
    expect(replies + drops).toBe(ITERATIONS);
    // The mix must reach every verdict the first slice has, or the fuzz proves less than it claims.
    for (const verdict of ['refused', 'rate-limited', 'minimal-any', 'formerr', 'notimp', 'badvers', 'servfail']) {
      expect(counters.byVerdict[verdict] ?? 0, verdict).toBeGreaterThan(0);
    }
  }, 120_000);
});
