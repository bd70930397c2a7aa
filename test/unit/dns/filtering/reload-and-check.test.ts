// List reloads (setLists, ListsManager) and `schoolgate check` (checkName) against the running
// service: the report names the list and line, hides restricted entries, and agrees with what the
// service answers for the same name, network and instant.
import { writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../../../firmware/config/schema.ts';
import { checkName, type CheckReport } from '../../../../firmware/dns/policy/check-name.ts';
import { silentLogger } from '../../../../firmware/log.ts';
import { ListReadError, compileLists } from '../../../../firmware/rules/load-lists.ts';
import { ListsManager } from '../../../../firmware/rules/lists-manager.ts';
import { GATEWAY, GUEST, listSource, PUPIL, STAFF, WEDNESDAY_10AM, WEDNESDAY_1230, writeLists, type ListSpec, type World, useScriptedUpstream, useWorlds } from './harness.ts';
import { DEFAULT_V4, rr } from './scripted-upstream.ts';

const SOCIAL: ListSpec = { id: 'social', name: 'Social networks', category: 'social', text: '# social\nchatter.test\n\n*.wild.test\n' };
const GAMING: ListSpec = { id: 'gaming', name: 'Games', category: 'gaming', format: 'hosts', text: '0.0.0.0 games.test\n0.0.0.0 play.test more.test\n' };
const STREAMING: ListSpec = { id: 'streaming', name: 'Video', category: 'streaming', text: 'tube.test\nlive.chatter.test\n' };
const RESTRICTED: ListSpec = { id: 'iwf', name: 'IWF', category: 'illegal', restricted: true, text: 'abuse.test\nhidden.chatter.test\n' };

const upstream = useScriptedUpstream();
const startTracked = useWorlds(upstream);

async function world(lists: ListSpec[], edit?: (c: Config) => void): Promise<World> {
  return startTracked({ lists, ...(edit ? { edit } : {}) });
}

describe('reloading lists', () => {
  it('setLists takes effect on the next question, both ways', async () => {
    const w = await world([SOCIAL]);
    expect((await w.ask('newly.test', PUPIL)).data).toEqual([DEFAULT_V4]);
    await w.loadLists([{ ...SOCIAL, text: `${SOCIAL.text}newly.test\n` }]);
    expect((await w.ask('newly.test', PUPIL)).data).toEqual([GATEWAY.pupil]);
    expect((await w.ask('chatter.test', PUPIL)).data).toEqual([GATEWAY.pupil]);
    await w.loadLists([{ ...SOCIAL, text: 'other.test\n' }]);
    expect((await w.ask('newly.test', PUPIL)).data).toEqual([DEFAULT_V4]);
    expect((await w.ask('chatter.test', PUPIL)).data).toEqual([DEFAULT_V4]);
    expect(w.service.stats().matcher.names).toBe(1);
  });

  it('a configuration reload (new exceptions) keeps the lists in service', async () => {
    const w = await world([SOCIAL]);
    expect((await w.ask('chatter.test', PUPIL)).data).toEqual([GATEWAY.pupil]);
    const next = structuredClone(w.config);
    next.exceptions.push({ id: 'topic', domain: 'chatter.test', action: 'allow', networks: ['pupil'], reason: 'project work', requestedBy: 'teacher' });
    w.service.reload(next);
    expect((await w.ask('chatter.test', PUPIL)).data).toEqual([DEFAULT_V4]);
    expect((await w.ask('chatter.test', GUEST)).data).toEqual([GATEWAY.guest]);
    expect(w.service.stats().matcher.names).toBe(2);
  });

  it('ListsManager.reload with a missing list file rejects and leaves the previous lists in service', async () => {
    const w = await world([]);
    const manager = new ListsManager({ target: w.service, listsDir: w.listsDir, seed: 7, logger: silentLogger() });
    await writeLists(w.listsDir, [SOCIAL]);
    const good: Config = { ...w.config, lists: [listSource(SOCIAL)] };
    const report = await manager.reload(good);
    expect(report.names).toBe(2);
    expect((await w.ask('chatter.test', PUPIL)).data).toEqual([GATEWAY.pupil]);

    // A new restricted list whose file is missing, and the social list's file changed on disk.
    await writeFile(join(w.listsDir, 'social.txt'), 'elsewhere.test\n');
    const broken: Config = { ...w.config, lists: [listSource(SOCIAL), listSource({ ...RESTRICTED, id: 'ctiru' })] };
    const failed = await manager.reload(broken).then(() => undefined, (error: unknown) => error);
    expect(failed).toBeInstanceOf(ListReadError);
    expect((failed as ListReadError).message).toContain('ctiru');
    expect((failed as ListReadError).statuses.find((s) => s.id === 'ctiru')!.error).toMatch(/ENOENT/);
    expect(manager.report).toBe(report);

    expect((await w.ask('chatter.test', PUPIL)).data).toEqual([GATEWAY.pupil]);
    expect((await w.ask('elsewhere.test', PUPIL)).data).toEqual([DEFAULT_V4]);
    expect(w.service.stats().matcher.names).toBe(2);

    // Once the configuration is good again, the file on disk is what counts.
    await manager.reload(good);
    expect((await w.ask('chatter.test', PUPIL)).data).toEqual([DEFAULT_V4]);
    expect((await w.ask('elsewhere.test', PUPIL)).data).toEqual([GATEWAY.pupil]);
  });

  it('a list deleted from disk fails the reload too', async () => {
    const w = await world([SOCIAL]);
    const manager = new ListsManager({ target: w.service, listsDir: w.listsDir, seed: 7, logger: silentLogger() });
    await rm(join(w.listsDir, 'social.txt'));
    await expect(manager.reload(w.config)).rejects.toBeInstanceOf(ListReadError);
    expect((await w.ask('chatter.test', PUPIL)).data).toEqual([GATEWAY.pupil]);
  });

  it("never repeats a restricted list's bad lines in its status", async () => {
    const w = await world([]);
    const spec: ListSpec = { ...RESTRICTED, text: 'abuse.test\nhttp://secret-path.test/x\n' };
    await writeLists(w.listsDir, [spec]);
    const compiled = await compileLists({ policies: w.config.policies, lists: [listSource(spec)] }, { listsDir: w.listsDir, seed: 1 });
    const status = compiled.statuses[0]!;
    expect(status.badLines).toBe(1);
    expect(status.firstErrors).toEqual([{ line: 2, message: 'the entry looks like a URL or an address, not a domain name' }]);
    expect(JSON.stringify(compiled.statuses)).not.toContain('secret');
  });
});

describe('checkName', () => {
  const EXCEPTIONS = (c: Config): void => {
    c.exceptions.push({ id: 'game-club', domain: 'games.test', action: 'allow', networks: ['pupil'], reason: 'after-school club', requestedBy: 'teacher' });
    c.exceptions.push({ id: 'no-fine', domain: 'fine.test', action: 'block', reason: 'distracting', requestedBy: 'head' });
    c.exceptions.push({ id: 'iwf-try', domain: 'abuse.test', action: 'allow', reason: 'should never work', requestedBy: 'head' });
  };

  it('reports the list id, name and line of the matching entry', async () => {
    const w = await world([SOCIAL, GAMING, STREAMING, RESTRICTED]);
    const check = (name: string, networkId = 'pupil'): CheckReport => checkName(w.config, w.service.filter, { name, networkId, at: WEDNESDAY_10AM });

    const social = check('www.chatter.test');
    expect(social.answer).toBe('blocked');
    expect(social.blockAnswer).toBe('block-page');
    expect(social.lists).toEqual([
      { list: 'social', listName: 'Social networks', kind: 'block', category: 'social', listed: 'chatter.test', mode: 'suffix', line: 2 },
    ]);
    expect(check('a.wild.test').lists).toEqual([
      { list: 'social', listName: 'Social networks', kind: 'block', category: 'social', listed: 'wild.test', mode: 'subdomains', line: 4 },
    ]);
    expect(check('more.test').lists).toEqual([
      { list: 'gaming', listName: 'Games', kind: 'block', category: 'gaming', listed: 'more.test', mode: 'suffix', line: 2 },
    ]);
    const both = check('live.chatter.test');
    expect(both.lists.map((e) => [e.list, e.listed, e.line])).toEqual([['streaming', 'live.chatter.test', 2], ['social', 'chatter.test', 2]]);
    expect(check('example.test')).toMatchObject({ answer: 'allowed', lists: [] });
  });

  it("never shows a restricted list's entries", async () => {
    const w = await world([SOCIAL, RESTRICTED]);
    for (const name of ['abuse.test', 'www.abuse.test', 'hidden.chatter.test']) {
      for (const networkId of ['pupil', 'staff', 'guest']) {
        const report = checkName(w.config, w.service.filter, { name, networkId, at: WEDNESDAY_10AM });
        expect(report.answer).toBe('blocked');
        expect(report.policy.decision.reason).toBe('restricted');
        const restricted = report.lists.filter((e) => e.kind === 'restricted');
        expect(restricted).toEqual([{ list: 'iwf', listName: 'IWF', kind: 'restricted' }]);
        // hidden.chatter.test is also under the social list's chatter.test: shown, but it says nothing of the restricted entry.
        for (const e of report.lists) if (e.list === 'iwf') expect(e.listed === undefined && e.line === undefined).toBe(true);
      }
    }
    // An entry of another list for the very name a restricted list holds is withheld too.
    const w2 = await world([{ ...SOCIAL, text: 'abuse.test\n' }, RESTRICTED]);
    const report = checkName(w2.config, w2.service.filter, { name: 'abuse.test', networkId: 'staff', at: WEDNESDAY_10AM });
    expect(report.lists).toEqual([
      { list: 'iwf', listName: 'IWF', kind: 'restricted' },
      { list: 'social', listName: 'Social networks', kind: 'block', category: 'social' },
    ]);
  });

  it('agrees with what the service answers, name by name, across networks and times', async () => {
    const w = await world([SOCIAL, GAMING, STREAMING, RESTRICTED], EXCEPTIONS);
    upstream.set('friendly.test', { answers: [rr('friendly.test', 'A', '198.51.100.9')] });
    upstream.set('forcesafesearch.google.com', { answers: [rr('forcesafesearch.google.com', 'A', '216.239.38.120')] }, 'A');
    upstream.set('restrict.youtube.com', { answers: [rr('restrict.youtube.com', 'A', '216.239.38.119')] }, 'A');
    upstream.set('restrictmoderate.youtube.com', { answers: [rr('restrictmoderate.youtube.com', 'A', '216.239.38.121')] }, 'A');
    const names = [
      'chatter.test', 'www.chatter.test', 'wild.test', 'a.wild.test', 'games.test', 'play.test', 'tube.test', 'live.chatter.test',
      'abuse.test', 'x.hidden.chatter.test', 'fine.test', 'friendly.test', 'www.google.co.uk', 'www.youtube.com',
      'schoolgate.home.arpa', 'printer.schoolgate.home.arpa', 'use-application-dns.net', 'mask.icloud.com',
    ];
    const networks = [['pupil', PUPIL], ['staff', STAFF], ['guest', GUEST]] as const;
    const seen = new Set<string>();
    for (const at of [WEDNESDAY_10AM, WEDNESDAY_1230]) {
      w.clock.ms = at;
      for (const name of names) {
        for (const [networkId, from] of networks) {
          const report = checkName(w.config, w.service.filter, { name, networkId, at });
          const reply = await w.ask(name, from);
          const [event] = w.events();
          const what = `${name} on ${networkId} at ${new Date(at).toISOString()}`;
          seen.add(report.answer);
          switch (report.answer) {
            case 'blocked':
              expect(event!.verdict, what).toBe('blocked');
              expect(reply.data, what).toEqual([GATEWAY[networkId]]);
              expect(report.blockAnswer, what).toBe('block-page');
              break;
            case 'allowed':
              expect(['forwarded', 'cached'], what).toContain(event!.verdict);
              expect(reply.rcode, what).toBe('NOERROR');
              expect(reply.data.length, what).toBeGreaterThan(0);
              expect(reply.data, what).not.toContain(GATEWAY[networkId]);
              break;
            case 'rewritten':
              expect(event!.verdict, what).toBe('rewritten');
              expect(reply.data[0], what).toBe(report.rewrite);
              break;
            case 'local':
              expect(event!.verdict, what).toBe('local');
              expect(reply.rcode, what).toBe(name === 'schoolgate.home.arpa' ? 'NOERROR' : 'NXDOMAIN');
              break;
            case 'canary':
              expect(event, what).toMatchObject({ verdict: 'blocked', category: 'bypass' });
              expect(reply.rcode, what).toBe('NXDOMAIN');
              break;
          }
          if (report.answer === 'blocked' && report.policy.decision.reason === 'category') {
            expect(event!.category, what).toBe(report.policy.decision.category);
            expect(report.lists.some((e) => e.list === event!.list && e.category === event!.category), what).toBe(true);
          }
        }
      }
    }
    expect([...seen].sort()).toEqual(['allowed', 'blocked', 'canary', 'local', 'rewritten']);
  });

  it('reports the block answer the service gives under nxdomain and null-address policies', async () => {
    const w = await world([SOCIAL], (c) => {
      c.policies.find((p) => p.id === 'pupil')!.blockAnswer = 'nxdomain';
      c.policies.find((p) => p.id === 'guest')!.blockAnswer = 'null-address';
    });
    const pupil = checkName(w.config, w.service.filter, { name: 'chatter.test', networkId: 'pupil', at: WEDNESDAY_10AM });
    expect(pupil.blockAnswer).toBe('nxdomain');
    expect((await w.ask('chatter.test', PUPIL)).rcode).toBe('NXDOMAIN');
    const guest = checkName(w.config, w.service.filter, { name: 'chatter.test', networkId: 'guest', at: WEDNESDAY_10AM });
    expect(guest.blockAnswer).toBe('null-address');
    expect((await w.ask('chatter.test', GUEST)).data).toEqual(['0.0.0.0']);
  });
});
