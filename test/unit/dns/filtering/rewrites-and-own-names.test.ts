// Safe search rewrites, bypass canaries and the gateway's own names, end to end over UDP.
import type dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../../../firmware/config/schema.ts';
import { eventFor, GATEWAY, GUEST, PUPIL, STAFF, type World, useScriptedUpstream, useWorlds } from './harness.ts';
import { DEFAULT_V4, rr } from './scripted-upstream.ts';

const HTTPS = 'UNKNOWN_65' as dnsPacket.RecordType;
const GOOGLE_SAFE_V4 = '216.239.38.120';
const YT_STRICT_V4 = '216.239.38.119';
const YT_MODERATE_V4 = '216.239.38.121';

const upstream = useScriptedUpstream();
const startTracked = useWorlds(upstream);

function scriptSafeHosts(): void {
  upstream.set('forcesafesearch.google.com', { answers: [rr('forcesafesearch.google.com', 'A', GOOGLE_SAFE_V4, 120)] }, 'A');
  upstream.set('forcesafesearch.google.com', { answers: [rr('forcesafesearch.google.com', 'AAAA', '2001:4860:4802:32::78', 120)] }, 'AAAA');
  upstream.set('restrict.youtube.com', { answers: [rr('restrict.youtube.com', 'A', YT_STRICT_V4)] }, 'A');
  upstream.set('restrictmoderate.youtube.com', { answers: [rr('restrictmoderate.youtube.com', 'A', YT_MODERATE_V4)] }, 'A');
}

async function world(edit?: (c: Config) => void): Promise<World> {
  scriptSafeHosts();
  return startTracked(edit ? { edit } : {});
}

describe('safe search', () => {
  it("answers www.google.co.uk for a pupil as a CNAME to forcesafesearch.google.com with the safe host's addresses", async () => {
    const w = await world();
    const r = await w.ask('www.google.co.uk', PUPIL);
    expect(r.rcode).toBe('NOERROR');
    expect(r.answers.map((a) => [a.name, a.type, String(a.data)])).toEqual([
      ['www.google.co.uk', 'CNAME', 'forcesafesearch.google.com'],
      ['forcesafesearch.google.com', 'A', GOOGLE_SAFE_V4],
    ]);
    expect(r.answers.every((a) => a.ttl! <= 120 && a.ttl! > 0)).toBe(true);
    const aaaa = await w.ask('google.co.uk', PUPIL, 'AAAA');
    expect(aaaa.answers.map((a) => [a.type, String(a.data)])).toEqual([
      ['CNAME', 'forcesafesearch.google.com'], ['AAAA', '2001:4860:4802:32::78'],
    ]);
    // Mixed case is the same name (and the answer, now from the cache, is inspected the same way).
    const mixed = await w.ask('WWW.Google.CO.uk', PUPIL);
    expect(mixed.rcode).toBe('NOERROR');
    expect(mixed.data).toEqual(['forcesafesearch.google.com', GOOGLE_SAFE_V4]);
    // The search engine's own name never reaches the upstream: only the safe host does.
    expect(upstream.asked('www.google.co.uk')).toBe(0);
    expect(upstream.asked('google.co.uk')).toBe(0);
    expect(upstream.asked('forcesafesearch.google.com')).toBe(2);
    expect(w.events().map((e) => [e.name, e.network, e.verdict, e.rcode])).toEqual([
      ['www.google.co.uk', 'pupil', 'rewritten', 0], ['google.co.uk', 'pupil', 'rewritten', 0], ['www.google.co.uk', 'pupil', 'rewritten', 0],
    ]);
  });

  it('youtube is restrict.youtube.com under strict and restrictmoderate.youtube.com under moderate', async () => {
    const w = await world((c) => {
      c.policies.find((p) => p.id === 'guest')!.safeSearch = 'moderate';
    });
    const strict = await w.ask('www.youtube.com', PUPIL);
    expect(strict.answers.map((a) => String(a.data))).toEqual(['restrict.youtube.com', YT_STRICT_V4]);
    const moderate = await w.ask('www.youtube.com', GUEST);
    expect(moderate.answers.map((a) => String(a.data))).toEqual(['restrictmoderate.youtube.com', YT_MODERATE_V4]);
    expect(upstream.asked('www.youtube.com')).toBe(0);
  });

  it("staff's moderate policy still enforces Google's one safe mode, and moderate YouTube", async () => {
    const w = await world();
    expect((await w.ask('www.google.com', STAFF)).data).toEqual(['forcesafesearch.google.com', GOOGLE_SAFE_V4]);
    expect((await w.ask('m.youtube.com', STAFF)).data).toEqual(['restrictmoderate.youtube.com', YT_MODERATE_V4]);
  });

  it('an allow exception keeps safe search: the safe host is not blocked by the list that blocks the engine', async () => {
    scriptSafeHosts();
    const w = await startTracked({
      lists: [{ id: 'video', category: 'streaming', text: 'youtube.com\n' }],
      edit: (c) => {
        c.policies.find((p) => p.id === 'staff')!.categories.streaming = { disposition: 'unacceptable' };
        c.exceptions.push({ id: 'lesson', domain: 'www.youtube.com', action: 'allow', networks: ['staff'], reason: 'a video for a lesson', requestedBy: 'teacher' });
      },
    });
    const allowed = await w.ask('www.youtube.com', STAFF);
    expect(allowed.answers.map((a) => [a.name, a.type, String(a.data)])).toEqual([
      ['www.youtube.com', 'CNAME', 'restrictmoderate.youtube.com'], ['restrictmoderate.youtube.com', 'A', YT_MODERATE_V4],
    ]);
    // Outside the exception the list still decides: the engine's other names get the block page.
    expect((await w.ask('m.youtube.com', STAFF)).data).toEqual([GATEWAY.staff]);
    expect(eventFor(w.events(), 'm.youtube.com').verdict).toBe('blocked');
  });

  it('safe search off forwards the engine unchanged', async () => {
    const w = await world((c) => { c.policies.find((p) => p.id === 'staff')!.safeSearch = 'off'; });
    expect((await w.ask('www.google.com', STAFF)).data).toEqual([DEFAULT_V4]);
    expect(upstream.asked('www.google.com')).toBe(1);
  });

  it('an HTTPS-type question gets just the CNAME', async () => {
    const w = await world();
    const r = await w.ask('www.google.co.uk', PUPIL, HTTPS);
    expect(r.rcode).toBe('NOERROR');
    expect(r.answers.map((a) => [a.type, String(a.data)])).toEqual([['CNAME', 'forcesafesearch.google.com']]);
    expect(upstream.asked('www.google.co.uk')).toBe(0);
    expect(upstream.asked('forcesafesearch.google.com')).toBe(0);
  });

  it('answers SERVFAIL, never the unfiltered engine, when the safe host cannot be resolved', async () => {
    const w = await world();
    upstream.up = false;
    const down = await w.ask('www.google.co.uk', PUPIL);
    expect(down.rcode).toBe('SERVFAIL');
    expect(down.answers).toEqual([]);
    upstream.up = true;
    upstream.set('forcesafesearch.google.com', { rcode: 'SERVFAIL' }, 'A');
    const failing = await w.ask('www.google.co.uk', PUPIL);
    expect(failing.rcode).toBe('SERVFAIL');
    expect(failing.answers).toEqual([]);
    expect(upstream.asked('www.google.co.uk')).toBe(0);
    expect(w.events().map((e) => e.verdict)).toEqual(['servfail', 'servfail']);
  });

  it("serves the safe host's stale addresses while the upstreams are down, never the engine's", async () => {
    const w = await world();
    expect((await w.ask('www.google.co.uk', PUPIL)).data).toEqual(['forcesafesearch.google.com', GOOGLE_SAFE_V4]);
    upstream.up = false;
    w.clock.advance(600); // past the safe host's 120 s TTL, inside the stale window
    const stale = await w.ask('www.google.com', PUPIL);
    expect(stale.rcode).toBe('NOERROR');
    expect(stale.data).toEqual(['forcesafesearch.google.com', GOOGLE_SAFE_V4]);
    expect(stale.answers.every((a) => a.ttl === 30)).toBe(true);
    expect(upstream.asked('www.google.com')).toBe(0);
    w.events();
    w.clock.advance(7 * 86400); // past the stale window too: nothing safe left to serve
    expect((await w.ask('www.google.com', PUPIL)).rcode).toBe('SERVFAIL');
  });

  it('a safe host that answers with a private address is not passed on (rebinding)', async () => {
    const w = await world();
    upstream.set('forcesafesearch.google.com', { answers: [rr('forcesafesearch.google.com', 'A', '10.9.9.9')] }, 'A');
    const r = await w.ask('www.google.co.uk', PUPIL);
    expect(r.rcode).toBe('REFUSED');
    expect(r.data).toEqual([]);
    expect(eventFor(w.events(), 'www.google.co.uk')).toMatchObject({ verdict: 'blocked', category: 'dns-rebinding' });
  });
});

