// The AUP tables' API through fastify's inject, over a real configuration store in a temporary
// folder and change control's real methods: who may read and who may ask for a change, CSRF, an
// edit held as a change request (nothing saved until two approvers agree and the IT provider
// applies it), all-or-nothing edits with each problem beside its row and nothing asked for,
// locked illegal-content rows, and the audit entries.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AupTables } from '../../../firmware/admin/api/policy-schema.ts';
import { totpCode } from '../../../firmware/admin/auth/totp.ts';
import type { Role } from '../../../firmware/admin/roles.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { ConfigStore } from '../../../firmware/config/store.ts';
import { startChangeControl } from '../../../firmware/control/changes/wiring.ts';
import { ControlServer } from '../../../firmware/control/server.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { testAdmin, type TestAdmin } from './admin-app.ts';

const HOST = 'gateway.test';
const ORIGIN = `http://${HOST}`;

let t: TestAdmin;
let store: ConfigStore;
let file: string;
/** The headteacher's session from setup, two-factor on (a second sign-in would need a code). */
let headSession: Session | undefined;
beforeEach(async () => {
  headSession = undefined;
  file = join(mkdtempSync(join(tmpdir(), 'sg-policies-')), 'config.json');
  store = await ConfigStore.open(file, { createWith: defaultConfig });
  const control = new ControlServer(silentLogger());
  t = await testAdmin({ config: { current: () => store.current, update: (change, written) => store.update(change, written) }, control });
  startChangeControl({ control, state: t.state, config: store, mailer: null, logger: silentLogger() });
});
afterEach(async () => {
  await t.close();
});

interface Session { cookie: string; csrf: string }

async function call(opts: { method?: 'GET' | 'PUT' | 'POST'; url: string; body?: unknown; s?: Session; csrf?: string | null }) {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { host: HOST };
  if (method !== 'GET') headers.origin = ORIGIN;
  if (opts.s) headers.cookie = opts.s.cookie;
  const csrf = opts.csrf === null ? undefined : opts.csrf ?? opts.s?.csrf;
  if (csrf && method !== 'GET') headers['x-csrf-token'] = csrf;
  const response = await t.app.inject({ method, url: opts.url, headers, ...(opts.body !== undefined ? { payload: opts.body as object } : {}) });
  return { status: response.statusCode, json: response.body ? response.json() : undefined, cookies: response.cookies };
}

async function signIn(username: string, password: string): Promise<Session> {
  const response = await call({ method: 'POST', url: '/api/session', body: { username, password } });
  expect(response.status, JSON.stringify(response.json)).toBe(200);
  const c = response.cookies.find((x) => x.name === 'schoolgate_session')!;
  return { cookie: `schoolgate_session=${c.value}`, csrf: response.json.csrfToken };
}

async function enrol(s: Session): Promise<void> {
  const start = await call({ method: 'POST', url: '/api/account/totp', s });
  const confirm = await call({ method: 'POST', url: '/api/account/totp/confirm', s, body: { code: totpCode(start.json.secret, t.clock.now.getTime()) } });
  expect(confirm.status, JSON.stringify(confirm.json)).toBe(200);
}

/** The headteacher from setup makes an account with `roles`; it changes its first password (and enrols TOTP if its roles need it). */
async function account(username: string, roles: Role[]): Promise<Session> {
  if (t.state.accounts.count() === 0) {
    const code = await t.setupCode.issue();
    const done = await call({ method: 'POST', url: '/api/setup', body: { code, site: { name: 'St Mary Primary', timezone: 'Europe/London' }, accounts: [
      { username: 'jo.head', displayName: 'Jo Head', roles: ['headteacher'], password: 'Heron-Lantern-42' },
      { username: 'sam.dsl', displayName: 'Sam Dsl', roles: ['dsl'], password: 'Quiet-Meadow-Owl-7' },
    ] } });
    expect(done.status, JSON.stringify(done.json)).toBe(200);
  }
  const head = headSession ?? await signIn('jo.head', 'Heron-Lantern-42');
  if (headSession === undefined) await enrol(head);
  headSession = head;
  const made = await call({ method: 'POST', url: '/api/accounts', s: head, body: { username, displayName: username, roles } });
  expect(made.status, JSON.stringify(made.json)).toBe(200);
  const s = await signIn(username, made.json.temporaryPassword);
  const password = 'Marble-Otter-Tram-3';
  const changed = await call({ method: 'POST', url: '/api/account/password', s, body: { current: made.json.temporaryPassword, next: password } });
  expect(changed.status, JSON.stringify(changed.json)).toBe(200);
  if (roles.includes('technician')) await enrol(s);
  return s;
}

/** The two approvers setup made, signed in with two-factor on (the headteacher's session is account()'s). */
async function approvers(): Promise<{ head: Session; dsl: Session }> {
  const head = headSession!;
  const dsl = await signIn('sam.dsl', 'Quiet-Meadow-Owl-7');
  await enrol(dsl);
  return { head, dsl };
}

