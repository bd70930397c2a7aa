// inspect: answers that came from outside (forwarded, cached, stale, rewritten) are re-checked on
// their way back: every name of a CNAME chain against the device's policy (cloaking), private
// addresses for public names (rebinding), and the upstream's own blocks. query() never answers.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../../firmware/config/schema.ts';
import { BlockAnswers } from '../../../../firmware/dns/answers/block-answers.ts';
import type { FilterState } from '../../../../firmware/dns/policy/filter-state.ts';
import type { RequestContext } from '../../../../firmware/dns/query/context.ts';
import { NEXT } from '../../../../firmware/dns/query/stage.ts';
import { InspectAnswers } from '../../../../firmware/dns/stages/inspect.ts';
import { UpstreamBlocks } from '../../../../firmware/dns/upstream/blocks.ts';
import { a, cname, response } from '../cache/responses.ts';
import { decodeReply } from '../decoded.ts';
import { baseConfig, GATEWAY, OUTSIDER, PUPIL, STAFF, WEDNESDAY_10AM, type ListSpec } from '../filtering/harness.ts';
import { contextFor, filterStateFor, runQuery } from './stage-context.ts';

const LISTS: ListSpec[] = [{ id: 'social', category: 'social', text: 'chatter.test\n' }];

let config: Config;
let state: FilterState;
beforeAll(async () => {
  config = baseConfig(53, LISTS);
  state = await filterStateFor(config, LISTS);
});

// As buildPipeline builds it, from the configuration (edited per test where it says so).
function stage(edit?: (c: Config) => void): InspectAnswers {
  const c = structuredClone(config);
  edit?.(c);
  return new InspectAnswers({
    state: () => state,
    upstreamBlocks: new UpstreamBlocks(c.dns.upstreamBlocks),
    blockAnswers: new BlockAnswers(c),
    rebinding: { ...c.dns.rebindingProtection, localDomain: c.dns.localDomain },
    now: () => WEDNESDAY_10AM,
  });
}

/** A question from `from` that a later stage answered with `reply` and `verdict`, as the pipeline hands it back. */
function answeredWith(reply: Uint8Array, options: { from?: string; verdict?: RequestContext['verdict']; name?: string } = {}): RequestContext {
  const ctx = contextFor(options.name ?? 'www.example.com', { from: options.from ?? PUPIL, id: 0x4242, config });
  ctx.verdict = options.verdict ?? 'forwarded';
  ctx.rcode = 0;
  ctx.reply = reply;
  ctx.upstream = 'scripted';
  return ctx;
}

const cloaked = (): Uint8Array => response({ answers: [cname('www.example.com', 'cdn.chatter.test'), a('cdn.chatter.test', '192.0.2.1')] });

describe('inspect stage', () => {
  it('never answers a question on its way down', () => {
    const ctx = contextFor('www.chatter.test', { config });
    expect(runQuery(stage(), ctx).step).toBe(NEXT);
    expect(ctx.reply).toBeUndefined();
  });

  it('passes a clean answer through untouched', () => {
    const reply = response({ answers: [a('www.example.com', '192.0.2.1')] });
    const ctx = answeredWith(reply);
    stage().answered(ctx);
    expect(ctx.reply).toBe(reply);
    expect([ctx.verdict, ctx.category]).toEqual(['forwarded', undefined]);
  });

  it('blocks an answer whose CNAME chain reaches a name the device may not visit, whatever brought the answer', () => {
    for (const verdict of ['forwarded', 'cached', 'stale', 'rewritten'] as const) {
      const ctx = answeredWith(cloaked(), { verdict });
      stage().answered(ctx);
      expect([ctx.verdict, ctx.category, ctx.list, ctx.upstream], verdict).toEqual(['blocked', 'social', 'social', 'scripted']);
      const reply = decodeReply(ctx.reply!);
      expect(reply).toMatchObject({ id: 0x4242, rcode: 'NOERROR' });
      expect(reply.answers.map((r) => [r.name, r.type, r.data]), verdict).toEqual([['www.example.com', 'A', GATEWAY.pupil]]);
    }
    // Staff may visit social: the same answer goes through.
    const staff = answeredWith(cloaked(), { from: STAFF });
    stage().answered(staff);
    expect(staff.verdict).toBe('forwarded');
  });

  it('leaves alone answers it did not come from outside, and a source with no client', () => {
    for (const verdict of ['blocked', 'local', 'refused', 'servfail'] as const) {
      const reply = cloaked();
      const ctx = answeredWith(reply, { verdict });
      stage().answered(ctx);
      expect([ctx.verdict, ctx.reply], verdict).toEqual([verdict, reply]);
    }
    const outsider = answeredWith(cloaked(), { from: OUTSIDER });
    stage().answered(outsider);
    expect(outsider.verdict).toBe('forwarded');
  });

  it('refuses a public name that resolves to a private address (DNS rebinding), unless configured as allowed', () => {
    const privateReply = (): Uint8Array => response({ answers: [a('www.example.com', '192.168.1.10')] });
    const ctx = answeredWith(privateReply());
    stage().answered(ctx);
    expect([ctx.verdict, ctx.rcode, ctx.category]).toEqual(['blocked', 5, 'dns-rebinding']);
    expect(decodeReply(ctx.reply!)).toMatchObject({ id: 0x4242, rcode: 'REFUSED', answers: [] });
    const allowed = answeredWith(privateReply());
    stage((c) => { c.dns.rebindingProtection.allowedDomains = ['example.com']; }).answered(allowed);
    expect(allowed.verdict).toBe('forwarded');
    const off = answeredWith(privateReply());
    stage((c) => { c.dns.rebindingProtection.enabled = false; }).answered(off);
    expect(off.verdict).toBe('forwarded');
  });

  it("records the upstream's own block page as blocked upstream, passing its answer on unchanged", () => {
    const reply = response({ answers: [a('www.example.com', '192.0.2.66')] });
    const ctx = answeredWith(reply);
    stage((c) => { c.dns.upstreamBlocks.addresses = ['192.0.2.66']; }).answered(ctx);
    expect([ctx.verdict, ctx.category, ctx.list]).toEqual(['blocked', 'upstream-filter', 'scripted (block-page)']);
    expect(ctx.reply).toBe(reply);
    const unlisted = answeredWith(response({ answers: [a('www.example.com', '192.0.2.66')] }));
    stage().answered(unlisted);
    expect(unlisted.verdict).toBe('forwarded');
  });

  it('answers SERVFAIL for an answer that cannot be read or is for another question', () => {
    const cut = answeredWith(cloaked().subarray(0, 30));
    stage().answered(cut);
    expect([cut.verdict, cut.rcode, decodeReply(cut.reply!).rcode]).toEqual(['servfail', 2, 'SERVFAIL']);
    const other = answeredWith(response({ qname: 'elsewhere.example', answers: [a('elsewhere.example', '192.0.2.1')] }));
    stage().answered(other);
    expect([other.verdict, other.rcode]).toEqual(['servfail', 2]);
  });
});
