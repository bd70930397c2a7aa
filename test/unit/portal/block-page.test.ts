// The block page over the real policy engine: the pupil's and staff's voices, a restricted entry
// never named anywhere (page, store, alert), "report this" and "request access" stored only with
// a token this gateway issued to this device for this name, and the per-device limit.
import { describe, expect, it } from 'vitest';
import { ClientDirectory } from '../../../firmware/clients/directory.ts';
import { LeaseDevices } from '../../../firmware/clients/lease-devices.ts';
import { parseAddress } from '../../../firmware/clients/ip.ts';
import type { SurfaceRequest, SurfaceResponse } from '../../../firmware/portal/dispatcher.ts';
import { REPORT_PATH, REQUEST_PATH } from '../../../firmware/portal/block/render.ts';
import { reportSeverity } from '../../../firmware/portal/block/handler.ts';
import { CATEGORY_SEVERITIES } from '../../../firmware/config/defaults.ts';
import { TOKEN_LIFETIME_MS } from '../../../firmware/portal/report-token.ts';
import { SlidingWindowLimit } from '../../../firmware/portal/rate-limit.ts';
import { PUPIL, STAFF, WEDNESDAY_10AM } from '../dns/filtering/harness.ts';
import { pageWorld, type PageWorld } from './support.ts';

const PUPIL_MAC = '02:5c:00:20:00:10';

function requestFor(w: PageWorld, from: string, host: string, extra: Partial<SurfaceRequest> = {}): SurfaceRequest {
  const devices = new LeaseDevices();
  if (from === PUPIL) devices.set(Number(parseAddress(PUPIL)!.value), PUPIL_MAC);
  const client = new ClientDirectory(w.config.networks, devices).lookup(from);
  return { method: 'GET', host, path: '/', source: from, client, now: WEDNESDAY_10AM, ...extra };
}

async function get(w: PageWorld, from: string, host: string): Promise<SurfaceResponse | undefined> {
  return await w.handler.handle(requestFor(w, from, host));
}

function tokenOf(html: string): string {
  return /name="token" value="([^"]+)"/.exec(html)![1]!;
}

async function post(w: PageWorld, from: string, host: string, path: string, form: Record<string, string>, now = WEDNESDAY_10AM): Promise<SurfaceResponse> {
  return (await w.handler.handle(requestFor(w, from, host, { method: 'POST', path, form, now })))!;
}

/** The text a person reads: tags dropped, entities of the escaped text back. */
function text(html: string): string {
  return html.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/\s+/g, ' ');
}

describe('the block page', () => {
  it('pupil voice: short sentences, the category in plain words, the name as inert text, no request for access', async () => {
    const w = await pageWorld();
    const r = (await get(w, PUPIL, 'chatter.test'))!;
    expect(r.status).toBe(403);
    const words = text(r.html);
    expect(words).toContain('This website is blocked at school.');
    expect(words).toContain('It is a social media website.');
    expect(words).toContain('If you think this is a mistake, tell your teacher.');
    expect(words).toContain('St Anne\'s <Primary>');
    expect(r.html).toContain('<p class="name" id="blocked-name">chatter.test</p>');
    expect(r.html).not.toMatch(/<a\b/);
    expect(r.html).toContain(`action="${REPORT_PATH}"`);
    expect(r.html).not.toContain(REQUEST_PATH);
    expect(r.html).not.toContain('Social networking');
  });

  it('staff voice: the category, the list, the policy, and when a schedule will allow it; request access is offered', async () => {
    const w = await pageWorld((c) => {
      c.policies.find((p) => p.id === 'staff')!.categories.gaming = { disposition: 'acceptable-at-certain-times', schedule: 'lunchtime' };
    });
    const r = (await get(w, STAFF, 'games.test'))!;
    expect(r.status).toBe(403);
    const words = text(r.html);
    expect(words).toContain('This site is blocked on the school network.');
    expect(words).toContain('Category Online gaming');
    expect(words).toContain('List Games');
    expect(words).toContain('Policy Staff');
    expect(words).toContain('Allowed from Wednesday 15 January at 12:00');
    expect(r.html).toContain(`action="${REQUEST_PATH}"`);
    expect(r.html).not.toMatch(/<a\b/);
  });

  it('a name the policy allows now is not this handler\'s to answer', async () => {
    const w = await pageWorld();
    expect(await get(w, STAFF, 'chatter.test')).toBeUndefined();
    expect(await get(w, PUPIL, 'example.test')).toBeUndefined();
    expect(await get(w, PUPIL, 'not a name')).toBeUndefined();
  });

  it('a restricted entry is never named: not on the page (either voice), not in the store, not in the alert', async () => {
    const w = await pageWorld();
    for (const from of [PUPIL, STAFF]) {
      const r = (await get(w, from, 'hidden-abuse.test'))!;
      expect(r.status).toBe(403);
      expect(text(r.html)).toContain('This address is blocked.');
      for (const secret of ['hidden-abuse', 'IWF', 'illegal', 'Illegal']) expect(r.html).not.toContain(secret);
      expect(r.html).not.toContain(REQUEST_PATH);
    }
    const page = (await get(w, PUPIL, 'hidden-abuse.test'))!;
    const sent = await post(w, PUPIL, 'hidden-abuse.test', REPORT_PATH, { token: tokenOf(page.html), kind: 'should-not-be-blocked', comment: '' });
    expect(sent.status).toBe(200);
    const [stored] = w.state.siteReports.reports();
    expect(stored).toMatchObject({ name: null, verdict: 'restricted', category: null, networkId: 'pupil', mac: PUPIL_MAC });
    expect(JSON.stringify(w.raised)).not.toContain('hidden-abuse');
    // A request for access to a restricted entry is refused outright, from staff too.
    const staffPage = (await get(w, STAFF, 'hidden-abuse.test'))!;
    expect((await post(w, STAFF, 'hidden-abuse.test', REQUEST_PATH, { token: tokenOf(staffPage.html), reason: 'research' })).status).toBe(400);
    expect(w.state.siteReports.requests()).toEqual([]);
  });
});

