// Lists, policies, exceptions and schedules, end to end: questions over UDP from each network's
// addresses to a real DnsService whose lists were compiled from files by compileLists.
import { describe, expect, it } from 'vitest';
import type { Config } from '../../../../firmware/config/schema.ts';
import { eventFor, GATEWAY, GUEST, OUTSIDER, PUPIL, STAFF, WEDNESDAY_10AM, WEDNESDAY_1230, type ListSpec, type World, useScriptedUpstream, useWorlds } from './harness.ts';
import { DEFAULT_V4 } from './scripted-upstream.ts';

const SOCIAL: ListSpec = { id: 'social', category: 'social', text: '# social networks\nchatter.test\n*.wild.test\n' };
const GAMING: ListSpec = {
  id: 'gaming', category: 'gaming', format: 'hosts',
  text: '127.0.0.1 localhost\n0.0.0.0 games.test\n0.0.0.0 play.test more.test # two on a line\n',
};
const STREAMING: ListSpec = { id: 'streaming', category: 'streaming', text: 'tube.test\nlive.chatter.test\n' };
const RESTRICTED: ListSpec = { id: 'iwf', category: 'illegal', restricted: true, text: 'abuse.test\n' };
const NEWS: ListSpec = { id: 'news', category: 'news', text: 'headlines.test\n' };
const ALL = [SOCIAL, GAMING, STREAMING, RESTRICTED, NEWS];

const upstream = useScriptedUpstream();
const startTracked = useWorlds(upstream);

async function world(edit?: (c: Config) => void, at?: number): Promise<World> {
  return startTracked({ lists: ALL, ...(edit ? { edit } : {}), ...(at !== undefined ? { at } : {}) });
}

const pupilPolicy = (c: Config) => c.policies.find((p) => p.id === 'pupil')!;

describe('listed names', () => {
  it('blocks a listed name and its subdomains for pupils with the block page on the pupil gateway, and forwards it for staff', async () => {
    const w = await world();
    for (const name of ['chatter.test', 'www.chatter.test', 'a.b.chatter.test', 'CHATTER.test']) {
      const r = await w.ask(name, PUPIL);
      expect(r.rcode, name).toBe('NOERROR');
      expect(r.data, name).toEqual([GATEWAY.pupil]);
      expect(r.answers[0]!.ttl, name).toBe(60);
      expect(r.answers[0]!.type).toBe('A');
    }
    // No IPv6 gateway on the pupil network: an empty NOERROR for AAAA, nothing to connect to.
    const aaaa = await w.ask('chatter.test', PUPIL, 'AAAA');
    expect(aaaa.rcode).toBe('NOERROR');
    expect(aaaa.answers).toEqual([]);
    // The guest network blocks social too, with its own gateway as the block page.
    expect((await w.ask('chatter.test', GUEST)).data).toEqual([GATEWAY.guest]);
    expect(upstream.asked('chatter.test')).toBe(0);

    const staff = await w.ask('www.chatter.test', STAFF);
    expect(staff.rcode).toBe('NOERROR');
    expect(staff.data).toEqual([DEFAULT_V4]);
    expect(upstream.asked('www.chatter.test')).toBe(1);
    const events = w.events();
    expect(events.filter((e) => e.verdict === 'blocked')).toHaveLength(6);
    expect(events.at(-1)).toMatchObject({ network: 'staff', name: 'www.chatter.test', verdict: 'forwarded', upstream: 'scripted' });
  });

  it('a *.x entry blocks the subdomains of x but not x itself', async () => {
    const w = await world();
    expect((await w.ask('wild.test', PUPIL)).data).toEqual([DEFAULT_V4]);
    expect((await w.ask('a.wild.test', PUPIL)).data).toEqual([GATEWAY.pupil]);
    expect((await w.ask('deep.a.wild.test', PUPIL)).data).toEqual([GATEWAY.pupil]);
    expect(upstream.asked('wild.test')).toBe(1);
    expect(upstream.asked('a.wild.test')).toBe(0);
  });

  it('reads hosts-format lists: every name on a line, with subdomains, and not the hosts file\'s own names', async () => {
    const w = await world();
    for (const name of ['games.test', 'play.test', 'more.test', 'x.more.test']) {
      expect((await w.ask(name, PUPIL)).data, name).toEqual([GATEWAY.pupil]);
    }
    expect(w.events().map((e) => [e.name, e.category, e.list])).toEqual([
      ['games.test', 'gaming', 'gaming'], ['play.test', 'gaming', 'gaming'], ['more.test', 'gaming', 'gaming'], ['x.more.test', 'gaming', 'gaming'],
    ]);
    expect(w.service.stats().matcher.names).toBe(9); // localhost was skipped
  });

  it("answers NXDOMAIN when the policy's blockAnswer is 'nxdomain'", async () => {
    const w = await world((c) => { pupilPolicy(c).blockAnswer = 'nxdomain'; });
    const r = await w.ask('chatter.test', PUPIL);
    expect(r.rcode).toBe('NXDOMAIN');
    expect(r.answers).toEqual([]);
    expect((await w.ask('chatter.test', PUPIL, 'AAAA')).rcode).toBe('NXDOMAIN');
    // The guest policy still answers with its block page.
    expect((await w.ask('chatter.test', GUEST)).data).toEqual([GATEWAY.guest]);
  });

  it("answers 0.0.0.0 and :: when the policy's blockAnswer is 'null-address'", async () => {
    const w = await world((c) => {
      pupilPolicy(c).blockAnswer = 'null-address';
      c.dns.blockTtl = 17;
    });
    const a = await w.ask('games.test', PUPIL);
    expect(a.rcode).toBe('NOERROR');
    expect(a.data).toEqual(['0.0.0.0']);
    expect(a.answers[0]!.ttl).toBe(17);
    const aaaa = await w.ask('games.test', PUPIL, 'AAAA');
    expect(aaaa.data).toEqual(['::']);
    expect(aaaa.answers[0]!.ttl).toBe(17);
  });

  it('gives a network with an IPv6 gateway its block page for AAAA', async () => {
    const w = await world((c) => { c.networks.find((n) => n.id === 'pupil')!.gateway.ipv6 = 'fd00:20::1'; });
    const aaaa = await w.ask('chatter.test', PUPIL, 'AAAA');
    expect(aaaa.data).toEqual(['fd00:20::1']);
    expect(aaaa.answers[0]!.ttl).toBe(60);
  });

  it('refuses a source on no school network, listed name or not', async () => {
    const w = await world();
    expect((await w.ask('chatter.test', OUTSIDER)).rcode).toBe('REFUSED');
    expect((await w.ask('example.test', OUTSIDER)).rcode).toBe('REFUSED');
    // By name: a late packet from an earlier test's service may still reach the shared upstream.
    expect(upstream.asked('chatter.test')).toBe(0);
    expect(upstream.asked('example.test')).toBe(0);
  });
});

