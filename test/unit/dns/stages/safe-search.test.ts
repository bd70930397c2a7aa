// safe-search: a name the filter marked for rewrite is answered as a CNAME to the provider's safe
// host plus that host's addresses, looked up in the answer cache or asked of the upstreams (WAIT,
// then resume). Unresolvable, it is SERVFAIL: never the unfiltered engine.
import { afterEach, describe, expect, it } from 'vitest';
import { DNS_CACHE_DEFAULTS } from '../../../../firmware/config/defaults.ts';
import { AnswerCache } from '../../../../firmware/dns/answers/answer-cache.ts';
import type { RequestContext } from '../../../../firmware/dns/query/context.ts';
import { ANSWERED, NEXT, WAIT } from '../../../../firmware/dns/query/stage.ts';
import { SafeSearchRewrite } from '../../../../firmware/dns/stages/safe-search.ts';
import { Forwarder } from '../../../../firmware/dns/upstream/forwarder.ts';
import { QType } from '../../../../firmware/dns/wire/constants.ts';
import { decodeReply } from '../decoded.ts';
import { Clock, useScriptedUpstream, WEDNESDAY_10AM } from '../filtering/harness.ts';
import { rr } from '../filtering/scripted-upstream.ts';
import { contextFor, runQuery } from './stage-context.ts';

const SAFE = 'forcesafesearch.google.com';
const SAFE_V4 = '216.239.38.120';
const SAFE_V6 = '2001:4860:4802:32::78';

const upstream = useScriptedUpstream();
const forwarders: Forwarder[] = [];
afterEach(() => {
  for (const f of forwarders.splice(0)) f.close();
  upstream.clear();
});

// As buildPipeline builds it: the service's forwarder, its answer cache and the wall clock.
function setup(timeoutMs = 2000): { stage: SafeSearchRewrite; clock: Clock } {
  const forwarder = new Forwarder({ upstreams: [{ name: 'scripted', address: '127.0.0.1', port: upstream.port }], timeoutMs });
  forwarders.push(forwarder);
  const clock = new Clock(WEDNESDAY_10AM);
  return { stage: new SafeSearchRewrite(forwarder, new AnswerCache({ ...DNS_CACHE_DEFAULTS }), clock.now), clock };
}

/** A question for `name` that the filter stage marked for a rewrite to `host`. */
function rewriting(name: string, host: string | undefined, qtype: number = QType.A, id = 0x5151): RequestContext {
  const ctx = contextFor(name, { qtype, id });
  ctx.rewrite = host;
  return ctx;
}

function scriptSafeHost(ttl = 120): void {
  upstream.set(SAFE, { answers: [rr(SAFE, 'A', SAFE_V4, ttl)] }, 'A');
  upstream.set(SAFE, { answers: [rr(SAFE, 'AAAA', SAFE_V6, ttl)] }, 'AAAA');
}

describe('safe-search stage', () => {
  it('hands on a question with no rewrite', () => {
    const { stage } = setup();
    const ctx = rewriting('www.google.com', undefined);
    expect(runQuery(stage, ctx).step).toBe(NEXT);
    expect(ctx.reply).toBeUndefined();
    expect(upstream.seen).toEqual([]);
  });

  it('asks the upstream for the safe host (not the engine), then answers CNAME + its address under the asked name', async () => {
    const { stage } = setup();
    scriptSafeHost();
    const ctx = rewriting('www.google.com', SAFE);
    const run = runQuery(stage, ctx);
    expect(run.step).toBe(WAIT);
    expect(await run.resumed).toBe(ANSWERED);
    expect([ctx.verdict, ctx.rcode, ctx.upstream]).toEqual(['rewritten', 0, 'scripted']);
    const reply = decodeReply(ctx.reply!);
    expect(reply).toMatchObject({ id: 0x5151, rcode: 'NOERROR', questions: [{ name: 'www.google.com', type: 'A' }] });
    expect(reply.answers.map((r) => [r.name, r.type, r.data, r.ttl])).toEqual([
      ['www.google.com', 'CNAME', SAFE, 120], [SAFE, 'A', SAFE_V4, 120],
    ]);
    expect(upstream.seen).toEqual([{ name: SAFE, type: 'A' }]);
  });

  it("answers the next rewrite from the cache at once, and caps the rewrite's TTL at 300 s", async () => {
    const { stage, clock } = setup();
    scriptSafeHost(3600);
    const first = rewriting('www.google.com', SAFE, QType.AAAA);
    expect(await runQuery(stage, first).resumed).toBe(ANSWERED);
    expect(decodeReply(first.reply!).answers.map((r) => [r.type, r.data, r.ttl])).toEqual([['CNAME', SAFE, 300], ['AAAA', SAFE_V6, 300]]);
    clock.advance(10);
    const second = rewriting('google.co.uk', SAFE, QType.AAAA, 2);
    expect(runQuery(stage, second).step).toBe(ANSWERED);
    expect(decodeReply(second.reply!)).toMatchObject({ id: 2, rcode: 'NOERROR' });
    expect(decodeReply(second.reply!).answers.map((r) => [r.name, r.data])).toEqual([['google.co.uk', SAFE], [SAFE, SAFE_V6]]);
    expect(upstream.asked(SAFE)).toBe(1);
  });

  it('answers other types with the alias alone, without asking anyone', () => {
    const { stage } = setup();
    const ctx = rewriting('www.google.com', SAFE, QType.TXT);
    expect(runQuery(stage, ctx).step).toBe(ANSWERED);
    expect(ctx.verdict).toBe('rewritten');
    expect(decodeReply(ctx.reply!).answers.map((r) => [r.type, r.data, r.ttl])).toEqual([['CNAME', SAFE, 300]]);
    expect(upstream.seen).toEqual([]);
  });

  it('answers SERVFAIL, never the engine, when the safe host cannot be resolved', async () => {
    const { stage } = setup(100);
    upstream.up = false;
    const down = rewriting('www.google.com', SAFE);
    expect(await runQuery(stage, down).resumed).toBe(ANSWERED);
    expect([down.verdict, down.rcode, decodeReply(down.reply!).rcode]).toEqual(['servfail', 2, 'SERVFAIL']);
    upstream.up = true;
    upstream.set(SAFE, { rcode: 'NXDOMAIN' });
    const missing = rewriting('www.google.com', SAFE);
    expect(await runQuery(stage, missing).resumed).toBe(ANSWERED);
    expect([missing.verdict, missing.rcode]).toEqual(['servfail', 2]);
    expect(upstream.asked('www.google.com')).toBe(0);
  });

  it('serves the safe host\'s stale addresses when the upstream is down', async () => {
    const { stage, clock } = setup(100);
    scriptSafeHost(60);
    expect(await runQuery(stage, rewriting('www.google.com', SAFE)).resumed).toBe(ANSWERED);
    clock.advance(61);
    upstream.up = false;
    const ctx = rewriting('www.google.com', SAFE, QType.A, 3);
    expect(await runQuery(stage, ctx).resumed).toBe(ANSWERED);
    expect(ctx.verdict).toBe('rewritten');
    expect(decodeReply(ctx.reply!).answers.map((r) => r.data)).toEqual([SAFE, SAFE_V4]);
  });
});
