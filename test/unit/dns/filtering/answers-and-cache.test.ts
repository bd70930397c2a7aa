// Answer inspection (CNAME cloaking, rebinding, broken chains) and the cache (hits, stale answers
// while the upstream is down) with the policy re-applied to every answer, end to end over UDP.
import { describe, expect, it } from 'vitest';
import type { Config } from '../../../../firmware/config/schema.ts';
import { eventFor, GATEWAY, GUEST, PUPIL, STAFF, type ListSpec, type World, useScriptedUpstream, useWorlds } from './harness.ts';
import { rr } from './scripted-upstream.ts';

const SOCIAL: ListSpec = { id: 'social', category: 'social', text: 'tracker.test\n' };

const upstream = useScriptedUpstream();
const startTracked = useWorlds(upstream);

async function world(edit?: (c: Config) => void, lists: ListSpec[] = [SOCIAL]): Promise<World> {
  return startTracked({ lists, ...(edit ? { edit } : {}) });
}

describe('CNAME cloaking', () => {
  it('blocks an allowed name whose answer aliases to a listed name, also when the answer comes from the cache', async () => {
    const w = await world();
    upstream.set('friendly.test', { answers: [rr('friendly.test', 'CNAME', 'edge.cdn.test'), rr('edge.cdn.test', 'CNAME', 'cdn.tracker.test'), rr('cdn.tracker.test', 'A', '192.0.2.77')] });
    const first = await w.ask('friendly.test', PUPIL);
    expect(first.rcode).toBe('NOERROR');
    expect(first.data).toEqual([GATEWAY.pupil]);
    expect(first.answers[0]!.ttl).toBe(60);
    expect(eventFor(w.events(), 'friendly.test')).toMatchObject({ verdict: 'blocked', category: 'social', list: 'social', upstream: 'scripted' });

    const second = await w.ask('friendly.test', PUPIL);
    expect(second.data).toEqual([GATEWAY.pupil]);
    expect(eventFor(w.events(), 'friendly.test')).toMatchObject({ verdict: 'blocked', category: 'social', list: 'social' });
    expect(upstream.asked('friendly.test')).toBe(1);

    // Staff allow social: the same cached answer reaches them whole.
    const staff = await w.ask('friendly.test', STAFF);
    expect(staff.data).toEqual(['edge.cdn.test', 'cdn.tracker.test', '192.0.2.77']);
    expect(eventFor(w.events(), 'friendly.test')).toMatchObject({ verdict: 'cached' });
    expect(upstream.asked('friendly.test')).toBe(1);
  });
});

describe('CNAME targets and exceptions', () => {
  it('an allow exception for the target lets the alias through, for the excepted network only', async () => {
    const w = await world((c) => {
      c.exceptions.push({ id: 'cdn-ok', domain: 'cdn.tracker.test', action: 'allow', networks: ['pupil'], reason: 'shared CDN', requestedBy: 'tech' });
    });
    upstream.set('friendly.test', { answers: [rr('friendly.test', 'CNAME', 'cdn.tracker.test'), rr('cdn.tracker.test', 'A', '192.0.2.77')] });
    expect((await w.ask('friendly.test', PUPIL)).data).toEqual(['cdn.tracker.test', '192.0.2.77']);
    expect((await w.ask('friendly.test', GUEST)).data).toEqual([GATEWAY.guest]);
  });

  it('a block exception on a CNAME target blocks the alias for staff too', async () => {
    const w = await world((c) => {
      c.exceptions.push({ id: 'no-ads', domain: 'ads.test', action: 'block', reason: 'adverts', requestedBy: 'head' });
    });
    upstream.set('news.test', { answers: [rr('news.test', 'CNAME', 'x.ads.test'), rr('x.ads.test', 'A', '192.0.2.78')] });
    expect((await w.ask('news.test', STAFF)).data).toEqual([GATEWAY.staff]);
    expect(eventFor(w.events(), 'news.test')).toMatchObject({ verdict: 'blocked', list: 'no-ads' });
  });
});

describe('rebinding protection', () => {
  it('refuses a public name that answers a private or loopback address', async () => {
    const w = await world();
    upstream.set('intranet.test', { answers: [rr('intranet.test', 'A', '10.1.2.3')] });
    upstream.set('home.test', { answers: [rr('home.test', 'A', '127.0.0.1')] });
    upstream.set('v6.test', { answers: [rr('v6.test', 'AAAA', 'fd00::1')] }, 'AAAA');
    upstream.set('via.test', { answers: [rr('via.test', 'CNAME', 'router.test'), rr('router.test', 'A', '192.168.1.1')] });
    for (const [name, type] of [['intranet.test', 'A'], ['home.test', 'A'], ['v6.test', 'AAAA'], ['via.test', 'A']] as const) {
      const r = await w.ask(name, STAFF, type);
      expect(r.rcode, name).toBe('REFUSED');
      expect(r.answers, name).toEqual([]);
    }
    const events = w.events();
    expect(events).toHaveLength(4);
    for (const e of events) expect(e).toMatchObject({ verdict: 'blocked', category: 'dns-rebinding' });
    // A public address is fine.
    upstream.set('public.test', { answers: [rr('public.test', 'A', '198.51.100.7')] });
    expect((await w.ask('public.test', STAFF)).data).toEqual(['198.51.100.7']);
  });

  it('lets names under dns.rebindingProtection.allowedDomains answer private addresses', async () => {
    const w = await world((c) => { c.dns.rebindingProtection.allowedDomains = ['corp.test', '*.lab.test']; });
    upstream.set('nas.corp.test', { answers: [rr('nas.corp.test', 'A', '10.1.2.3')] });
    upstream.set('corp.test', { answers: [rr('corp.test', 'A', '10.1.2.4')] });
    upstream.set('lab.test', { answers: [rr('lab.test', 'A', '10.1.2.5')] });
    upstream.set('pc.lab.test', { answers: [rr('pc.lab.test', 'A', '10.1.2.6')] });
    expect((await w.ask('nas.corp.test', PUPIL)).data).toEqual(['10.1.2.3']);
    expect((await w.ask('corp.test', PUPIL)).data).toEqual(['10.1.2.4']);
    expect((await w.ask('pc.lab.test', PUPIL)).data).toEqual(['10.1.2.6']);
    expect((await w.ask('lab.test', PUPIL)).rcode).toBe('REFUSED');
  });

  it('is off when dns.rebindingProtection.enabled is false', async () => {
    const w = await world((c) => { c.dns.rebindingProtection.enabled = false; });
    upstream.set('intranet.test', { answers: [rr('intranet.test', 'A', '10.1.2.3')] });
    expect((await w.ask('intranet.test', STAFF)).data).toEqual(['10.1.2.3']);
  });
});