describe('bypass canaries', () => {
  it('answer NXDOMAIN on every network, are never forwarded, and are recorded as bypass attempts', async () => {
    const w = await world();
    for (const name of ['use-application-dns.net', 'mask.icloud.com', 'mask-h2.icloud.com']) {
      for (const from of [PUPIL, STAFF, GUEST]) {
        const r = await w.ask(name, from);
        expect(r.rcode, `${name} from ${from}`).toBe('NXDOMAIN');
        expect(r.answers).toEqual([]);
      }
      expect(upstream.asked(name)).toBe(0);
    }
    const events = w.events();
    expect(events).toHaveLength(9);
    for (const e of events) expect(e).toMatchObject({ verdict: 'blocked', rcode: 3, category: 'bypass' });
  });
});

describe("the gateway's own names", () => {
  it('answer the local domain with the asking network\'s gateway address', async () => {
    const w = await world();
    const pupil = await w.ask('schoolgate.home.arpa', PUPIL);
    expect(pupil.rcode).toBe('NOERROR');
    expect(pupil.data).toEqual([GATEWAY.pupil]);
    expect((await w.ask('SchoolGate.Home.Arpa', STAFF)).data).toEqual([GATEWAY.staff]);
    expect((await w.ask('schoolgate.home.arpa', GUEST)).data).toEqual([GATEWAY.guest]);
    const aaaa = await w.ask('schoolgate.home.arpa', PUPIL, 'AAAA');
    expect(aaaa.rcode).toBe('NOERROR');
    expect(aaaa.answers).toEqual([]);
    expect(w.events().every((e) => e.verdict === 'local')).toBe(true);
  });

  it('answer anything else under the local domain NXDOMAIN, and never forward it', async () => {
    const w = await world();
    for (const name of ['printer.schoolgate.home.arpa', 'a.b.schoolgate.home.arpa']) {
      for (const type of ['A', 'AAAA', 'TXT'] as const) {
        const r = await w.ask(name, STAFF, type);
        expect(r.rcode, `${name} ${type}`).toBe('NXDOMAIN');
      }
    }
    expect(upstream.seen.filter((s) => s.name.endsWith('home.arpa'))).toEqual([]);
  });
});