const pupilRows = (tables: AupTables) => tables.policies.find((p) => p.id === 'pupil')!.rows;
const WHY = { rationale: 'Year 5 media studies watch short clips in class', riskNote: 'Watched: every visit is in the weekly review; teachers supervise.' };
const streamingAcceptable = { categories: { streaming: { disposition: 'acceptable', watch: true } }, ...WHY };

describe('the AUP tables', () => {
  it('shows every member of staff each policy as the AUP table, read-only, and refuses a save with 403', async () => {
    const staff = await account('pat.staff', ['staff']);
    const got = await call({ url: '/api/policies', s: staff });
    expect(got.status).toBe(200);
    const tables = got.json as AupTables;
    expect(tables.editable).toBe(false);
    expect(tables.dispositions.map((d) => d.label)).toEqual(['Acceptable', 'Acceptable at certain times', 'Acceptable for nominated users', 'Unacceptable', 'Unacceptable and illegal']);
    expect(tables.policies.map((p) => p.id)).toEqual(['staff', 'pupil', 'guest']);
    const rows = pupilRows(tables);
    expect(rows[0]).toMatchObject({ category: 'illegal', severity: 'critical', locked: true, rule: { disposition: 'unacceptable-and-illegal' } });
    expect(rows.find((r) => r.category === 'streaming')).toMatchObject({ locked: false, rule: { disposition: 'acceptable-at-certain-times', schedule: 'lunchtime' } });
    expect(tables.schedules).toEqual([{ id: 'lunchtime', name: 'Lunchtime', summary: 'Mon–Fri 12:00–13:00' }]);

    const before = readFileSync(file, 'utf8');
    const refused = await call({ method: 'PUT', url: '/api/policies/pupil', s: staff, body: streamingAcceptable });
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe('forbidden');
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('is refused signed out', async () => {
    expect((await call({ url: '/api/policies' })).status).toBe(401);
  });

  it('holds a technician\'s edit as a change request: nothing is saved until two approvers agree and the IT provider applies it', async () => {
    const tech = await account('tech', ['technician']);
    expect((await call({ url: '/api/policies', s: tech })).json.editable).toBe(true);
    const before = readFileSync(file, 'utf8');
    const pupil = store.current.policies.findIndex((p) => p.id === 'pupil');
    const asked = await call({ method: 'PUT', url: '/api/policies/pupil', s: tech, body: {
      categories: { streaming: { disposition: 'acceptable', schedule: 'lunchtime', watch: true }, social: { disposition: 'unacceptable' } }, ...WHY,
    } });
    expect(asked.status, JSON.stringify(asked.json)).toBe(200);
    expect(asked.json.changed).toEqual(['streaming']);
    const id = asked.json.request.id as number;
    expect(asked.json.request.summary.join('\n')).toMatch(/stream/i);
    // The answer's table and the stored configuration are as they were.
    expect(asked.json.policy.rows.find((r: { category: string }) => r.category === 'streaming').rule).toEqual({ disposition: 'acceptable-at-certain-times', schedule: 'lunchtime' });
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(t.state.audit.list({ action: 'policy.edit' })).toEqual([]);

    // The request holds the values the edit changes, the schedule the tidied rule drops included.
    const shown = await call({ url: `/api/changes/${id}`, s: tech });
    expect(shown.status, JSON.stringify(shown.json)).toBe(200);
    expect(shown.json.request).toMatchObject({ status: 'awaiting-approval', needsHead: true, requestedBy: 'account:tech', rationale: WHY.rationale, riskNote: WHY.riskNote });
    expect(shown.json.request.proposal).toEqual({ kind: 'config', action: 'policy.edit', subject: 'pupil', edits: [
      { path: `/policies/${pupil}/categories/streaming/disposition`, before: 'acceptable-at-certain-times', after: 'acceptable' },
      { path: `/policies/${pupil}/categories/streaming/schedule`, before: 'lunchtime' },
      { path: `/policies/${pupil}/categories/streaming/watch`, after: true },
    ] });
    // The technician cannot apply it before two approvals, nor approve it.
    expect(shown.json.may).toMatchObject({ approve: false, apply: false });
    expect((await call({ method: 'POST', url: `/api/changes/${id}/apply`, s: tech, body: {} })).status).toBe(409);
    expect((await call({ method: 'POST', url: `/api/changes/${id}/approve`, s: tech, body: {} })).status).toBe(403);

    const { head, dsl } = await approvers();
    expect((await call({ method: 'POST', url: `/api/changes/${id}/approve`, s: dsl, body: { note: 'Fine for Year 5 with the watch flag' } })).status).toBe(200);
    const second = await call({ method: 'POST', url: `/api/changes/${id}/approve`, s: head, body: {} });
    expect(second.status, JSON.stringify(second.json)).toBe(200);
    expect(second.json.request.status).toBe('approved');
    expect(readFileSync(file, 'utf8')).toBe(before);

    const applied = await call({ method: 'POST', url: `/api/changes/${id}/apply`, s: tech, body: {} });
    expect(applied.status, JSON.stringify(applied.json)).toBe(200);
    expect(applied.json.request.status).toBe('applied');
    expect(store.current.policies[pupil]!.categories.streaming).toEqual({ disposition: 'acceptable', watch: true });
    expect(JSON.parse(readFileSync(file, 'utf8')).policies[pupil].categories.streaming).toEqual({ disposition: 'acceptable', watch: true });
    expect(t.state.audit.list({ action: 'change.*' }).map((e) => [e.actor, e.action])).toEqual([
      ['account:tech', 'change.request'], ['account:sam.dsl', 'change.approve'], ['account:jo.head', 'change.approve'], ['account:tech', 'change.apply'],
    ]);
  });

  it('asks for nothing when the rows are as they are, and needs the reason and risk note', async () => {
    const tech = await account('tech', ['technician']);
    const current = pupilRows((await call({ url: '/api/policies', s: tech })).json as AupTables);
    const same = await call({ method: 'PUT', url: '/api/policies/pupil', s: tech, body: { categories: Object.fromEntries(current.filter((r) => !r.locked).map((r) => [r.category, r.rule])), ...WHY } });
    expect(same.status, JSON.stringify(same.json)).toBe(200);
    expect(same.json).toMatchObject({ changed: [], request: null });
    const shortWhy = await call({ method: 'PUT', url: '/api/policies/pupil', s: tech, body: { ...streamingAcceptable, rationale: 'because' } });
    expect(shortWhy.status).toBe(400);
    expect(Object.keys(shortWhy.json.fields)).toEqual(['rationale']);
    const { riskNote: _riskNote, ...noRisk } = streamingAcceptable;
    expect((await call({ method: 'PUT', url: '/api/policies/pupil', s: tech, body: noRisk })).status).toBe(400);
    expect(t.state.audit.list({ action: 'change.request' })).toEqual([]);
  });

  it('refuses an invalid edit as a whole, every problem beside its row, nothing stored or asked for', async () => {
    const tech = await account('tech', ['technician']);
    const before = readFileSync(file, 'utf8');
    const bad = await call({ method: 'PUT', url: '/api/policies/pupil', s: tech, body: {
      categories: {
        streaming: { disposition: 'acceptable-at-certain-times', schedule: 'after-school' },
        gaming: { disposition: 'acceptable-for-nominated-users', groups: [] },
        social: { disposition: 'acceptable' },
      },
      ...WHY,
    } });
    expect(bad.status).toBe(400);
    expect(bad.json.fields).toEqual({
      'categories/streaming/schedule': expect.stringMatching(/schedule "after-school" does not exist/),
      'categories/gaming/groups': expect.stringMatching(/at least one device group/),
    });
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(store.current.policies.find((p) => p.id === 'pupil')!.categories.social).toEqual({ disposition: 'unacceptable' });
    expect(t.state.audit.list({ action: 'policy.edit' })).toEqual([]);
    // Nothing was asked for either.
    expect(t.state.audit.list({ action: 'change.request' })).toEqual([]);
  });

  it('keeps illegal content locked, refuses an unknown category or policy', async () => {
    const tech = await account('tech', ['technician']);
    const locked = await call({ method: 'PUT', url: '/api/policies/staff', s: tech, body: { categories: { illegal: { disposition: 'acceptable' }, nonsense: { disposition: 'acceptable' } }, ...WHY } });
    expect(locked.status).toBe(400);
    expect(locked.json.fields).toEqual({ 'categories/illegal/disposition': expect.stringMatching(/cannot be changed/), 'categories/nonsense': expect.stringMatching(/no category/) });
    expect((await call({ method: 'PUT', url: '/api/policies/nope', s: tech, body: streamingAcceptable })).status).toBe(404);
  });

  it('needs the session\'s CSRF token and the gateway\'s own origin to save', async () => {
    const tech = await account('tech', ['technician']);
    const noToken = await call({ method: 'PUT', url: '/api/policies/pupil', s: tech, csrf: null, body: streamingAcceptable });
    expect(noToken.status).toBe(403);
    expect(noToken.json.code).toBe('csrf');
    expect(store.current.policies.find((p) => p.id === 'pupil')!.categories.streaming!.disposition).toBe('acceptable-at-certain-times');
  });
});

describe('networks, schedules with term dates, upstreams', () => {
  it('shows staff the networks, schedules and the shipped filtering providers, and refuses their changes', async () => {
    const staff = await account('pat.staff', ['staff']);
    const got = await call({ url: '/api/networks', s: staff });
    expect(got.status).toBe(200);
    expect(got.json.may).toEqual({ networks: false, schedules: false, upstreams: false, groups: false, members: false, teachers: false });
    expect(got.json.networks.map((n: { id: string }) => n.id)).toEqual(store.current.networks.map((n) => n.id));
    expect(got.json.providers.providers.length).toBeGreaterThan(0);
    expect(got.json.providers.note).toMatch(/account/);
    const network = store.current.networks[0]!;
    expect((await call({ method: 'PUT', url: `/api/networks/${network.id}`, s: staff, body: { ...network, id: undefined, name: 'x' } })).status).toBe(403);
    expect((await call({ method: 'PUT', url: '/api/schedules', s: staff, body: { schedules: [], terms: [] } })).status).toBe(403);
    expect((await call({ method: 'PUT', url: '/api/upstreams', s: staff, body: { upstreams: [] } })).status).toBe(403);
  });

  it('saves term dates at once, asks for a schedule a policy uses to run in term time only, and refuses removing it, beside the field', async () => {
    const tech = await account('tech', ['technician']);
    const lunchtime = { ...store.current.schedules[0]!, termTimeOnly: true };
    const terms = [{ name: 'Spring 1', start: '2027-01-05', end: '2027-02-12' }];
    const saved = await call({ method: 'PUT', url: '/api/schedules', s: tech, body: { schedules: [lunchtime], terms, rationale: 'Lunchtime streaming is for school days only', riskNote: 'Nothing opens in the holidays that is shut now' } });
    expect(saved.status, JSON.stringify(saved.json)).toBe(200);
    expect(store.current.site.terms).toEqual(terms);
    // When Lunchtime is open is what is filtered: a change request, not a save.
    expect(store.current.schedules[0]!.termTimeOnly).toBeUndefined();
    expect(saved.json).toMatchObject({ saved: true, request: { summary: ['Schedule Lunchtime: Mon–Fri 12:00–13:00 → Mon–Fri 12:00–13:00 (term time only)'] } });

    const bad = await call({ method: 'PUT', url: '/api/schedules', s: tech, body: { schedules: [], terms: [{ name: 'Oops', start: '2027-04-20', end: '2027-04-01' }] } });
    expect(bad.status).toBe(400);
    expect(bad.json.fields['terms/0/end']).toMatch(/on or after the start/);
    expect(bad.json.fields.schedules).toMatch(/"Lunchtime" is used by policy "[^"]+" \(streaming\)/);
    expect(store.current.schedules).toHaveLength(1);
    expect(t.state.audit.list({ action: 'schedules.edit' })).toHaveLength(1);
  });

  it('lets a technician rename a network and set its upstreams, each audited; moving it to another policy is a change request', async () => {
    const tech = await account('tech', ['technician']);
    const network = store.current.networks.find((n) => n.kind === 'pupil')!;
    const { id: _id, dhcp: _dhcp, ...addressing } = network;
    const edit = await call({ method: 'PUT', url: `/api/networks/${network.id}`, s: tech, body: { ...addressing, name: 'Pupil Wi-Fi', enabled: true, policy: 'nope', ssid: 'StMarys-Pupils' } });
    expect(edit.status).toBe(400);
    expect(edit.json.fields.policy).toMatch(/policy "nope" does not exist/);
    const ok = await call({ method: 'PUT', url: `/api/networks/${network.id}`, s: tech, body: { ...addressing, ...(network.dhcp ? { dhcp: { enabled: network.dhcp.enabled, ...network.dhcp.pools[0]! } } : {}), name: 'Pupil Wi-Fi', enabled: true, policy: 'staff', ssid: 'StMarys-Pupils', p2p: 'block', rationale: 'The pupil network is for staff this term', riskNote: 'Only staff devices join it until Easter' } });
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    expect(ok.json).toMatchObject({ saved: true, request: { id: expect.any(Number) } });
    expect(store.current.networks.find((n) => n.id === network.id)).toMatchObject({ name: 'Pupil Wi-Fi', policy: network.policy, ssid: 'StMarys-Pupils', p2p: 'block', interface: network.interface });
    const upstreams = await call({ method: 'PUT', url: '/api/upstreams', s: tech, body: { upstreams: [{ name: 'DNSFilter 1', address: '103.247.36.36', port: 53 }] } });
    expect(upstreams.status, JSON.stringify(upstreams.json)).toBe(200);
    expect(store.current.dns.upstreams).toEqual([{ name: 'DNSFilter 1', address: '103.247.36.36', port: 53 }]);
    expect(t.state.audit.list({ action: 'network.edit' }).map((e) => e.actor)).toEqual(['account:tech']);
    expect(t.state.audit.list({ action: 'upstreams.edit' })).toHaveLength(1);
  });
});