describe('broken chains', () => {
  it('answers SERVFAIL to a CNAME loop, first time and from the cache', async () => {
    const w = await world();
    upstream.set('loop.test', { answers: [rr('loop.test', 'CNAME', 'loop2.test'), rr('loop2.test', 'CNAME', 'loop.test')] });
    expect((await w.ask('loop.test', STAFF)).rcode).toBe('SERVFAIL');
    expect((await w.ask('loop.test', STAFF)).rcode).toBe('SERVFAIL');
    expect(w.events().map((e) => e.verdict)).toEqual(['servfail', 'servfail']);
  });
});

describe('the cache', () => {
  it('answers a repeated question itself, with the TTL counted down, then serves it stale while the upstream is down', async () => {
    const w = await world();
    upstream.set('cached.test', { answers: [rr('cached.test', 'A', '192.0.2.10', 60)] });
    const first = await w.ask('cached.test', PUPIL);
    expect(first.data).toEqual(['192.0.2.10']);
    expect(first.answers[0]!.ttl).toBe(60);

    w.clock.advance(10);
    const second = await w.ask('cached.test', PUPIL);
    expect(second.data).toEqual(['192.0.2.10']);
    expect(second.answers[0]!.ttl).toBe(50);
    expect(upstream.asked('cached.test')).toBe(1);

    upstream.up = false;
    w.clock.advance(60); // 70 s after it was stored: expired
    const stale = await w.ask('cached.test', PUPIL);
    expect(stale.rcode).toBe('NOERROR');
    expect(stale.data).toEqual(['192.0.2.10']);
    expect(stale.answers[0]!.ttl).toBe(30);
    expect(upstream.asked('cached.test')).toBe(3); // it was asked, and once more, and said nothing
    expect(w.events().map((e) => e.verdict)).toEqual(['forwarded', 'cached', 'stale']);
    const cache = w.service.stats().cache;
    expect(cache.hits).toBe(1);
    expect(cache.staleHits).toBe(1);
  });

  it('keeps NXDOMAIN with its SOA, and answers it again from the cache', async () => {
    const w = await world();
    upstream.set('gone.test', { rcode: 'NXDOMAIN' });
    expect((await w.ask('gone.test', STAFF)).rcode).toBe('NXDOMAIN');
    w.clock.advance(5);
    expect((await w.ask('gone.test', STAFF)).rcode).toBe('NXDOMAIN');
    expect(upstream.asked('gone.test')).toBe(1);
    expect(w.events().map((e) => e.verdict)).toEqual(['forwarded', 'cached']);
  });

  it('fails closed: a name blocked by a list reload is blocked, not served from the cache or stale', async () => {
    const w = await world();
    upstream.set('fresh.test', { answers: [rr('fresh.test', 'A', '192.0.2.11', 3600)] });
    upstream.set('old.test', { answers: [rr('old.test', 'A', '192.0.2.12', 60)] });
    upstream.set('alias.test', { answers: [rr('alias.test', 'CNAME', 'video.test', 60), rr('video.test', 'A', '192.0.2.13', 60)] });
    for (const name of ['fresh.test', 'old.test', 'alias.test']) expect((await w.ask(name, PUPIL)).rcode, name).toBe('NOERROR');

    upstream.up = false;
    w.clock.advance(120); // old.test and alias.test expired, fresh.test still fresh
    await w.loadLists([{ id: 'social', category: 'social', text: 'tracker.test\nfresh.test\nold.test\nvideo.test\n' }]);

    for (const name of ['fresh.test', 'old.test', 'alias.test']) {
      const r = await w.ask(name, PUPIL);
      expect(r.data, name).toEqual([GATEWAY.pupil]);
    }
    const events = w.events().slice(-3);
    expect(events.map((e) => [e.name, e.verdict, e.category])).toEqual([
      ['fresh.test', 'blocked', 'social'], ['old.test', 'blocked', 'social'], ['alias.test', 'blocked', 'social'],
    ]);
    // Staff allow social: they still get the cached and stale answers.
    expect((await w.ask('fresh.test', STAFF)).data).toEqual(['192.0.2.11']);
    expect((await w.ask('old.test', STAFF)).data).toEqual(['192.0.2.12']);
    expect(w.events().map((e) => e.verdict)).toEqual(['cached', 'stale']);
  });
});