describe('restricted lists', () => {
  it('block on every network, cannot be excepted, and are logged as "(restricted)" without the name', async () => {
    const w = await world((c) => {
      c.exceptions.push({ id: 'let-it-through', domain: 'abuse.test', action: 'allow', reason: 'testing an allow', requestedBy: 'head' });
    });
    for (const from of [PUPIL, STAFF, GUEST]) {
      const r = await w.ask('www.abuse.test', from);
      expect(r.rcode, from).toBe('NOERROR');
      expect(r.data, from).toEqual([from === PUPIL ? GATEWAY.pupil : from === STAFF ? GATEWAY.staff : GATEWAY.guest]);
    }
    expect(upstream.asked('www.abuse.test')).toBe(0);
    const events = w.events();
    expect(events).toHaveLength(3);
    for (const e of events) {
      expect(e).toMatchObject({ name: '(restricted)', verdict: 'blocked', category: 'restricted', list: 'iwf' });
      expect(JSON.stringify(e)).not.toContain('abuse');
    }
  });

  it('a restricted name reached through a CNAME is blocked and logged without either name', async () => {
    const w = await world();
    upstream.set('innocent.test', { answers: [
      { name: 'innocent.test', type: 'CNAME', ttl: 300, class: 'IN', data: 'cdn.abuse.test' },
      { name: 'cdn.abuse.test', type: 'A', ttl: 300, class: 'IN', data: '192.0.2.66' },
    ] });
    const r = await w.ask('innocent.test', STAFF);
    expect(r.data).toEqual([GATEWAY.staff]);
    const [e] = w.events();
    expect(e).toMatchObject({ name: '(restricted)', verdict: 'blocked', category: 'restricted', list: 'iwf' });
  });
});

describe('events', () => {
  it('carry the category and list of an ordinary block', async () => {
    const w = await world();
    await w.ask('www.chatter.test', PUPIL);
    expect(eventFor(w.events(), 'www.chatter.test')).toMatchObject({
      network: 'pupil', client: PUPIL, verdict: 'blocked', rcode: 0, category: 'social', list: 'social',
    });
  });

  it('name the list of the category that blocked, when lists of several categories cover the name', async () => {
    // live.chatter.test is on the streaming list (allowed at lunchtime) and, through chatter.test,
    // on the social list (always blocked): at lunchtime it is blocked as social, by the social list.
    const w = await world(undefined, WEDNESDAY_1230);
    expect((await w.ask('live.chatter.test', PUPIL)).data).toEqual([GATEWAY.pupil]);
    expect(eventFor(w.events(), 'live.chatter.test')).toMatchObject({ verdict: 'blocked', category: 'social', list: 'social' });
  });

  it('mark a visit to a watched category as watch=true, allowed', async () => {
    const w = await world((c) => { pupilPolicy(c).categories.news = { disposition: 'acceptable', watch: true }; });
    const r = await w.ask('world.headlines.test', PUPIL);
    expect(r.data).toEqual([DEFAULT_V4]);
    expect(eventFor(w.events(), 'world.headlines.test')).toMatchObject({ verdict: 'forwarded', watch: true, category: 'news' });
    // Staff do not watch news.
    await w.ask('world.headlines.test', STAFF);
    const staff = eventFor(w.events(), 'world.headlines.test');
    expect(staff.watch).toBeUndefined();
    expect(staff.category).toBeUndefined();
  });
});

