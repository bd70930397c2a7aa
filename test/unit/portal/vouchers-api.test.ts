// Office, group and regular-visitor vouchers through the real admin app (fastify inject) over a
// real in-memory state.db, the daemon's own voucher control methods called in-process and the
// registration desk: who may issue, list and revoke what, the CSRF check on every change, the
// code only in the answer that issued it, a group revoked as one change of the set, a regular
// visitor renewed after lapsing and withdrawn by the DSL.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { hashPassword } from '../../../firmware/admin/auth/password.ts';
import { totpCode } from '../../../firmware/admin/auth/totp.ts';
import type { Role } from '../../../firmware/admin/roles.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import type { Config } from '../../../firmware/config/schema.ts';
import { ControlServer } from '../../../firmware/control/server.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { RegistrationService } from '../../../firmware/portal/registration/service.ts';
import { registerVoucherMethods } from '../../../firmware/portal/vouchers/methods.ts';
import { VoucherService, type GuestDevice } from '../../../firmware/portal/vouchers/service.ts';
import type { AccountRow } from '../../../firmware/state/accounts.ts';
import { testAdmin, type TestAdmin } from '../admin/admin-app.ts';

const KEY = Buffer.alloc(32, 7);
const HOST = 'gateway.test';
const PASSWORD = 'Heron-Lantern-42-x';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

let t: TestAdmin;
let vouchers: VoucherService;
let changes: string[][];
let devices: Map<string, GuestDevice>;
let config: Config;
let hash: string;

beforeEach(async () => {
  hash ??= await hashPassword(PASSWORD);
  changes = [];
  devices = new Map([['10.30.0.100', { mac: '02:00:00:00:00:01', networkId: 'guest' }], ['10.30.0.101', { mac: '02:00:00:00:00:02', networkId: 'guest' }]]);
  config = defaultConfig();
  config.site.terms = [{ name: 'Spring 1', start: '2027-01-05', end: '2027-02-12' }, { name: 'Autumn 2', start: '2026-11-02', end: '2026-12-18' }];
  const control = new ControlServer(silentLogger());
  let registration: RegistrationService | undefined;
  t = await testAdmin({
    control, config: { current: () => config, update: async () => { throw new Error('vouchers never change the configuration'); } },
    visitors: new Proxy({} as RegistrationService, { get: (_t, p) => { const v = Reflect.get(registration!, p, registration) as unknown; return typeof v === 'function' ? v.bind(registration) : v; } }),
  });
  const now = () => t.clock.now;
  vouchers = new VoucherService({
    store: t.state.vouchers, transaction: (fn) => t.state.transaction(fn), key: KEY, deviceAt: (a) => devices.get(a),
    change: async (lines) => { changes.push([...lines]); return true; }, events: t.state.networkEvents, now,
  });
  registration = new RegistrationService({
    requests: t.state.visitorRequests, vouchers: t.state.vouchers, service: vouchers, accounts: t.state.accounts, audit: t.state.audit,
    transaction: (fn) => t.state.transaction(fn), key: KEY, deviceAt: (a) => devices.get(a), now, timezone: () => 'Europe/London',
    terms: () => config.site.terms ?? [], extend: (id, until, record) => vouchers.extend(id, until, record),
  });
  registerVoucherMethods(control, { config: { current: config }, vouchers, audit: t.state.audit });
});
afterEach(async () => {
  await t.close();
});

function account(username: string, roles: Role[], displayName = username): AccountRow {
  const row = t.state.accounts.insert({ username, displayName, email: null, passwordHash: hash, mustChangePassword: false, breakGlass: false, roles, createdAt: t.clock.now.toISOString() });
  if (roles.some((r) => r === 'dsl' || r === 'headteacher' || r === 'technician')) t.state.accounts.update(row.id, { totpSecret: TOTP_SECRET });
  return t.state.accounts.byId(row.id)!;
}

interface Session { cookie: string; csrf: string }

async function signIn(a: AccountRow): Promise<Session> {
  const totp = a.totpSecret ? { totp: totpCode(a.totpSecret, t.clock.now.getTime()) } : {};
  const r = await t.app.inject({ method: 'POST', url: '/api/session', headers: { host: HOST, origin: `http://${HOST}` }, payload: { username: a.username, password: PASSWORD, ...totp } });
  expect(r.statusCode, r.body).toBe(200);
  const c = r.cookies.find((x) => x.name === 'schoolgate_session')!;
  return { cookie: `schoolgate_session=${c.value}`, csrf: r.json().csrfToken };
}

async function api(s: Session, method: 'GET' | 'POST', url: string, payload?: object, csrf = true) {
  const headers: Record<string, string> = { host: HOST, cookie: s.cookie };
  if (method !== 'GET') headers.origin = `http://${HOST}`;
  if (csrf) headers['x-csrf-token'] = s.csrf;
  const r = await t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  return { status: r.statusCode, json: r.body ? r.json() : undefined, body: r.body };
}

