// Every list format, end to end: compiled by the real compiler, answered by the real service.
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { checkName } from '../../../../firmware/dns/policy/check-name.ts';
import { eventFor, GATEWAY, PUPIL, STAFF, type ListSpec, type World, useScriptedUpstream, useWorlds } from './harness.ts';
import { DEFAULT_V4 } from './scripted-upstream.ts';

const sha = (name: string): string => createHash('sha256').update(name).digest('hex');

const ADBLOCK: ListSpec = { id: 'ads', category: 'gambling', format: 'adblock', text: '! title: test\n||bets.example^\n@@||help.bets.example^\nexample.org##.banner\n' };
const REGEX: ListSpec = { id: 'casinos', category: 'gambling', format: 'regex', text: '# numbered casino hosts\n/^casino[0-9]+\\./\n' };
const RPZ: ListSpec = {
  id: 'rpz', category: 'social', format: 'rpz',
  text: '$TTL 300\n$ORIGIN rpz.school.\n@ IN SOA ns.rpz.school. admin.rpz.school. (1 3600 600 86400 300)\n  IN NS ns.rpz.school.\nchatty.example CNAME .\n*.wild.example CNAME .\nfine.chatty.example CNAME rpz-passthru.\n',
};
const HASHED: ListSpec = { id: 'ctiru', category: 'extremism', format: 'sha256', restricted: true, text: `${sha('hidden.example')}\n` };
const ALL = [ADBLOCK, REGEX, RPZ, HASHED];

const upstream = useScriptedUpstream();
const startTracked = useWorlds(upstream);

async function world(): Promise<World> {
  return startTracked({ lists: ALL });
}

it('adblock: ||name^ blocks the name and its subdomains, @@ lets one through, browser-only rules are ignored', async () => {
  const w = await world();
  expect((await w.ask('www.bets.example', PUPIL)).data).toEqual([GATEWAY.pupil]);
  expect((await w.ask('help.bets.example', PUPIL)).data).toEqual([DEFAULT_V4]);
  expect((await w.ask('example.org', PUPIL)).data).toEqual([DEFAULT_V4]);
  expect(eventFor(w.events(), 'www.bets.example')).toMatchObject({ verdict: 'blocked', category: 'gambling', list: 'ads' });
});

it('regex: a pattern blocks the names it matches, under its list category', async () => {
  const w = await world();
  expect((await w.ask('casino42.example', PUPIL)).data).toEqual([GATEWAY.pupil]);
  expect((await w.ask('casino.example', PUPIL)).data).toEqual([DEFAULT_V4]);
  expect(eventFor(w.events(), 'casino42.example')).toMatchObject({ verdict: 'blocked', category: 'gambling', list: 'casinos' });
  const report = checkName(w.config, w.service.filter, { name: 'casino42.example', networkId: 'pupil', at: Date.now() });
  expect(report.answer).toBe('blocked');
  expect(report.lists).toEqual([expect.objectContaining({ list: 'casinos', kind: 'block', mode: 'regex', line: 2 })]);
});

it('rpz: CNAME . blocks, *. covers subdomains only, rpz-passthru. allows', async () => {
  const w = await world();
  expect((await w.ask('chatty.example', PUPIL)).data).toEqual([GATEWAY.pupil]);
  expect((await w.ask('fine.chatty.example', PUPIL)).data).toEqual([DEFAULT_V4]);
  expect((await w.ask('a.wild.example', PUPIL)).data).toEqual([GATEWAY.pupil]);
  expect((await w.ask('wild.example', PUPIL)).data).toEqual([DEFAULT_V4]);
  expect((await w.ask('chatty.example', STAFF)).data).toEqual([DEFAULT_V4]);
});

it('sha256: a hashed restricted list blocks the name and its subdomains everywhere, and never shows it', async () => {
  const w = await world();
  expect((await w.ask('hidden.example', STAFF)).data).toEqual([GATEWAY.staff]);
  expect((await w.ask('www.hidden.example', PUPIL)).data).toEqual([GATEWAY.pupil]);
  expect((await w.ask('nothidden.example', STAFF)).data).toEqual([DEFAULT_V4]);
  const events = w.events();
  const restricted = events.filter((e) => e.name === '(restricted)');
  expect(restricted.map((e) => [e.network, e.verdict, e.category, e.list])).toEqual([
    ['staff', 'blocked', 'restricted', 'ctiru'], ['pupil', 'blocked', 'restricted', 'ctiru'],
  ]);
  expect(events.map((e) => e.name).filter((n) => n.endsWith('hidden.example') && n !== 'nothidden.example')).toEqual([]);
  const report = checkName(w.config, w.service.filter, { name: 'hidden.example', networkId: 'staff', at: Date.now() });
  expect(report.answer).toBe('blocked');
  expect(report.lists).toEqual([{ list: 'ctiru', listName: 'List ctiru', kind: 'restricted' }]);
});