describe('exceptions', () => {
  it('an allow exception scoped to the pupil network lets a listed name through for pupils only', async () => {
    const w = await world((c) => {
      c.exceptions.push({ id: 'topic-work', domain: 'chatter.test', action: 'allow', networks: ['pupil'], reason: 'Year 6 project', requestedBy: 'teacher' });
    });
    expect((await w.ask('www.chatter.test', PUPIL)).data).toEqual([DEFAULT_V4]);
    expect((await w.ask('www.chatter.test', GUEST)).data).toEqual([GATEWAY.guest]);
    const events = w.events();
    expect(events.map((e) => [e.network, e.verdict])).toEqual([['pupil', 'forwarded'], ['guest', 'blocked']]);
  });

  it('an expired exception does nothing', async () => {
    const w = await world((c) => {
      c.exceptions.push({
        id: 'old', domain: 'chatter.test', action: 'allow', reason: 'last term', requestedBy: 'teacher',
        expires: new Date(WEDNESDAY_10AM - 60_000).toISOString(),
      });
      c.exceptions.push({
        id: 'old-block', domain: 'fine.test', action: 'block', reason: 'last term', requestedBy: 'teacher',
        expires: new Date(WEDNESDAY_10AM - 1).toISOString(),
      });
    });
    expect((await w.ask('chatter.test', PUPIL)).data).toEqual([GATEWAY.pupil]);
    expect((await w.ask('fine.test', PUPIL)).data).toEqual([DEFAULT_V4]);
  });

  it('an exception that has not yet expired applies, and stops applying once the clock passes its expiry', async () => {
    const w = await world((c) => {
      c.exceptions.push({
        id: 'this-hour', domain: 'chatter.test', action: 'allow', reason: 'one lesson', requestedBy: 'teacher',
        expires: new Date(WEDNESDAY_10AM + 3_600_000).toISOString(),
      });
    });
    expect((await w.ask('chatter.test', PUPIL)).data).toEqual([DEFAULT_V4]);
    w.clock.advance(3600);
    expect((await w.ask('chatter.test', PUPIL)).data).toEqual([GATEWAY.pupil]);
  });

  it('a block exception blocks an otherwise allowed name, reported under the exception', async () => {
    const w = await world((c) => {
      c.exceptions.push({ id: 'no-fine', domain: 'fine.test', action: 'block', reason: 'distracting', requestedBy: 'head' });
    });
    expect((await w.ask('www.fine.test', STAFF)).data).toEqual([GATEWAY.staff]);
    expect((await w.ask('other.test', STAFF)).data).toEqual([DEFAULT_V4]);
    expect(eventFor(w.events(), 'www.fine.test')).toMatchObject({ verdict: 'blocked', list: 'no-fine' });
    expect(upstream.asked('www.fine.test')).toBe(0);
  });
});

describe('schedules', () => {
  it('streaming is blocked for pupils at 10:00 and allowed at 12:30 on a weekday (the service clock drives schedules)', async () => {
    const w = await world();
    expect((await w.ask('tube.test', PUPIL)).data).toEqual([GATEWAY.pupil]);
    w.clock.ms = WEDNESDAY_1230;
    expect((await w.ask('tube.test', PUPIL)).data).toEqual([DEFAULT_V4]);
    // Guests never get streaming; staff always do.
    expect((await w.ask('tube.test', GUEST)).data).toEqual([GATEWAY.guest]);
    expect((await w.ask('www.tube.test', STAFF)).data).toEqual([DEFAULT_V4]);
    w.clock.ms = WEDNESDAY_1230 + 31 * 60_000; // 13:01
    expect((await w.ask('www.tube.test', PUPIL)).data).toEqual([GATEWAY.pupil]);
    const events = w.events();
    expect(events.map((e) => e.at)).toEqual([WEDNESDAY_10AM, WEDNESDAY_1230, WEDNESDAY_1230, WEDNESDAY_1230, WEDNESDAY_1230 + 31 * 60_000]);
  });

  it('a service started at lunchtime allows streaming at once', async () => {
    const w = await world(undefined, WEDNESDAY_1230);
    expect((await w.ask('tube.test', PUPIL)).data).toEqual([DEFAULT_V4]);
  });

  it('lunchtime on a Saturday is not lunchtime', async () => {
    const w = await world(undefined, Date.UTC(2025, 0, 18, 12, 30));
    expect((await w.ask('tube.test', PUPIL)).data).toEqual([GATEWAY.pupil]);
  });

  it('follows British Summer Time: 12:30 in London is 11:30 UTC in July', async () => {
    const w = await world(undefined, Date.UTC(2025, 6, 16, 11, 30));
    expect((await w.ask('tube.test', PUPIL)).data).toEqual([DEFAULT_V4]);
    w.clock.ms = Date.UTC(2025, 6, 16, 12, 30); // 13:30 BST
    expect((await w.ask('tube.test', PUPIL)).data).toEqual([GATEWAY.pupil]);
  });
});
