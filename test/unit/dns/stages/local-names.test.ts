// local-names: the gateway's own names under dns.localDomain. The bare domain is the asking
// device's own gateway; anything under it is NXDOMAIN; nothing under it is ever handed on.
import { describe, expect, it } from 'vitest';
import type { Config } from '../../../../firmware/config/schema.ts';
import { ANSWERED, NEXT } from '../../../../firmware/dns/query/stage.ts';
import { LocalNames } from '../../../../firmware/dns/stages/local-names.ts';
import { QType } from '../../../../firmware/dns/wire/constants.ts';
import { decodeReply } from '../decoded.ts';
import { baseConfig, GATEWAY, GUEST, PUPIL, STAFF } from '../filtering/harness.ts';
import { contextFor, runQuery } from './stage-context.ts';

const DOMAIN = 'schoolgate.home.arpa';

// As buildPipeline builds it, from the configuration.
function stage(config: Config): LocalNames {
  return new LocalNames({ domain: config.dns.localDomain, networks: config.networks, ttl: config.dns.blockTtl });
}

describe('local-names stage', () => {
  it('answers the bare domain with the gateway address of the asking device\'s own network', () => {
    const config = baseConfig(53);
    expect(config.dns.localDomain).toBe(DOMAIN);
    for (const [from, gateway] of [[PUPIL, GATEWAY.pupil], [STAFF, GATEWAY.staff], [GUEST, GATEWAY.guest]] as const) {
      const ctx = contextFor(DOMAIN, { from, id: 21, config });
      expect(runQuery(stage(config), ctx).step, from).toBe(ANSWERED);
      expect([ctx.verdict, ctx.rcode]).toEqual(['local', 0]);
      const reply = decodeReply(ctx.reply!);
      expect(reply).toMatchObject({ id: 21, rcode: 'NOERROR' });
      expect(reply.answers.map((a) => [a.name, a.type, a.ttl, a.data]), from).toEqual([[DOMAIN, 'A', 60, gateway]]);
    }
  });

  it('answers AAAA with the network\'s IPv6 gateway when it has one, else an empty NOERROR; other types empty', () => {
    const config = baseConfig(53);
    config.networks.find((n) => n.id === 'staff')!.gateway.ipv6 = 'fd00:10::1';
    const staff = contextFor(DOMAIN, { from: STAFF, qtype: QType.AAAA, config });
    expect(runQuery(stage(config), staff).step).toBe(ANSWERED);
    expect(decodeReply(staff.reply!).answers.map((a) => [a.type, a.data])).toEqual([['AAAA', 'fd00:10::1']]);
    const pupil = contextFor(DOMAIN, { from: PUPIL, qtype: QType.AAAA, config });
    runQuery(stage(config), pupil);
    expect(decodeReply(pupil.reply!)).toMatchObject({ rcode: 'NOERROR', answers: [] });
    const txt = contextFor(DOMAIN, { from: STAFF, qtype: QType.TXT, config });
    runQuery(stage(config), txt);
    expect(decodeReply(txt.reply!)).toMatchObject({ rcode: 'NOERROR', answers: [] });
  });

  it('answers NXDOMAIN for every other name under the domain, and follows a configured domain', () => {
    const config = baseConfig(53);
    for (const name of [`printer.${DOMAIN}`, `a.b.${DOMAIN}`]) {
      const ctx = contextFor(name, { config });
      expect(runQuery(stage(config), ctx).step, name).toBe(ANSWERED);
      expect([ctx.verdict, ctx.rcode], name).toEqual(['local', 3]);
      expect(decodeReply(ctx.reply!).rcode).toBe('NXDOMAIN');
    }
    config.dns.localDomain = 'gate.home.arpa';
    const other = contextFor('gate.home.arpa', { config });
    expect(runQuery(stage(config), other).step).toBe(ANSWERED);
    expect(decodeReply(other.reply!).answers.map((a) => a.data)).toEqual([GATEWAY.pupil]);
    expect(runQuery(stage(config), contextFor(DOMAIN, { config })).step).toBe(NEXT);
  });

  it('hands on names outside the domain, including ones that only end with the same letters', () => {
    const config = baseConfig(53);
    for (const name of ['example.com', `x${DOMAIN}`, 'home.arpa', 'other.home.arpa']) {
      const ctx = contextFor(name, { config });
      expect(runQuery(stage(config), ctx).step, name).toBe(NEXT);
      expect(ctx.reply, name).toBeUndefined();
    }
  });
});