const OFFICE_FORM = { recipient: { name: 'Pat Plumber', organisation: 'Drains & Co' }, validSeconds: 4 * 3600, maxDevices: 1 };
const groupForm = (count: number) => ({ name: 'Year 6 leavers\' assembly', count, validFrom: t.clock.now.toISOString(), validUntil: new Date(t.clock.now.getTime() + 3 * 3600_000).toISOString(), maxDevices: 2 });
const CODE = /^[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}$/;

describe('office vouchers', () => {
  test('the office issues one recording who got it; the code and its QR code are in that answer only, never in a list', async () => {
    const office = await signIn(account('bo', ['office'], 'Bo Office'));
    const issued = await api(office, 'POST', '/api/vouchers', OFFICE_FORM);
    expect(issued.status, issued.body).toBe(200);
    expect(issued.json.slip.code).toMatch(CODE);
    expect(issued.json.slip.link).toBe(`http://127.30.0.1/portal?code=${issued.json.slip.code}`);
    expect(issued.json.slip.qrSvg).toMatch(/^<svg/);
    expect(issued.json.common.termsSummary).toMatch(/logged and monitored/);
    expect(issued.json.voucher).toMatchObject({ kind: 'single', label: 'Pat Plumber', maxDevices: 1, issuedBy: 'account:bo' });
    const list = await api(office, 'GET', '/api/vouchers');
    expect(list.status).toBe(200);
    expect(list.body).not.toContain(issued.json.slip.code);
    expect(list.json.visitors).toEqual([expect.objectContaining({ name: 'Pat Plumber', organisation: 'Drains & Co', sponsorAccount: 'bo' })]);
    expect(t.state.audit.list({ limit: 5 }).find((e) => e.action === 'voucher.issue')).toMatchObject({ actor: 'account:bo' });
  });

  test('the same checks as vouchers.issue: a bad field is named, and a member of staff or a governor may not issue or list', async () => {
    const office = await signIn(account('bo', ['office']));
    const bad = await api(office, 'POST', '/api/vouchers', { ...OFFICE_FORM, recipient: { name: '   ' } });
    expect(bad.status).toBe(400);
    expect((await api(office, 'POST', '/api/vouchers', { ...OFFICE_FORM, maxDevices: 9 })).status).toBe(400);
    for (const roles of [['staff'], ['governor'], ['technician']] as Role[][]) {
      const s = await signIn(account(`x-${roles[0]}`, roles));
      expect((await api(s, 'POST', '/api/vouchers', OFFICE_FORM)).status).toBe(403);
      expect((await api(s, 'GET', '/api/vouchers')).status).toBe(403);
    }
    expect(t.state.vouchers.list(t.clock.now)).toEqual([]);
  });

  test('without the CSRF token nothing is issued or revoked; revoked with a reason, its device is off at once', async () => {
    const office = await signIn(account('bo', ['office']));
    expect((await api(office, 'POST', '/api/vouchers', OFFICE_FORM, false)).status).toBe(403);
    expect(t.state.vouchers.list(t.clock.now)).toEqual([]);
    const issued = await api(office, 'POST', '/api/vouchers', OFFICE_FORM);
    expect(await vouchers.redeem('10.30.0.100', issued.json.slip.code, 'builtin-1')).toMatchObject({ outcome: 'signed-in' });
    expect((await api(office, 'POST', `/api/vouchers/${issued.json.voucher.id}/revoke`, { reason: 'left early' }, false)).status).toBe(403);
    const revoked = await api(office, 'POST', `/api/vouchers/${issued.json.voucher.id}/revoke`, { reason: 'left early' });
    expect(revoked.status, revoked.body).toBe(200);
    expect(revoked.json).toMatchObject({ revokedBy: 'account:bo', revokeReason: 'left early', devicesNow: 0 });
    expect(changes.at(-1)!.join('\n')).toContain('delete element inet schoolgate authorised_guests { 10.30.0.100 . 02:00:00:00:00:01 }');
    expect((await api(office, 'POST', `/api/vouchers/${issued.json.voucher.id}/revoke`, { reason: 'again' })).status).toBe(400);
  });
});

