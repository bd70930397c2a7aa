// filter: the lists and the policy for this device, now. A block is answered with the policy's
// block answer; an allowed name goes on, marked for the review (watch) or for a safe-search
// rewrite when the policy asks.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../../firmware/config/schema.ts';
import { BlockAnswers } from '../../../../firmware/dns/answers/block-answers.ts';
import type { FilterState } from '../../../../firmware/dns/policy/filter-state.ts';
import { ANSWERED, NEXT } from '../../../../firmware/dns/query/stage.ts';
import { Filter } from '../../../../firmware/dns/stages/filter.ts';
import { QType } from '../../../../firmware/dns/wire/constants.ts';
import { decodeReply } from '../decoded.ts';
import { baseConfig, GATEWAY, GUEST, OUTSIDER, PUPIL, STAFF, WEDNESDAY_10AM, WEDNESDAY_1230, type ListSpec } from '../filtering/harness.ts';
import { contextFor, filterStateFor, runQuery } from './stage-context.ts';

const LISTS: ListSpec[] = [
  { id: 'social', category: 'social', text: 'chatter.test\n' },
  { id: 'streaming', category: 'streaming', text: 'tube.test\n' },
  { id: 'iwf', category: 'illegal', restricted: true, text: 'abuse.test\n' },
  { id: 'news', category: 'news', text: 'headlines.test\n' },
];

interface Built { config: Config; state: FilterState; filter: (at?: number) => Filter }

async function build(edit?: (c: Config) => void): Promise<Built> {
  const config = baseConfig(53, LISTS);
  edit?.(config);
  const state = await filterStateFor(config, LISTS);
  // As buildPipeline builds it: the state read per question, the block answers, the wall clock.
  const filter = (at = WEDNESDAY_10AM): Filter => new Filter({ state: () => state, blockAnswers: new BlockAnswers(config), now: () => at });
  return { config, state, filter };
}

describe('filter stage', () => {
  let school: Built;
  beforeAll(async () => { school = await build((c) => { c.policies.find((p) => p.id === 'pupil')!.categories.news = { disposition: 'acceptable', watch: true }; }); });

  it('blocks a listed name for a pupil with the block page on the pupil gateway, naming category and list', () => {
    const ctx = contextFor('www.chatter.test', { id: 5, config: school.config });
    expect(runQuery(school.filter(), ctx).step).toBe(ANSWERED);
    expect([ctx.verdict, ctx.rcode, ctx.category, ctx.list, ctx.redact]).toEqual(['blocked', 0, 'social', 'social', false]);
    const reply = decodeReply(ctx.reply!);
    expect(reply).toMatchObject({ id: 5, rcode: 'NOERROR' });
    expect(reply.answers.map((a) => [a.type, a.data, a.ttl])).toEqual([['A', GATEWAY.pupil, 60]]);
    // Guests block social too, with their own gateway.
    const guest = contextFor('chatter.test', { from: GUEST, config: school.config });
    expect(runQuery(school.filter(), guest).step).toBe(ANSWERED);
    expect(decodeReply(guest.reply!).answers.map((a) => a.data)).toEqual([GATEWAY.guest]);
  });

  it('hands on what the policy allows: staff on social, anyone on an unlisted name, a source with no client', () => {
    for (const [name, from] of [['chatter.test', STAFF], ['example.com', PUPIL], ['chatter.test', OUTSIDER]] as const) {
      const ctx = contextFor(name, { from, config: school.config });
      expect(runQuery(school.filter(), ctx).step, `${name} ${from}`).toBe(NEXT);
      expect([ctx.reply, ctx.watch, ctx.category, ctx.rewrite], `${name} ${from}`).toEqual([undefined, false, undefined, undefined]);
    }
  });

  it('redacts a restricted list\'s block: category "restricted", redact set', () => {
    const ctx = contextFor('abuse.test', { from: STAFF, config: school.config });
    expect(runQuery(school.filter(), ctx).step).toBe(ANSWERED);
    expect([ctx.verdict, ctx.category, ctx.list, ctx.redact]).toEqual(['blocked', 'restricted', 'iwf', true]);
  });

  it('marks an allowed visit to a watched category for the review, and hands it on', () => {
    const ctx = contextFor('headlines.test', { config: school.config });
    expect(runQuery(school.filter(), ctx).step).toBe(NEXT);
    expect([ctx.watch, ctx.category, ctx.reply]).toEqual([true, 'news', undefined]);
    const staff = contextFor('headlines.test', { from: STAFF, config: school.config });
    runQuery(school.filter(), staff);
    expect(staff.watch).toBe(false);
  });

  it('decides by the clock it is given: the pupil policy opens streaming at lunchtime', () => {
    const morning = contextFor('tube.test', { config: school.config });
    expect(runQuery(school.filter(WEDNESDAY_10AM), morning).step).toBe(ANSWERED);
    const lunch = contextFor('tube.test', { config: school.config });
    expect(runQuery(school.filter(WEDNESDAY_1230), lunch).step).toBe(NEXT);
  });

  it('sets the safe-search rewrite the policy asks for, and none when it is off', async () => {
    const ctx = contextFor('www.google.com', { config: school.config });
    expect(runQuery(school.filter(), ctx).step).toBe(NEXT);
    expect(ctx.rewrite).toBe('forcesafesearch.google.com');
    const yt = contextFor('www.youtube.com', { from: STAFF, config: school.config });
    runQuery(school.filter(), yt);
    expect(yt.rewrite).toBe('restrictmoderate.youtube.com');
    const off = await build((c) => { c.policies.find((p) => p.id === 'staff')!.safeSearch = 'off'; });
    const plain = contextFor('www.google.com', { from: STAFF, config: off.config });
    expect(runQuery(off.filter(), plain).step).toBe(NEXT);
    expect(plain.rewrite).toBeUndefined();
  });

  it('answers with the policy\'s block answer: NXDOMAIN, or null addresses for A and AAAA', async () => {
    const nx = await build((c) => { c.policies.find((p) => p.id === 'pupil')!.blockAnswer = 'nxdomain'; });
    const a = contextFor('chatter.test', { config: nx.config });
    runQuery(nx.filter(), a);
    expect([a.verdict, a.rcode, decodeReply(a.reply!).rcode]).toEqual(['blocked', 3, 'NXDOMAIN']);
    const nul = await build((c) => { c.policies.find((p) => p.id === 'pupil')!.blockAnswer = 'null-address'; });
    const v4 = contextFor('chatter.test', { config: nul.config });
    runQuery(nul.filter(), v4);
    expect(decodeReply(v4.reply!).answers.map((r) => r.data)).toEqual(['0.0.0.0']);
    const v6 = contextFor('chatter.test', { qtype: QType.AAAA, config: nul.config });
    runQuery(nul.filter(), v6);
    expect(decodeReply(v6.reply!).answers.map((r) => r.data)).toEqual(['::']);
  });
});
