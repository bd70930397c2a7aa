// Registration and sponsorship against a real state.db (in memory) and the real admin app
// (fastify inject): a visitor registers naming a sponsor, a staff sponsor approves only requests
// naming them, the DSL and the office, CSRF on decisions, the sponsor code at reception with
// the vouchers' brute-force limits, withdrawal. The firewall is the recorded nft lines.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { hashPassword } from '../../../firmware/admin/auth/password.ts';
import { totpCode } from '../../../firmware/admin/auth/totp.ts';
import type { Role } from '../../../firmware/admin/roles.ts';
import { readRegistration } from '../../../firmware/portal/registration/routes.ts';
import { RegistrationService, type RegisterResult } from '../../../firmware/portal/registration/service.ts';
import { endOfLocalDay } from '../../../firmware/portal/registration/validity.ts';
import { VoucherService, type GuestDevice } from '../../../firmware/portal/vouchers/service.ts';
import type { AccountRow } from '../../../firmware/state/accounts.ts';
import { testAdmin, type TestAdmin } from '../admin/admin-app.ts';

const KEY = Buffer.alloc(32, 9);
const HOST = 'gateway.test';
const PASSWORD = 'Heron-Lantern-42-x';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const VISITOR = '10.30.0.100';
const MAC = '02:00:00:00:00:01';

let t: TestAdmin;
let service: RegistrationService;
let changes: string[][];
let devices: Map<string, GuestDevice>;
let hash: string;

beforeEach(async () => {
  hash ??= await hashPassword(PASSWORD);
  changes = [];
  devices = new Map([[VISITOR, { mac: MAC, networkId: 'guest' }], ['10.30.0.101', { mac: '02:00:00:00:00:02', networkId: 'guest' }]]);
  let registration: RegistrationService | undefined;
  t = await testAdmin({ visitors: new Proxy({} as RegistrationService, { get: (_t, p) => { const v = Reflect.get(registration!, p) as unknown; return typeof v === 'function' ? v.bind(registration) : v; } }) });
  const now = () => t.clock.now;
  const vouchers = new VoucherService({
    store: t.state.vouchers, transaction: (fn) => t.state.transaction(fn), key: KEY, deviceAt: (a) => devices.get(a),
    change: async (lines) => { changes.push([...lines]); return true; }, events: t.state.networkEvents, now,
  });
  registration = new RegistrationService({
    requests: t.state.visitorRequests, vouchers: t.state.vouchers, service: vouchers, accounts: t.state.accounts, audit: t.state.audit,
    transaction: (fn) => t.state.transaction(fn), key: KEY, deviceAt: (a) => devices.get(a), now, timezone: () => 'Europe/London',
  });
  service = registration;
});
afterEach(async () => {
  await t.close();
});

function account(username: string, roles: Role[], displayName = username): AccountRow {
  const row = t.state.accounts.insert({ username, displayName, email: `${username}@school.test`, passwordHash: hash, mustChangePassword: false, breakGlass: false, roles, createdAt: t.clock.now.toISOString() });
  if (roles.some((r) => r === 'dsl' || r === 'headteacher' || r === 'technician')) t.state.accounts.update(row.id, { totpSecret: TOTP_SECRET });
  return t.state.accounts.byId(row.id)!;
}

async function signIn(a: AccountRow): Promise<{ cookie: string; csrf: string }> {
  const totp = a.totpSecret ? { totp: totpCode(a.totpSecret, t.clock.now.getTime()) } : {};
  const r = await t.app.inject({ method: 'POST', url: '/api/session', headers: { host: HOST, origin: `http://${HOST}` }, payload: { username: a.username, password: PASSWORD, ...totp } });
  expect(r.statusCode, r.body).toBe(200);
  const c = r.cookies.find((x) => x.name === 'schoolgate_session')!;
  return { cookie: `schoolgate_session=${c.value}`, csrf: r.json().csrfToken };
}

async function api(s: { cookie: string; csrf?: string }, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) {
  const headers: Record<string, string> = { host: HOST, cookie: s.cookie };
  if (method !== 'GET') headers.origin = `http://${HOST}`;
  if (s.csrf) headers['x-csrf-token'] = s.csrf;
  const r = await t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  return { status: r.statusCode, json: r.body ? r.json() : undefined };
}

function register(sponsor: AccountRow, address = VISITOR): RegisterResult {
  return service.register(address, { name: 'Ada Supply', organisation: 'County Supply Ltd', purpose: 'Supply teaching, Year 4', sponsorId: sponsor.id, email: null, phone: null, termsVersion: 'builtin-1' });
}

