// refuse-outsiders: a source on no school network gets REFUSED, so the gateway is never an open resolver.
import { describe, expect, it } from 'vitest';
import { ANSWERED, NEXT } from '../../../../firmware/dns/query/stage.ts';
import { RefuseOutsiders } from '../../../../firmware/dns/stages/refuse-outsiders.ts';
import { decodeReply } from '../decoded.ts';
import { GUEST, OUTSIDER, PUPIL, STAFF } from '../filtering/harness.ts';
import { contextFor, runQuery } from './stage-context.ts';

describe('refuse-outsiders stage', () => {
  it('answers REFUSED to a source on no school network, echoing its ID and question', () => {
    const ctx = contextFor('example.com', { from: OUTSIDER, id: 0xbeef });
    expect(ctx.client).toBeUndefined();
    expect(runQuery(new RefuseOutsiders(), ctx).step).toBe(ANSWERED);
    expect(ctx.verdict).toBe('refused');
    expect(ctx.rcode).toBe(5);
    const reply = decodeReply(ctx.reply!);
    expect(reply).toMatchObject({ id: 0xbeef, type: 'response', rcode: 'REFUSED', answers: [] });
    expect(reply.questions).toEqual([{ name: 'example.com', type: 'A', class: 'IN' }]);
  });

  it('hands on, untouched, a question from any school network', () => {
    for (const from of [PUPIL, STAFF, GUEST]) {
      const ctx = contextFor('example.com', { from });
      expect(runQuery(new RefuseOutsiders(), ctx).step, from).toBe(NEXT);
      expect(ctx.reply, from).toBeUndefined();
      expect(ctx.verdict, from).toBe('servfail');
    }
  });
});
