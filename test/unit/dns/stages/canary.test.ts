// canary: the names that switch a device's DNS away from the gateway (Firefox's DoH canary, iCloud
// Private Relay) get NXDOMAIN on every network, recorded in the bypass category.
import { describe, expect, it } from 'vitest';
import { BYPASS_NAMES } from '../../../../firmware/dns/policy/bypass.ts';
import { ANSWERED, NEXT } from '../../../../firmware/dns/query/stage.ts';
import { Canary } from '../../../../firmware/dns/stages/canary.ts';
import { decodeReply } from '../decoded.ts';
import { GUEST, PUPIL, STAFF } from '../filtering/harness.ts';
import { contextFor, runQuery } from './stage-context.ts';

describe('canary stage', () => {
  it('answers NXDOMAIN to each bypass name, from every network, as a block in the bypass category', () => {
    expect(BYPASS_NAMES.map((b) => b.name)).toEqual(['use-application-dns.net', 'mask.icloud.com', 'mask-h2.icloud.com']);
    for (const { name } of BYPASS_NAMES) {
      for (const from of [PUPIL, STAFF, GUEST]) {
        const ctx = contextFor(name, { from, id: 9 });
        expect(runQuery(new Canary(), ctx).step, name).toBe(ANSWERED);
        expect([ctx.verdict, ctx.rcode, ctx.category, ctx.list], name).toEqual(['blocked', 3, 'bypass', 'canary']);
        expect(decodeReply(ctx.reply!)).toMatchObject({ id: 9, rcode: 'NXDOMAIN', answers: [], questions: [{ name }] });
      }
    }
  });

  it('matches the name whatever its case, and only the name itself', () => {
    const upper = contextFor('USE-Application-DNS.net');
    expect(runQuery(new Canary(), upper).step).toBe(ANSWERED);
    for (const name of ['www.use-application-dns.net', 'icloud.com', 'example.com', 'mask.icloud.com.example']) {
      const ctx = contextFor(name);
      expect(runQuery(new Canary(), ctx).step, name).toBe(NEXT);
      expect(ctx.reply, name).toBeUndefined();
    }
  });
});