describe('registering on the portal', () => {
  test('the sponsor list holds names of accounts that may sponsor, never e-mails, the break-glass or a governor', () => {
    account('amy', ['staff'], 'Amy Teacher');
    account('gov', ['governor'], 'Gail Governor');
    account('bo', ['office'], 'Bo Office');
    expect(service.sponsors().map((s) => s.name)).toEqual(['Amy Teacher', 'Bo Office']);
    expect(JSON.stringify(service.sponsors())).not.toContain('@');
  });

  test('the form reads into a registration, or names each bad field; the terms box must carry the version shown', () => {
    const good = readRegistration({ name: ' Ada ', organisation: 'Co', purpose: 'Visit', sponsorId: '3', email: '', phone: '', accept: 'v2' }, 'v2');
    expect(good.registration).toMatchObject({ name: 'Ada', sponsorId: 3, email: null, termsVersion: 'v2' });
    const bad = readRegistration({ name: '', organisation: 'Co', purpose: 'Visit', sponsorId: 'x', email: 'not-mail', accept: 'v1' }, 'v2');
    expect(bad.registration).toBeUndefined();
    expect(Object.keys(bad.errors!).sort()).toEqual(['accept', 'email', 'name', 'sponsorId']);
    expect(bad.values.organisation).toBe('Co');
  });

  test('a device registers with its lease, names a real sponsor, and may not flood them', () => {
    const amy = account('amy', ['staff'], 'Amy Teacher');
    const gov = account('gov', ['governor']);
    expect(service.register('10.30.0.200', { name: 'X', organisation: 'Y', purpose: 'Z', sponsorId: amy.id, email: null, phone: null, termsVersion: 'v' }).outcome).toBe('no-lease');
    expect(register(gov).outcome).toBe('unknown-sponsor');
    const first = register(amy);
    expect(first.outcome).toBe('pending');
    if (first.outcome !== 'pending') return;
    expect(first.request).toMatchObject({ mac: MAC, address: VISITOR, state: 'pending', visitor: { sponsorAccount: 'amy', sponsorName: 'Amy Teacher', termsVersion: 'builtin-1' } });
    expect(register(amy).outcome).toBe('pending');
    expect(register(amy).outcome).toBe('pending');
    expect(register(amy).outcome).toBe('too-many');
    // Each new registration replaced the one waiting: the sponsor sees one request.
    expect(t.state.visitorRequests.pendingCount('amy')).toBe(1);
  });
});

