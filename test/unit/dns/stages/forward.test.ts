// forward: the last stage asks the upstreams (a real forwarder to a scripted DNS server on
// loopback). It WAITs and resumes ANSWERED with the upstream's answer under the client's own ID;
// when every upstream fails, a stale answer from the cache if there is one, else SERVFAIL.
import { afterEach, describe, expect, it } from 'vitest';
import { DNS_CACHE_DEFAULTS } from '../../../../firmware/config/defaults.ts';
import { AnswerCache } from '../../../../firmware/dns/answers/answer-cache.ts';
import { ANSWERED, WAIT } from '../../../../firmware/dns/query/stage.ts';
import { Cache } from '../../../../firmware/dns/stages/cache.ts';
import { Forward } from '../../../../firmware/dns/stages/forward.ts';
import { Forwarder } from '../../../../firmware/dns/upstream/forwarder.ts';
import { a, response } from '../cache/responses.ts';
import { decodeReply } from '../decoded.ts';
import { Clock, useScriptedUpstream, WEDNESDAY_10AM } from '../filtering/harness.ts';
import { rr } from '../filtering/scripted-upstream.ts';
import { contextFor, runQuery } from './stage-context.ts';

const upstream = useScriptedUpstream();
const forwarders: Forwarder[] = [];
afterEach(() => {
  for (const f of forwarders.splice(0)) f.close();
  upstream.clear();
});

// As buildPipeline builds it: the service's forwarder, and the cache stage as the stale source.
function setup(options: { timeoutMs?: number; maxInFlight?: number } = {}): { forward: Forward; cache: Cache; clock: Clock } {
  const forwarder = new Forwarder({
    upstreams: [{ name: 'scripted', address: '127.0.0.1', port: upstream.port }],
    timeoutMs: options.timeoutMs ?? 2000,
    ...(options.maxInFlight === undefined ? {} : { maxInFlight: options.maxInFlight }),
  });
  forwarders.push(forwarder);
  const clock = new Clock(WEDNESDAY_10AM);
  const cache = new Cache(new AnswerCache({ ...DNS_CACHE_DEFAULTS }), clock.now);
  return { forward: new Forward(forwarder, cache), cache, clock };
}

describe('forward stage', () => {
  it("waits for the upstream, then resumes ANSWERED with its answer under the client's ID", async () => {
    const { forward } = setup();
    upstream.set('www.example.com', { answers: [rr('www.example.com', 'A', '192.0.2.9', 90)] });
    const ctx = contextFor('www.example.com', { id: 0x0abc });
    const run = runQuery(forward, ctx);
    expect(run.step).toBe(WAIT);
    expect(ctx.reply).toBeUndefined();
    expect(await run.resumed).toBe(ANSWERED);
    expect([ctx.verdict, ctx.rcode, ctx.upstream]).toEqual(['forwarded', 0, 'scripted']);
    const reply = decodeReply(ctx.reply!);
    expect(reply.id).toBe(0x0abc);
    expect(reply.answers.map((r) => [r.name, r.data, r.ttl])).toEqual([['www.example.com', '192.0.2.9', 90]]);
    expect(upstream.asked('www.example.com')).toBe(1);
  });

  it("passes the upstream's own rcode on (NXDOMAIN is an answer, not a failure)", async () => {
    const { forward } = setup();
    upstream.set('gone.example', { rcode: 'NXDOMAIN' });
    const ctx = contextFor('gone.example');
    expect(await runQuery(forward, ctx).resumed).toBe(ANSWERED);
    expect([ctx.verdict, ctx.rcode, decodeReply(ctx.reply!).rcode]).toEqual(['forwarded', 3, 'NXDOMAIN']);
  });

  it('answers SERVFAIL when the upstream never answers and the cache has nothing', async () => {
    const { forward } = setup({ timeoutMs: 100 });
    upstream.up = false;
    const ctx = contextFor('www.example.com', { id: 6 });
    const run = runQuery(forward, ctx);
    expect(run.step).toBe(WAIT);
    expect(await run.resumed).toBe(ANSWERED);
    expect([ctx.verdict, ctx.rcode]).toEqual(['servfail', 2]);
    expect(decodeReply(ctx.reply!)).toMatchObject({ id: 6, rcode: 'SERVFAIL' });
    expect(upstream.asked('www.example.com')).toBeGreaterThanOrEqual(1);
  });

  it('serves the stale answer the cache still holds when the upstream never answers', async () => {
    const { forward, cache, clock } = setup({ timeoutMs: 100 });
    const earlier = contextFor('www.example.com', { id: 1 });
    earlier.verdict = 'forwarded';
    earlier.reply = response({ id: 1, qname: 'www.example.com', answers: [a('www.example.com', '192.0.2.44', 30)] });
    cache.answered(earlier);
    clock.advance(31);
    upstream.up = false;
    const ctx = contextFor('www.example.com', { id: 7 });
    expect(await runQuery(forward, ctx).resumed).toBe(ANSWERED);
    expect([ctx.verdict, ctx.rcode]).toEqual(['stale', 0]);
    const reply = decodeReply(ctx.reply!);
    expect(reply.id).toBe(7);
    expect(reply.answers.map((r) => r.data)).toEqual(['192.0.2.44']);
  });

  it('answers SERVFAIL at once, without waiting, when the forwarder is at its in-flight cap', async () => {
    const { forward } = setup({ maxInFlight: 1, timeoutMs: 5000 });
    upstream.up = false;
    const held = runQuery(forward, contextFor('one.example'));
    expect(held.step).toBe(WAIT);
    const over = contextFor('two.example', { id: 8 });
    expect(runQuery(forward, over)).toEqual({ step: ANSWERED, resumed: undefined });
    expect([over.verdict, over.rcode]).toEqual(['servfail', 2]);
  });
});