describe('group and event vouchers', () => {
  test('a member of staff issues a group as its sponsor, with a slip for every code; the whole group is revoked in one change', async () => {
    const amy = await signIn(account('amy', ['staff'], 'Amy Teacher'));
    const issued = await api(amy, 'POST', '/api/vouchers/groups', groupForm(30));
    expect(issued.status, issued.body).toBe(200);
    expect(issued.json.group).toMatchObject({ name: 'Year 6 leavers\' assembly', count: 30, issuedBy: 'account:amy', maxDevices: 2, revokedAt: null });
    expect(issued.json.slips).toHaveLength(30);
    expect(new Set(issued.json.slips.map((s: { code: string }) => s.code)).size).toBe(30);
    for (const s of issued.json.slips) expect(s.qrSvg).toMatch(/^<svg/);
    const [a, b] = issued.json.slips;
    expect(await vouchers.redeem('10.30.0.100', a.code, 'builtin-1')).toMatchObject({ outcome: 'signed-in' });
    expect(await vouchers.redeem('10.30.0.101', b.code, 'builtin-1')).toMatchObject({ outcome: 'signed-in' });
    const listed = await api(amy, 'GET', '/api/vouchers/groups');
    expect(listed.json.groups).toEqual([expect.objectContaining({ id: issued.json.group.id, devicesNow: 2 })]);
    expect(listed.body).not.toContain(a.code);
    changes.length = 0;
    const revoked = await api(amy, 'POST', `/api/vouchers/groups/${issued.json.group.id}/revoke`, { reason: 'assembly over' });
    expect(revoked.status, revoked.body).toBe(200);
    expect(revoked.json).toMatchObject({ revokedBy: 'account:amy', revokeReason: 'assembly over', devicesNow: 0 });
    expect(changes).toHaveLength(1);
    expect(changes[0]!.filter((l) => l.startsWith('delete element'))).toHaveLength(2);
    expect(t.state.vouchers.list(t.clock.now, { current: true })).toEqual([]);
    expect(await vouchers.redeem('10.30.0.100', a.code, 'builtin-1')).toMatchObject({ outcome: 'invalid' });
  });

  test('at most 200 codes; another sponsor neither sees nor revokes the group, the office and the DSL do', async () => {
    const amy = await signIn(account('amy', ['staff']));
    expect((await api(amy, 'POST', '/api/vouchers/groups', groupForm(201))).status).toBe(400);
    const backwards = await api(amy, 'POST', '/api/vouchers/groups', { ...groupForm(2), validUntil: t.clock.now.toISOString() });
    expect(backwards.status).toBe(400);
    expect(backwards.json.fields).toHaveProperty('validUntil');
    const issued = await api(amy, 'POST', '/api/vouchers/groups', groupForm(2));
    const id = issued.json.group.id;
    const ben = await signIn(account('ben', ['staff']));
    expect((await api(ben, 'GET', '/api/vouchers/groups')).json.groups).toEqual([]);
    expect((await api(ben, 'POST', `/api/vouchers/groups/${id}/revoke`, { reason: 'not mine' })).status).toBe(403);
    const office = await signIn(account('bo', ['office']));
    expect((await api(office, 'GET', '/api/vouchers/groups')).json.groups).toHaveLength(1);
    const gov = await signIn(account('gail', ['governor']));
    expect((await api(gov, 'POST', '/api/vouchers/groups', groupForm(2))).status).toBe(403);
    expect((await api(amy, 'POST', `/api/vouchers/groups/${id}/revoke`, { reason: 'cancelled' }, false)).status).toBe(403);
    const dsl = await signIn(account('sam', ['dsl']));
    expect((await api(dsl, 'POST', `/api/vouchers/groups/${id}/revoke`, { reason: 'cancelled' })).status).toBe(200);
    expect(t.state.audit.list({ limit: 10 }).map((e) => e.action)).toEqual(expect.arrayContaining(['voucher.issue-group', 'voucher.revoke-group']));
  });
});