describe('report this', () => {
  it('stores the report linked to the page it came from and raises a medium report.site alert', async () => {
    const w = await pageWorld();
    const page = (await get(w, PUPIL, 'chatter.test'))!;
    const later = WEDNESDAY_10AM + 90_000;
    const sent = await post(w, PUPIL, 'chatter.test', REPORT_PATH, { token: tokenOf(page.html), kind: 'should-not-be-blocked', comment: ' We use it in <class> ' }, later);
    expect(sent.status).toBe(200);
    expect(text(sent.html)).toContain('Thank you.');
    const [stored] = w.state.siteReports.reports();
    expect(stored).toEqual({
      id: 1, at: new Date(later).toISOString(), blockedAt: new Date(WEDNESDAY_10AM).toISOString(), networkId: 'pupil', mac: PUPIL_MAC,
      address: PUPIL, name: 'chatter.test', category: 'social', verdict: 'blocked', kind: 'should-not-be-blocked', comment: 'We use it in <class>', status: 'open',
    });
    expect(w.raised).toEqual([expect.objectContaining({ kind: 'report.site', severity: 'medium', subject: 'chatter.test', mac: PUPIL_MAC, category: 'social' })]);
  });

  it('"should be blocked" of a restricted entry reaches the DSL at once (critical); "should not be blocked" waits for the review', async () => {
    const w = await pageWorld();
    const send = async (name: string, kind: string) => {
      const page = (await get(w, PUPIL, name))!;
      expect((await post(w, PUPIL, name, REPORT_PATH, { token: tokenOf(page.html), kind, comment: '' })).status).toBe(200);
    };
    await send('hidden-abuse.test', 'should-be-blocked');
    await send('hidden-abuse.test', 'should-not-be-blocked');
    await send('chatter.test', 'should-be-blocked');
    expect(w.raised.map((c) => [c.subject, c.details?.kind, c.severity])).toEqual([
      ['an address on a restricted list', 'should-be-blocked', 'critical'],
      ['an address on a restricted list', 'should-not-be-blocked', 'medium'],
      ['chatter.test', 'should-be-blocked', 'medium'],
    ]);
  });

  it('a report\'s severity follows the catalogue for "should be blocked" only', () => {
    const of = (id: string) => CATEGORY_SEVERITIES[id];
    const sev = (kind: 'should-be-blocked' | 'should-not-be-blocked', category: string | null, restricted = false) => reportSeverity({ kind, category }, restricted, of);
    expect(of('self-harm')).toBe('critical');
    expect(sev('should-be-blocked', 'self-harm')).toBe('critical');
    expect(sev('should-be-blocked', 'adult')).toBe('high');
    expect(sev('should-be-blocked', 'gaming')).toBe('medium');
    expect(sev('should-be-blocked', null, true)).toBe('critical');
    for (const category of ['self-harm', 'adult', 'gaming']) expect(sev('should-not-be-blocked', category)).toBe('medium');
    expect(sev('should-not-be-blocked', null, true)).toBe('medium');
    // Without the catalogue a report is never raised above the review.
    expect(reportSeverity({ kind: 'should-be-blocked', category: 'self-harm' }, false)).toBe('medium');
  });

  it('refuses a token from another device, for another name, forged or expired, and a bad form; nothing is stored', async () => {
    const w = await pageWorld();
    const token = tokenOf((await get(w, PUPIL, 'chatter.test'))!.html);
    const other = tokenOf((await get(w, PUPIL, 'games.test'))!.html);
    const refused = [
      await post(w, '127.20.0.6', 'chatter.test', REPORT_PATH, { token, kind: 'should-not-be-blocked' }),
      await post(w, PUPIL, 'chatter.test', REPORT_PATH, { token: other, kind: 'should-not-be-blocked' }),
      await post(w, PUPIL, 'chatter.test', REPORT_PATH, { token: token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA'), kind: 'should-not-be-blocked' }),
      await post(w, PUPIL, 'chatter.test', REPORT_PATH, { kind: 'should-not-be-blocked' }),
      await post(w, PUPIL, 'chatter.test', REPORT_PATH, { token, kind: 'should-not-be-blocked' }, WEDNESDAY_10AM + TOKEN_LIFETIME_MS + 1),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403, 403]);
    expect((await post(w, PUPIL, 'chatter.test', REPORT_PATH, { token, kind: 'unblock-everything' })).status).toBe(400);
    expect((await post(w, PUPIL, 'chatter.test', REPORT_PATH, { token, kind: 'should-be-blocked', comment: 'x'.repeat(501) })).status).toBe(400);
    expect(w.state.siteReports.reports()).toEqual([]);
    expect(w.raised).toEqual([]);
  });

  it('request access: staff only, with a reason, stored for the change-request flow', async () => {
    const w = await pageWorld();
    const page = (await get(w, PUPIL, 'chatter.test'))!;
    expect((await post(w, PUPIL, 'chatter.test', REQUEST_PATH, { token: tokenOf(page.html), reason: 'I want it' })).status).toBe(400);
    const staff = await pageWorld((c) => { c.policies.find((p) => p.id === 'staff')!.categories.social = { disposition: 'unacceptable' }; });
    const staffToken = tokenOf((await get(staff, STAFF, 'chatter.test'))!.html);
    expect((await post(staff, STAFF, 'chatter.test', REQUEST_PATH, { token: staffToken, reason: '   ' })).status).toBe(400);
    expect((await post(staff, STAFF, 'chatter.test', REQUEST_PATH, { token: staffToken, reason: 'Year 6 e-safety lesson' })).status).toBe(200);
    expect(staff.state.siteReports.requests()).toEqual([expect.objectContaining({ networkId: 'staff', address: STAFF, mac: null, name: 'chatter.test', category: 'social', reason: 'Year 6 e-safety lesson', status: 'open' })]);
  });

  it('is limited per device: the sixth send in an hour is refused and not stored; another device is not affected', async () => {
    const w = await pageWorld(undefined, new SlidingWindowLimit(5, 3_600_000));
    const token = tokenOf((await get(w, PUPIL, 'chatter.test'))!.html);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post(w, PUPIL, 'chatter.test', REPORT_PATH, { token, kind: 'should-not-be-blocked', comment: `#${i}` }, WEDNESDAY_10AM + i)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(w.state.siteReports.reports()).toHaveLength(5);
    const otherToken = tokenOf((await w.handler.handle(requestFor(w, '127.20.0.6', 'chatter.test')))!.html);
    expect((await post(w, '127.20.0.6', 'chatter.test', REPORT_PATH, { token: otherToken, kind: 'should-be-blocked' })).status).toBe(200);
  });
});

describe('SlidingWindowLimit', () => {
  it('allows again once the oldest send leaves the window', () => {
    const limit = new SlidingWindowLimit(2, 1000);
    expect([limit.take('a', 0), limit.take('a', 10), limit.take('a', 999), limit.take('a', 1001), limit.take('b', 999)]).toEqual([true, true, false, true, true]);
  });
});
