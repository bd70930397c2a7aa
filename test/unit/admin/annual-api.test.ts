// The annual review's API through the real app (fastify's inject), the daemon's own control
// methods and a real state.db: who may read and who may record, each refusal beside its field, the
// pack served as its own document under its hashed-style CSP, nothing stored when refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE, defaultConfig } from '../../../firmware/config/defaults.ts';
import { ControlServer } from '../../../firmware/control/server.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { registerAnnualMethods } from '../../../firmware/monitor/annual/methods.ts';
import { PACK_CSP } from '../../../firmware/monitor/annual/pack-style.ts';
import { registerSelftestMethods } from '../../../firmware/monitor/selftest/methods.ts';
import { testAdmin, type TestAdmin } from './admin-app.ts';
import { caller, HOST, roleSessions, type RoleSession } from './role-sessions.ts';

let t: TestAdmin;
let call: ReturnType<typeof caller>;
let s: Record<string, RoleSession>;
const config = defaultConfig();

beforeAll(async () => {
  const control = new ControlServer(silentLogger());
  t = await testAdmin({ control, config: { current: () => config, update: async () => { throw new Error('the annual review never changes the configuration'); } } });
  registerAnnualMethods(control, { config: () => config, categories: CATALOGUE.categories, state: t.state, now: () => t.clock.now });
  registerSelftestMethods(control, {
    config: { current: config }, service: { run: async () => { throw new Error('not run here'); }, probe: async () => { throw new Error('not run here'); } },
    store: t.state.selftest, audit: t.state.audit, transaction: (fn) => t.state.transaction(fn), now: () => t.clock.now,
  });
  call = caller(t);
  s = await roleSessions(t, ['governor', 'staff', 'technician']);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

const as = (role: string) => ({ cookie: s[role]!.cookie, csrf: s[role]!.csrf });

describe('the annual review API', () => {
  it('lets the headteacher open the year and record participants and sign-offs; a governor reads them', async () => {
    const opened = await call({ method: 'POST', url: '/api/annual', body: { year: '2026-27', nextReview: '2027-12-01' }, ...as('headteacher') });
    expect(opened.status, JSON.stringify(opened.json)).toBe(200);
    const p = await call({ method: 'POST', url: '/api/annual/2026-27/participants', body: { name: 'Dee Governor', role: 'governor', roleTitle: 'Chair' }, ...as('dsl') });
    expect(p.status, JSON.stringify(p.json)).toBe(200);
    const signed = await call({ method: 'POST', url: '/api/annual/2026-27/sign-offs', body: { participant: p.json.id, signedOn: '2026-12-07', comment: 'Assured' }, ...as('headteacher') });
    expect(signed.status, JSON.stringify(signed.json)).toBe(200);
    const view = await call({ url: '/api/annual', ...as('governor') });
    expect(view.status).toBe(200);
    expect(view.json).toMatchObject({ nextReview: '2027-12-01', canRecord: false, networks: expect.arrayContaining([{ id: 'pupil', name: 'Pupils' }]) });
    expect(view.json.reviews[0].participants[0]).toMatchObject({ name: 'Dee Governor', signOffs: [{ comment: 'Assured', recordedBy: 'account:jo.head' }] });
    expect((await call({ url: '/api/annual', ...as('headteacher') })).json.canRecord).toBe(true);
  });

  it('refuses a governor, a technician and staff any record, and staff the pack', async () => {
    for (const role of ['governor', 'technician', 'staff']) {
      expect((await call({ method: 'POST', url: '/api/annual/2026-27/participants', body: { name: 'X', role: 'dsl' }, ...as(role) })).status, role).toBe(403);
      expect((await call({ method: 'POST', url: '/api/annual/external', body: { network: 'pupil', testedOn: '2026-12-01', tester: 'T', tool: 'SWGfL', result: 'pass', note: 'n' }, ...as(role) })).status, role).toBe(403);
    }
    expect((await call({ url: '/api/annual/pack?year=2026-27', ...as('staff') })).status).toBe(403);
    expect((await call({ url: '/api/annual/statement', ...as('technician') })).status).toBe(403);
    expect(t.state.selftest.external()).toEqual([]);
  });

  it('puts each refusal beside its field and stores nothing', async () => {
    const future = await call({ method: 'POST', url: '/api/annual/2026-27/sign-offs', body: { participant: 1, signedOn: '2026-12-08', comment: '' }, ...as('headteacher') });
    expect(future.status).toBe(400);
    expect(future.json.fields.signedOn).toMatch(/after today/);
    const again = await call({ method: 'POST', url: '/api/annual', body: { year: '2026-27' }, ...as('headteacher') });
    expect(again.json.fields.year).toMatch(/already open/);
    const badYear = await call({ method: 'POST', url: '/api/annual', body: { year: '2026-2027' }, ...as('headteacher') });
    expect(badYear.status).toBe(400);
    const unknown = await call({ method: 'POST', url: '/api/annual/external', body: { network: 'nowhere', testedOn: '2026-12-01', tester: 'T', tool: 'SWGfL', result: 'pass', note: 'n' }, ...as('headteacher') });
    expect(unknown.json.error).toMatch(/no network "nowhere"/);
    expect(t.state.annualReviews.get('2026-27')?.participants[0]?.signOffs).toHaveLength(1);
    expect(t.state.selftest.external()).toEqual([]);
  });

  it('records an external test in full, audited under the account', async () => {
    const r = await call({ method: 'POST', url: '/api/annual/external', body: { network: 'pupil', testedOn: '2026-12-01', tester: 'Chris, ICT Ltd', tool: 'SWGfL Test Filtering', result: 'pass', categories: { 'child-abuse': 'pass' }, note: 'All blocked', reference: 'REF-1' }, ...as('dsl') });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(t.state.audit.list({ action: 'selftest.external' })).toEqual([expect.objectContaining({ actor: 'account:sam.dsl', subject: 'pupil' })]);
  });

  it('serves the pack as its own document under a CSP that allows its style and nothing else', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/annual/pack?year=2026-27&download=1', headers: { host: HOST, cookie: s.governor!.cookie } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toBe(PACK_CSP);
    expect(r.headers['content-disposition']).toBe('attachment; filename="annual-review-2026-27.html"');
    expect(r.body).toContain('Dee Governor');
    expect(r.body).toContain('REF-1');
    const statement = await call({ url: '/api/annual/statement', ...as('governor') });
    expect(statement.json.items.map((i: { id: string }) => i.id)).toContain('query-log');
  });
});
