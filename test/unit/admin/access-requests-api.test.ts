// The block page's access requests on the Change requests page, through fastify's inject over a
// real state.db, configuration store and change control: who may read them, dismissing (who and
// when, audited), a change request made from one (recorded on it), and the request leaving the
// list when that change request is decided — granted or refused with the decider kept.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { ConfigStore } from '../../../firmware/config/store.ts';
import { startChangeControl } from '../../../firmware/control/changes/wiring.ts';
import { ControlServer } from '../../../firmware/control/server.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { wireAccessRequests } from '../../../firmware/portal/access-request-methods.ts';
import { testAdmin, type TestAdmin } from './admin-app.ts';
import { caller, roleSessions, type RoleSession } from './role-sessions.ts';

let t: TestAdmin;
let store: ConfigStore;
let call: ReturnType<typeof caller>;
let s: Record<string, RoleSession>;
beforeEach(async () => {
  store = await ConfigStore.open(join(mkdtempSync(join(tmpdir(), 'sg-access-')), 'config.json'), { createWith: defaultConfig });
  const control = new ControlServer(silentLogger());
  t = await testAdmin({ config: { current: () => store.current, update: (change, written) => store.update(change, written) }, control });
  const access = wireAccessRequests(control, { state: t.state, config: store });
  startChangeControl({ control, state: t.state, config: store, mailer: null, logger: silentLogger(), decided: access.decided });
  call = caller(t);
  s = await roleSessions(t, ['technician', 'staff', 'online-safety-lead']);
});
afterEach(async () => {
  await t.close();
});

const as = (role: string) => ({ cookie: s[role]!.cookie, csrf: s[role]!.csrf });
const MAC = '02:5c:00:10:00:07';

function asked(name: string, reason = 'Year 5 Viking topic videos') {
  const staff = store.current.networks.find((n) => n.kind === 'staff')!;
  t.state.devices.upsertSeen(MAC, staff.id, new Date('2026-12-07T08:00:00Z'));
  t.state.devices.update(MAC, { name: 'Room 4 laptop' });
  return t.state.siteReports.addRequest({ at: '2026-12-07T09:00:00.000Z', networkId: staff.id, mac: MAC, address: '10.10.0.7', name, category: 'streaming', reason });
}

const WHY = { riskNote: 'Staff network only, for the lessons this half term' };