describe('the queue in the web UI', () => {
  test('a staff sponsor sees and approves only requests naming them; approval signs the waiting device in at once, audited', async () => {
    const amy = account('amy', ['staff'], 'Amy Teacher');
    const ben = account('ben', ['staff'], 'Ben Teacher');
    const r = register(amy);
    if (r.outcome !== 'pending') throw new Error('not pending');
    const asBen = await signIn(ben);
    expect((await api(asBen, 'GET', '/api/visitors/queue')).json).toEqual({ requests: [], pending: 0 });
    const refused = await api(asBen, 'POST', `/api/visitors/${r.request.id}/approve`, { validity: { hours: 2 }, maxDevices: 1 });
    expect(refused.status).toBe(403);
    const asAmy = await signIn(amy);
    const queue = await api(asAmy, 'GET', '/api/visitors/queue');
    expect(queue.json.pending).toBe(1);
    expect(queue.json.requests[0].visitor.name).toBe('Ada Supply');
    const noCsrf = await api({ cookie: asAmy.cookie }, 'POST', `/api/visitors/${r.request.id}/approve`, { validity: { hours: 2 }, maxDevices: 1 });
    expect(noCsrf.status).toBe(403);
    const ok = await api(asAmy, 'POST', `/api/visitors/${r.request.id}/approve`, { validity: { hours: 2 }, maxDevices: 1 });
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    expect(ok.json).toMatchObject({ deviceOnline: true, request: { state: 'approved', decidedBy: 'account:amy' }, voucher: { visitorId: r.request.visitor.id, maxDevices: 1 } });
    expect(changes.at(-1)!.join('\n')).toContain(`${VISITOR} . ${MAC}`);
    expect(t.state.audit.list({ action: 'visitors.approve' }).map((e) => e.actor)).toEqual(['account:amy']);
    // Decided once only.
    expect((await api(asAmy, 'POST', `/api/visitors/${r.request.id}/decline`, { reason: 'changed mind' })).status).toBe(409);
  });

  test('the office sponsors its own visitors but sees no records; the DSL sees every request, declines and withdraws any', async () => {
    const office = account('bo', ['office'], 'Bo Office');
    const amy = account('amy', ['staff'], 'Amy Teacher');
    const dsl = account('sam', ['dsl'], 'Sam Dsl');
    const a = register(amy);
    const b = register(office, '10.30.0.101');
    if (a.outcome !== 'pending' || b.outcome !== 'pending') throw new Error('not pending');
    const asOffice = await signIn(office);
    expect((await api(asOffice, 'GET', '/api/visitors/records')).status).toBe(403);
    expect((await api(asOffice, 'POST', `/api/visitors/${a.request.id}/decline`, { reason: 'not mine' })).status).toBe(403);
    expect((await api(asOffice, 'POST', `/api/visitors/${b.request.id}/approve`, { validity: { until: 'end-of-day' }, maxDevices: 2 })).status).toBe(200);
    const asDsl = await signIn(dsl);
    expect((await api(asDsl, 'GET', '/api/visitors/queue')).json.pending).toBe(1);
    expect((await api(asDsl, 'POST', `/api/visitors/${a.request.id}/decline`, { reason: 'not expected today' })).json).toMatchObject({ state: 'declined', decidedBy: 'account:sam' });
    // The DSL withdraws any visitor's access, the office's own included.
    const withdrawn = await api(asDsl, 'POST', `/api/visitors/${b.request.id}/withdraw`, { reason: 'left the site early' });
    expect(withdrawn.json).toMatchObject({ state: 'withdrawn', reason: 'left the site early' });
    expect(changes.at(-1)!.join('\n')).toMatch(/^delete element .*10\.30\.0\.101 \. 02:00:00:00:00:02/m);
    const records = await api(asDsl, 'GET', '/api/visitors/records');
    expect(records.json.map((x: { request: { state: string } }) => x.request.state).sort()).toEqual(['declined', 'withdrawn']);
    expect(records.json.find((x: { voucher: unknown }) => x.voucher).voucher.revokedBy).toBe('account:sam');
    expect(t.state.audit.list({ action: 'visitors.withdraw' }).map((e) => e.actor)).toEqual(['account:sam']);
  });
});

describe('the sponsor code at reception', () => {
  test('set through the API (at least 6 digits), it approves a request naming its holder only, and wrong codes lock the device out', async () => {
    const amy = account('amy', ['staff'], 'Amy Teacher');
    const ben = account('ben', ['staff'], 'Ben Teacher');
    const asAmy = await signIn(amy);
    expect((await api(asAmy, 'PUT', '/api/visitors/sponsor-code', { code: '12345' })).status).toBe(400);
    expect((await api(asAmy, 'PUT', '/api/visitors/sponsor-code', { code: '123456' })).json).toMatchObject({ code: 'invalid', fields: { code: expect.stringMatching(/run like 123456/) } });
    expect((await api(asAmy, 'PUT', '/api/visitors/sponsor-code', { code: '480213' })).status).toBe(200);
    expect(JSON.stringify(t.state.visitorRequests.sponsorCodeHash(amy.id))).not.toContain('480213');
    service.setSponsorCode(ben, '777001');
    register(amy);
    expect((await service.approveWithCode(VISITOR, '777001')).outcome).toBe('wrong');
    const ok = await service.approveWithCode(VISITOR, '480213');
    expect(ok).toMatchObject({ outcome: 'approved', request: { decidedBy: 'account:amy', state: 'approved' } });
    expect(changes.at(-1)!.join('\n')).toContain(`${VISITOR} . ${MAC}`);
    // Another device guesses: five wrong codes and it is locked out, the right one refused too.
    devices.set('10.30.0.102', { mac: '02:00:00:00:00:03', networkId: 'guest' });
    register(amy, '10.30.0.102');
    for (let i = 0; i < 5; i++) expect((await service.approveWithCode('10.30.0.102', `00000${i}`)).outcome).toBe('wrong');
    expect((await service.approveWithCode('10.30.0.102', '480213')).outcome).toBe('locked');
  });

  test('the end of the school day is local midnight, in winter and summer time', () => {
    expect(endOfLocalDay(new Date('2026-12-07T09:00:00Z'), 'Europe/London').toISOString()).toBe('2026-12-08T00:00:00.000Z');
    expect(endOfLocalDay(new Date('2026-06-07T22:30:00Z'), 'Europe/London').toISOString()).toBe('2026-06-07T23:00:00.000Z');
  });
});
