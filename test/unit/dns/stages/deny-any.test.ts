// deny-any: ANY gets the small RFC 8482 answer, zone transfers and MAILA/MAILB get NOTIMP; other
// types go on. None of these reach the upstream.
import { describe, expect, it } from 'vitest';
import { ANSWERED, NEXT } from '../../../../firmware/dns/query/stage.ts';
import { DenyAny } from '../../../../firmware/dns/stages/deny-any.ts';
import { QType } from '../../../../firmware/dns/wire/constants.ts';
import { decodeReply } from '../decoded.ts';
import { contextFor, runQuery } from './stage-context.ts';

// As buildPipeline builds it.
const stage = (): DenyAny => new DenyAny({ ttl: 3600 });

describe('deny-any stage', () => {
  it('answers ANY with one HINFO "RFC8482" record, NOERROR, TTL as configured', () => {
    const ctx = contextFor('example.com', { qtype: QType.ANY, id: 4 });
    expect(runQuery(stage(), ctx).step).toBe(ANSWERED);
    expect([ctx.verdict, ctx.rcode]).toEqual(['minimal-any', 0]);
    const reply = decodeReply(ctx.reply!);
    expect(reply).toMatchObject({ id: 4, rcode: 'NOERROR' });
    expect(reply.answers).toHaveLength(1);
    expect(reply.answers[0]).toMatchObject({ name: 'example.com', type: 'HINFO', ttl: 3600, data: { cpu: 'RFC8482', os: '' } });
    expect(new DenyAny({ ttl: 60 }).query(ctx)).toBe(ANSWERED);
    expect(decodeReply(ctx.reply!).answers[0]!.ttl).toBe(60);
  });

  it('answers NOTIMP to IXFR, AXFR, MAILB and MAILA', () => {
    for (const qtype of [QType.IXFR, QType.AXFR, QType.MAILB, QType.MAILA]) {
      const ctx = contextFor('example.com', { qtype });
      expect(runQuery(stage(), ctx).step, String(qtype)).toBe(ANSWERED);
      expect([ctx.verdict, ctx.rcode], String(qtype)).toEqual(['notimp', 4]);
      expect(decodeReply(ctx.reply!).rcode).toBe('NOTIMP');
    }
  });

  it('hands on every ordinary type', () => {
    for (const qtype of [QType.A, QType.AAAA, QType.TXT, QType.MX, QType.PTR, 65, 250]) {
      const ctx = contextFor('example.com', { qtype });
      expect(runQuery(stage(), ctx).step, String(qtype)).toBe(NEXT);
      expect(ctx.reply).toBeUndefined();
    }
  });
});