describe('regular visitors', () => {
  const FORM = { name: 'Dee Supply', organisation: 'County Supply Ltd', purpose: 'Year 3 cover this term', until: { term: 'current' }, maxDevices: 2 };

  test('a sponsor gives one access to the end of the term, renews it after it lapsed with the same code, and the DSL withdraws it', async () => {
    const amyRow = account('amy', ['staff'], 'Amy Teacher');
    let amy = await signIn(amyRow);
    const created = await api(amy, 'POST', '/api/visitors/regular', FORM);
    expect(created.status, created.body).toBe(200);
    expect(created.json.issued.term).toBe('Autumn 2');
    // 23:59 on the term's last day, London time (GMT in December).
    expect(created.json.issued.voucher).toMatchObject({ kind: 'regular', validUntil: '2026-12-18T23:59:00.000Z', maxDevices: 2 });
    expect(created.json.issued.visitor).toMatchObject({ name: 'Dee Supply', sponsorAccount: 'amy', sponsorName: 'Amy Teacher' });
    const code = created.json.slip.code;
    const id = created.json.issued.voucher.id;
    expect(await vouchers.redeem('10.30.0.100', code, 'builtin-1')).toMatchObject({ outcome: 'signed-in' });
    t.clock.advance(12 * 86_400_000);
    expect(await vouchers.redeem('10.30.0.100', code, 'builtin-1')).toMatchObject({ outcome: 'invalid' });
    // In the holiday after the term, "the current term" is the next one.
    amy = await signIn(amyRow);
    const renewed = await api(amy, 'POST', `/api/visitors/regular/${id}/renew`, { until: { term: 'current' } });
    expect(renewed.status, renewed.body).toBe(200);
    expect(renewed.json.voucher.validUntil).toBe('2027-02-12T23:59:00.000Z');
    expect(await vouchers.redeem('10.30.0.100', code, 'builtin-1')).toMatchObject({ outcome: 'signed-in', until: '2027-02-12T23:59:00.000Z' });
    const dsl = await signIn(account('sam', ['dsl']));
    const listed = await api(dsl, 'GET', '/api/visitors/regular');
    expect(listed.json.visitors).toEqual([expect.objectContaining({ visitor: expect.objectContaining({ sponsorName: 'Amy Teacher' }) })]);
    expect(listed.body).not.toContain(code);
    changes.length = 0;
    const withdrawn = await api(dsl, 'POST', `/api/visitors/regular/${id}/withdraw`, { reason: 'contract ended' });
    expect(withdrawn.status, withdrawn.body).toBe(200);
    expect(withdrawn.json.voucher).toMatchObject({ revokedBy: 'account:sam', revokeReason: 'contract ended' });
    expect(changes[0]!.join('\n')).toContain('delete element inet schoolgate authorised_guests { 10.30.0.100 . 02:00:00:00:00:01 }');
    const again = await api(amy, 'POST', `/api/visitors/regular/${id}/renew`, { until: { term: 'current' } });
    expect([again.status, again.json.error]).toEqual([400, expect.stringMatching(/revoked/)]);
    expect(t.state.audit.list({ limit: 10 }).map((e) => e.action)).toEqual(expect.arrayContaining(['visitors.regular', 'visitors.renew', 'visitors.withdraw']));
  });

  test('renewing while signed in moves the device\'s time in the set at once', async () => {
    const amy = await signIn(account('amy', ['staff']));
    const created = await api(amy, 'POST', '/api/visitors/regular', { ...FORM, until: { date: '2026-12-10' } });
    expect(created.json.issued.voucher.validUntil).toBe('2026-12-10T23:59:00.000Z');
    await vouchers.redeem('10.30.0.101', created.json.slip.code, 'builtin-1');
    changes.length = 0;
    const renewed = await api(amy, 'POST', `/api/visitors/regular/${created.json.issued.voucher.id}/renew`, { until: { date: '2026-12-11' } });
    expect(renewed.status, renewed.body).toBe(200);
    expect(changes[0]!.at(-1)).toBe(`add element inet schoolgate authorised_guests { 10.30.0.101 . 02:00:00:00:00:02 timeout ${(Date.parse('2026-12-11T23:59:00.000Z') - t.clock.now.getTime()) / 1000}s }`);
    expect(vouchers.sessionAt('10.30.0.101')!.device.authorisedUntil).toBe('2026-12-11T23:59:00.000Z');
  });

  test('another sponsor may not renew or withdraw; a past date or a date over a year away is refused beside the field; CSRF', async () => {
    const amy = await signIn(account('amy', ['staff']));
    expect((await api(amy, 'POST', '/api/visitors/regular', FORM, false)).status).toBe(403);
    const past = await api(amy, 'POST', '/api/visitors/regular', { ...FORM, until: { date: '2026-12-01' } });
    expect(past.status).toBe(400);
    expect(past.json.fields.until).toMatch(/passed/);
    expect((await api(amy, 'POST', '/api/visitors/regular', { ...FORM, until: { date: '2028-01-01' } })).json.fields.until).toMatch(/year/);
    const id = (await api(amy, 'POST', '/api/visitors/regular', FORM)).json.issued.voucher.id;
    const ben = await signIn(account('ben', ['staff']));
    expect((await api(ben, 'GET', '/api/visitors/regular')).json.visitors).toEqual([]);
    expect((await api(ben, 'POST', `/api/visitors/regular/${id}/renew`, { until: { term: 'current' } })).status).toBe(403);
    expect((await api(ben, 'POST', `/api/visitors/regular/${id}/withdraw`, { reason: 'not mine' })).status).toBe(403);
    expect((await api(amy, 'POST', `/api/visitors/regular/${id}/withdraw`, { reason: 'no longer needed' }, false)).status).toBe(403);
    const gov = await signIn(account('gail', ['governor']));
    expect((await api(gov, 'GET', '/api/visitors/regular')).status).toBe(403);
    expect((await api(amy, 'POST', `/api/visitors/regular/${id}/withdraw`, { reason: 'no longer needed' })).status).toBe(200);
  });
});