describe('access requests from the block page', () => {
  it('lists the open ones in words to accounts that may read named devices and ask for changes; refuses the rest', async () => {
    const request = asked('<b>videos.test</b>');
    const listed = await call({ url: '/api/access-requests', ...as('headteacher') });
    expect(listed.status, JSON.stringify(listed.json)).toBe(200);
    const staff = store.current.networks.find((n) => n.kind === 'staff')!;
    expect(listed.json.requests).toEqual([{
      ...request, networkName: staff.name, deviceName: 'Room 4 laptop', categoryTitle: expect.any(String), change: null,
    }]);
    expect(listed.json.requests[0].name).toBe('<b>videos.test</b>');
    for (const role of ['staff', 'technician']) expect((await call({ url: '/api/access-requests', ...as(role) })).status, role).toBe(403);
    expect((await call({ method: 'POST', url: `/api/access-requests/${request.id}/dismiss`, ...as('technician') })).status).toBe(403);
    expect((await call({ method: 'POST', url: `/api/access-requests/${request.id}/dismiss`, cookie: s.dsl!.cookie })).json.code).toBe('csrf');
  });

  it('dismissing records who and when, audited; it leaves the list and cannot be dismissed twice', async () => {
    const request = asked('videos.test');
    t.clock.advance(60_000);
    const dismissed = await call({ method: 'POST', url: `/api/access-requests/${request.id}/dismiss`, ...as('dsl') });
    expect(dismissed.status, JSON.stringify(dismissed.json)).toBe(200);
    expect(dismissed.json).toMatchObject({ status: 'dismissed', decidedBy: 'account:sam.dsl', decidedAt: expect.any(String) });
    expect(t.state.audit.list({ action: 'access-request.dismiss' }).map((e) => [e.actor, e.subject])).toEqual([['account:sam.dsl', `access request ${request.id}`]]);
    expect((await call({ url: '/api/access-requests', ...as('dsl') })).json.requests).toEqual([]);
    const again = await call({ method: 'POST', url: `/api/access-requests/${request.id}/dismiss`, ...as('headteacher') });
    expect(again.status).toBe(400);
    expect(again.json.error).toMatch(/no longer open: it was dismissed by account:sam\.dsl/);
    expect((await call({ method: 'POST', url: '/api/access-requests/99/dismiss', ...as('dsl') })).status).toBe(404);
  });

  it('a change request made from one is recorded on it; approved, the access request is granted and leaves the list', async () => {
    const request = asked('videos.test');
    const staff = store.current.networks.find((n) => n.kind === 'staff')!;
    const body = { proposal: { kind: 'exception', action: 'allow', domain: 'videos.test', networks: [staff.id] }, rationale: request.reason, ...WHY, fromAccessRequest: request.id };
    expect((await call({ method: 'POST', url: '/api/changes', ...as('staff'), body })).status, 'staff cannot read them').toBe(403);
    const made = await call({ method: 'POST', url: '/api/changes', ...as('headteacher'), body });
    expect(made.status, JSON.stringify(made.json)).toBe(200);
    const id = made.json.request.id as number;
    const listed = (await call({ url: '/api/access-requests', ...as('dsl') })).json.requests;
    expect(listed).toMatchObject([{ id: request.id, changeRequest: id, change: { id, status: 'awaiting-approval' } }]);
    expect((await call({ method: 'POST', url: `/api/changes/${id}/approve`, ...as('dsl'), body: {} })).status).toBe(200);
    expect((await call({ url: '/api/access-requests', ...as('dsl') })).json.requests).toHaveLength(1);
    expect((await call({ method: 'POST', url: `/api/changes/${id}/approve`, ...as('online-safety-lead'), body: {} })).status).toBe(200);
    expect((await call({ url: '/api/access-requests', ...as('dsl') })).json.requests).toEqual([]);
    const [kept] = t.state.siteReports.requests();
    expect(kept).toMatchObject({ id: request.id, status: 'granted', changeRequest: id, decidedBy: 'account:a.online-safety-lead' });
    expect(t.state.audit.list({ action: 'access-request.granted' })).toHaveLength(1);
    const late = await call({ method: 'POST', url: '/api/changes', ...as('dsl'), body: { ...body, rationale: 'Asked again for the same lessons' } });
    expect(late.status).toBe(400);
    expect(late.json.fields).toEqual({ fromAccessRequest: 'no longer open' });
  });

  it('declined, it is refused; withdrawn, it stays open for another request', async () => {
    const first = asked('videos.test');
    const staff = store.current.networks.find((n) => n.kind === 'staff')!;
    const body = { proposal: { kind: 'exception', action: 'allow', domain: 'videos.test', networks: [staff.id] }, rationale: first.reason, ...WHY, fromAccessRequest: first.id };
    const made = (await call({ method: 'POST', url: '/api/changes', ...as('headteacher'), body })).json.request.id as number;
    expect((await call({ method: 'POST', url: `/api/changes/${made}/withdraw`, ...as('headteacher'), body: {} })).status).toBe(200);
    expect((await call({ url: '/api/access-requests', ...as('dsl') })).json.requests).toMatchObject([{ id: first.id, change: { id: made, status: 'withdrawn' } }]);
    const again = (await call({ method: 'POST', url: '/api/changes', ...as('headteacher'), body })).json.request.id as number;
    expect((await call({ method: 'POST', url: `/api/changes/${again}/decline`, ...as('dsl'), body: { note: 'Use the school channel instead' } })).status).toBe(200);
    expect((await call({ url: '/api/access-requests', ...as('dsl') })).json.requests).toEqual([]);
    expect(t.state.siteReports.request(first.id)).toMatchObject({ status: 'refused', changeRequest: again, decidedBy: 'account:sam.dsl' });
  });
});
