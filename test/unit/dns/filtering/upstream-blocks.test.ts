// The school's filtering resolver (an IWF member, say) blocking a name: its answer reaches the
// device unchanged and the query log records it as blocked upstream.
import { expect, it } from 'vitest';
import { eventFor, PUPIL, STAFF, type World, useScriptedUpstream, useWorlds } from './harness.ts';
import { rr } from './scripted-upstream.ts';

const PROVIDER_BLOCK_PAGE = '198.51.100.250';

const upstream = useScriptedUpstream();
const startTracked = useWorlds(upstream);

async function world(extendedErrors = true, addresses = [PROVIDER_BLOCK_PAGE]): Promise<World> {
  return startTracked({ edit: (c) => { c.dns.upstreamBlocks = { addresses, extendedErrors }; } });
}

it("records the provider's block page as blocked upstream and passes its answer on", async () => {
  upstream.set('abuse.example', { answers: [rr('abuse.example', 'A', PROVIDER_BLOCK_PAGE)] });
  const w = await world();
  const r = await w.ask('abuse.example', STAFF);
  expect(r.rcode).toBe('NOERROR');
  expect(r.data).toEqual([PROVIDER_BLOCK_PAGE]);
  expect(eventFor(w.events(), 'abuse.example')).toMatchObject({ verdict: 'blocked', category: 'upstream-filter', list: 'scripted (block-page)' });
  // From the cache the same answer is recognised again.
  await w.ask('abuse.example', PUPIL);
  expect(eventFor(w.events(), 'abuse.example')).toMatchObject({ verdict: 'blocked', category: 'upstream-filter' });
});

it('recognises an Extended DNS Error "Blocked", "Censored" or "Filtered", and ignores other codes', async () => {
  upstream.set('filtered.example', { rcode: 'NXDOMAIN', ede: 17 });
  upstream.set('blocked.example', { rcode: 'NXDOMAIN', ede: 15 });
  upstream.set('stale.example', { answers: [rr('stale.example', 'A', '192.0.2.9')], ede: 3 });
  const w = await world();
  expect((await w.ask('filtered.example', STAFF)).rcode).toBe('NXDOMAIN');
  expect((await w.ask('blocked.example', STAFF)).rcode).toBe('NXDOMAIN');
  expect((await w.ask('stale.example', STAFF)).data).toEqual(['192.0.2.9']);
  const events = w.events();
  expect(eventFor(events, 'filtered.example')).toMatchObject({ verdict: 'blocked', category: 'upstream-filter', list: 'scripted (ede-17)' });
  expect(eventFor(events, 'blocked.example')).toMatchObject({ verdict: 'blocked', list: 'scripted (ede-15)' });
  expect(eventFor(events, 'stale.example').verdict).toBe('forwarded');
});

it('does nothing when recognition is off', async () => {
  upstream.set('filtered.example', { rcode: 'NXDOMAIN', ede: 17 });
  upstream.set('abuse.example', { answers: [rr('abuse.example', 'A', PROVIDER_BLOCK_PAGE)] });
  const w = await world(false, []);
  await w.ask('filtered.example', STAFF);
  await w.ask('abuse.example', STAFF);
  const events = w.events();
  expect(eventFor(events, 'filtered.example').verdict).toBe('forwarded');
  expect(eventFor(events, 'abuse.example').verdict).toBe('forwarded');
});
