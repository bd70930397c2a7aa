// The admin API's security through fastify's inject (the real app, routes, hooks, cookies and
// state.db; only the socket is skipped): setup, sign-in, TOTP, temporary passwords, lockout,
// roles, CSRF, break-glass and session expiry.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SetupBody } from '../../../firmware/admin/api/session-schema.ts';
import { totpCode } from '../../../firmware/admin/auth/totp.ts';
import type { Role } from '../../../firmware/admin/roles.ts';
import { testAdmin, type TestAdmin } from './admin-app.ts';

const HOST = 'gateway.test';
const ORIGIN = `http://${HOST}`;

let t: TestAdmin;
beforeEach(async () => {
  t = await testAdmin();
});
afterEach(async () => {
  await t.close();
});

interface Call {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  body?: unknown;
  cookie?: string;
  csrf?: string;
  origin?: string | null;
  from?: string;
}

async function call({ method = 'GET', url, body, cookie, csrf, origin = ORIGIN, from }: Call) {
  const headers: Record<string, string> = { host: HOST };
  if (origin !== null && method !== 'GET') headers.origin = origin;
  if (cookie) headers.cookie = cookie;
  if (csrf) headers['x-csrf-token'] = csrf;
  const response = await t.app.inject({ method, url, headers, ...(body !== undefined ? { payload: body as object } : {}), ...(from ? { remoteAddress: from } : {}) });
  return { status: response.statusCode, json: response.body ? response.json() : undefined, headers: response.headers, cookies: response.cookies };
}

const PASSWORDS = { head: 'Heron-Lantern-42', dsl: 'Quiet-Meadow-Owl-7', tech: 'Copper-Kettle-Fjord', office: 'Marble-Otter-Tram-3' };

function setupBody(code: string, accounts: SetupBody['accounts'] = [
  { username: 'jo.head', displayName: 'Jo Head', roles: ['headteacher'], password: PASSWORDS.head },
  { username: 'sam.dsl', displayName: 'Sam Dsl', roles: ['dsl', 'online-safety-lead'], password: PASSWORDS.dsl },
]): SetupBody {
  return { code, site: { name: 'St Mary Primary', timezone: 'Europe/London' }, accounts };
}

async function doSetup() {
  const code = await t.setupCode.issue();
  const response = await call({ method: 'POST', url: '/api/setup', body: setupBody(code) });
  expect(response.status, JSON.stringify(response.json)).toBe(200);
  return response.json as { breakGlass: { username: string; password: string } };
}

interface Session {
  cookie: string;
  csrf: string;
  view: { account: { username: string; mustChangePassword: boolean }; permissions: string[] };
}

async function signIn(username: string, password: string, totp?: string): Promise<Session> {
  const response = await call({ method: 'POST', url: '/api/session', body: { username, password, ...(totp ? { totp } : {}) } });
  expect(response.status, JSON.stringify(response.json)).toBe(200);
  const c = response.cookies.find((x) => x.name === 'schoolgate_session')!;
  return { cookie: `schoolgate_session=${c.value}`, csrf: response.json.csrfToken, view: response.json };
}

/** Enrols TOTP for a signed-in session; returns the secret. */
async function enrol(s: Session): Promise<string> {
  const start = await call({ method: 'POST', url: '/api/account/totp', cookie: s.cookie, csrf: s.csrf });
  expect(start.status).toBe(200);
  expect(start.json.qrSvg).toMatch(/^<svg[^>]*>.*<\/svg>\s*$/s);
  expect(start.json.otpauthUrl).toContain(`secret=${start.json.secret}`);
  const confirm = await call({ method: 'POST', url: '/api/account/totp/confirm', cookie: s.cookie, csrf: s.csrf, body: { code: totpCode(start.json.secret, t.clock.now.getTime()) } });
  expect(confirm.status, JSON.stringify(confirm.json)).toBe(200);
  return start.json.secret;
}

/** An account made by the headteacher, with its first password changed: ready to use. */
async function makeAccount(admin: Session, username: string, roles: Role[], password: string): Promise<Session> {
  const made = await call({ method: 'POST', url: '/api/accounts', cookie: admin.cookie, csrf: admin.csrf, body: { username, displayName: username, roles } });
  expect(made.status, JSON.stringify(made.json)).toBe(200);
  const first = await signIn(username, made.json.temporaryPassword);
  const changed = await call({ method: 'POST', url: '/api/account/password', cookie: first.cookie, csrf: first.csrf, body: { current: made.json.temporaryPassword, next: password } });
  expect(changed.status).toBe(200);
  return first;
}

async function headSession(): Promise<Session> {
  await doSetup();
  const s = await signIn('jo.head', PASSWORDS.head);
  await enrol(s);
  return s;
}

describe('first-run setup', () => {
  it('says setup is needed, refuses a wrong code, one approver, a weak password, and a second setup', async () => {
    const sites: unknown[] = [];
    await t.close();
    t = await testAdmin({ setSite: async (site) => { sites.push(site); } });
    expect((await call({ url: '/api/setup' })).json).toEqual({ needed: true, site: { name: 'Test Primary', timezone: 'Europe/London' } });
    const code = await t.setupCode.issue();
    const wrong = await call({ method: 'POST', url: '/api/setup', body: setupBody('AAAA-BBBB-CCCC') });
    expect(wrong.status).toBe(403);
    expect(wrong.json.code).toBe('setup-code');

    const oneApprover = await call({ method: 'POST', url: '/api/setup', body: setupBody(code, [
      { username: 'jo.head', displayName: 'Jo Head', roles: ['headteacher', 'dsl'], password: PASSWORDS.head },
      { username: 'tech', displayName: 'Tech Person', roles: ['technician'], password: PASSWORDS.tech },
    ]) });
    expect(oneApprover.status).toBe(400);
    expect(oneApprover.json.fields.accounts).toMatch(/two people/);

    const samePerson = await call({ method: 'POST', url: '/api/setup', body: setupBody(code, [
      { username: 'jo.head', displayName: 'Jo Head', roles: ['headteacher'], password: PASSWORDS.head },
      { username: 'jo.dsl', displayName: 'jo head', roles: ['dsl'], password: 'leavemealone' },
    ]) });
    expect(samePerson.status).toBe(400);
    expect(samePerson.json.fields).toEqual({ 'accounts/1/displayName': expect.stringMatching(/one account per person/), 'accounts/1/password': expect.stringMatching(/common/) });
    expect(t.state.accounts.count()).toBe(0);

    const done = await call({ method: 'POST', url: '/api/setup', body: setupBody(code) });
    expect(done.status).toBe(200);
    expect(sites).toEqual([{ name: 'St Mary Primary', timezone: 'Europe/London' }]);
    expect(done.json.accounts.map((a: { username: string }) => a.username)).toEqual(['jo.head', 'sam.dsl']);
    expect(done.json.breakGlass.username).toBe('recovery');
    expect(done.json.breakGlass.password).toMatch(/^([a-zA-Z2-9]{4}-){5}[a-zA-Z2-9]{4}$/);
    expect(t.setupCode.code).toBeUndefined();

    const again = await call({ method: 'POST', url: '/api/setup', body: setupBody(code) });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('setup-done');
    expect((await call({ url: '/api/setup' })).json.needed).toBe(false);
    expect(t.state.audit.list({ action: 'setup.*' }).map((e) => e.action)).toEqual(['setup.refused', 'setup.complete']);
  });

  it('is refused from an address off the staff and management side', async () => {
    const code = await t.setupCode.issue();
    const response = await call({ method: 'POST', url: '/api/setup', body: setupBody(code), from: '10.0.30.7' });
    expect(response.status).toBe(403);
    expect(response.json.code).toBe('setup-network');
    expect((await call({ method: 'POST', url: '/api/setup', body: setupBody(code), from: '10.0.10.7' })).status).toBe(200);
  });
});

describe('signing in', () => {
  it('requires TOTP enrolment of a headteacher before anything else, then the code at each sign-in, never the same code twice', async () => {
    await doSetup();
    const s = await signIn('jo.head', PASSWORDS.head);
    const refused = await call({ url: '/api/accounts', cookie: s.cookie });
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe('totp-required');
    expect((await call({ url: '/api/session', cookie: s.cookie })).status).toBe(200);
    const secret = await enrol(s);
    expect((await call({ url: '/api/accounts', cookie: s.cookie })).status).toBe(200);

    const noCode = await call({ method: 'POST', url: '/api/session', body: { username: 'jo.head', password: PASSWORDS.head } });
    expect(noCode.status).toBe(401);
    expect(noCode.json.code).toBe('totp-required');
    // The code that confirmed enrolment was used in this step: it is refused now.
    const replay = await call({ method: 'POST', url: '/api/session', body: { username: 'jo.head', password: PASSWORDS.head, totp: totpCode(secret, t.clock.now.getTime()) } });
    expect(replay.status).toBe(401);
    t.clock.advance(30_000);
    const code = totpCode(secret, t.clock.now.getTime());
    await signIn('jo.head', PASSWORDS.head, code);
    const again = await call({ method: 'POST', url: '/api/session', body: { username: 'jo.head', password: PASSWORDS.head, totp: code } });
    expect(again.status).toBe(401);
    expect(again.json.code).toBe('credentials');
  });

  it('locks an account after six wrong attempts, with the same answers as for a name that does not exist', async () => {
    await doSetup();
    const answers = async (username: string) => {
      const out: string[] = [];
      for (let i = 0; i < 7; i++) {
        const r = await call({ method: 'POST', url: '/api/session', body: { username, password: 'not the password' } });
        out.push(`${r.status} ${r.json.code} ${r.json.error}`);
      }
      return out;
    };
    const known = await answers('sam.dsl');
    expect(known.slice(0, 5).every((a) => a.startsWith('401 credentials'))).toBe(true);
    expect(known[5]).toMatch(/^423 locked/);
    expect(known[6]).toMatch(/^423 locked/);
    expect(await answers('nobody.here')).toEqual(known);
    // The right password is refused while locked, and works once the 15 minutes are over.
    expect((await call({ method: 'POST', url: '/api/session', body: { username: 'sam.dsl', password: PASSWORDS.dsl } })).status).toBe(423);
    t.clock.advance(15 * 60_000);
    await signIn('sam.dsl', PASSWORDS.dsl);
    expect(t.state.audit.list({ action: 'account.lockout' }).map((e) => e.subject)).toEqual(['sam.dsl']);
  });

  it('lets an administrator unlock at once', async () => {
    const head = await headSession();
    for (let i = 0; i < 6; i++) await call({ method: 'POST', url: '/api/session', body: { username: 'sam.dsl', password: 'nope nope nope' } });
    const id = t.state.accounts.byUsername('sam.dsl')!.id;
    expect((await call({ method: 'POST', url: `/api/accounts/${id}/unlock`, cookie: head.cookie, csrf: head.csrf })).status).toBe(200);
    await signIn('sam.dsl', PASSWORDS.dsl);
  });

  it('makes a temporary password be changed before anything else, refusing a common one', async () => {
    const head = await headSession();
    const made = await call({ method: 'POST', url: '/api/accounts', cookie: head.cookie, csrf: head.csrf, body: { username: 'pat.office', displayName: 'Pat Office', roles: ['office'] } });
    expect(made.status).toBe(200);
    expect(made.json.account.mustChangePassword).toBe(true);
    const temp = made.json.temporaryPassword as string;
    const s = await signIn('pat.office', temp);
    expect(s.view.account.mustChangePassword).toBe(true);
    const blocked = await call({ url: '/api/accounts', cookie: s.cookie });
    expect(blocked.json.code).toBe('password-change-required');
    const common = await call({ method: 'POST', url: '/api/account/password', cookie: s.cookie, csrf: s.csrf, body: { current: temp, next: 'qwertyuiop123' } });
    expect(common.status).toBe(400);
    expect(common.json.fields.next).toMatch(/common/);
    const changed = await call({ method: 'POST', url: '/api/account/password', cookie: s.cookie, csrf: s.csrf, body: { current: temp, next: PASSWORDS.office } });
    expect(changed.status).toBe(200);
    expect(changed.json.account.mustChangePassword).toBe(false);
    // The listed accounts never carry a password or its hash.
    const listed = await call({ url: '/api/accounts', cookie: head.cookie });
    expect(JSON.stringify(listed.json)).not.toMatch(/argon2|"password"|hash/i);
  });

  it('ends a session after 30 idle minutes, and after 12 hours however busy', async () => {
    await doSetup();
    const s = await signIn('sam.dsl', PASSWORDS.dsl);
    t.clock.advance(29 * 60_000);
    expect((await call({ url: '/api/session', cookie: s.cookie })).status).toBe(200);
    t.clock.advance(30 * 60_000);
    expect((await call({ url: '/api/session', cookie: s.cookie })).status).toBe(401);

    const busy = await signIn('sam.dsl', PASSWORDS.dsl);
    for (let i = 0; i < 24; i++) {
      t.clock.advance(29 * 60_000);
      const r = await call({ url: '/api/session', cookie: busy.cookie });
      expect(r.status).toBe((i + 1) * 29 < 12 * 60 ? 200 : 401);
      if (r.status === 401) break;
    }
  });

  it('sets the cookie HttpOnly and SameSite=Strict, signs out, and sends the security headers', async () => {
    await doSetup();
    const r = await call({ method: 'POST', url: '/api/session', body: { username: 'sam.dsl', password: PASSWORDS.dsl } });
    const c = r.cookies.find((x) => x.name === 'schoolgate_session')!;
    expect(c).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(c.secure).toBeUndefined();
    expect(r.headers['content-security-policy']).toMatch(/script-src 'self'; style-src 'self';.*frame-ancestors 'none'/);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    const s = { cookie: `schoolgate_session=${c.value}`, csrf: r.json.csrfToken };
    expect((await call({ method: 'DELETE', url: '/api/session', cookie: s.cookie, csrf: s.csrf })).status).toBe(204);
    expect((await call({ url: '/api/session', cookie: s.cookie })).status).toBe(401);
  });
});

describe('CSRF', () => {
  it('refuses a change without the session token, with a wrong one, or from another origin', async () => {
    const head = await headSession();
    const body = { username: 'pat.office', displayName: 'Pat Office', roles: ['office'] };
    const tries = [
      await call({ method: 'POST', url: '/api/accounts', cookie: head.cookie, body }),
      await call({ method: 'POST', url: '/api/accounts', cookie: head.cookie, csrf: 'wrong', body }),
      await call({ method: 'POST', url: '/api/accounts', cookie: head.cookie, csrf: head.csrf, origin: 'http://evil.example', body }),
      await call({ method: 'POST', url: '/api/accounts', cookie: head.cookie, csrf: head.csrf, origin: null, body }),
      await call({ method: 'POST', url: '/api/session', origin: 'http://evil.example', body: { username: 'jo.head', password: PASSWORDS.head } }),
    ];
    expect(tries.map((r) => `${r.status} ${r.json.code}`)).toEqual(Array(5).fill('403 csrf'));
    expect(t.state.accounts.byUsername('pat.office')).toBeUndefined();
    expect((await call({ method: 'POST', url: '/api/accounts', cookie: head.cookie, csrf: head.csrf, body })).status).toBe(200);
  });
});

describe('roles', () => {
  it('allows and refuses each role on representative routes', async () => {
    const head = await headSession();
    const office = await makeAccount(head, 'pat.office', ['office'], PASSWORDS.office);
    const governor = await makeAccount(head, 'gil.governor', ['governor'], 'Granite-Puffin-Loom');
    const tech = await makeAccount(head, 'tec.provider', ['technician'], PASSWORDS.tech);
    await enrol(tech);
    const routes = ['/api/accounts', '/api/access-matrix', '/api/status'];
    const outcome = async (s: Session) => Promise.all(routes.map(async (url) => (await call({ url, cookie: s.cookie, from: '10.0.10.5' })).status));
    expect(await outcome(head)).toEqual([200, 200, 200]);
    expect(await outcome(tech)).toEqual([200, 200, 200]);
    expect(await outcome(office)).toEqual([403, 403, 403]);
    expect(await outcome(governor)).toEqual([403, 403, 403]);
    // Not signed in: 401, except status from the gateway itself.
    expect((await call({ url: '/api/accounts', from: '10.0.10.5' })).status).toBe(401);
    expect((await call({ url: '/api/status', from: '10.0.10.5' })).status).toBe(401);
    expect((await call({ url: '/api/status', from: '127.0.0.1' })).status).toBe(200);
    expect((await call({ url: '/healthz', from: '10.0.30.9' })).status).toBe(200);
    const refused = await call({ method: 'POST', url: '/api/accounts', cookie: office.cookie, csrf: office.csrf, body: { username: 'x.y', displayName: 'X', roles: ['technician'] } });
    expect(refused.json).toEqual({ error: 'your roles do not include accounts.manage', code: 'forbidden' });
  });

  it('lists every account against every role in the access matrix', async () => {
    const head = await headSession();
    const m = await call({ url: '/api/access-matrix', cookie: head.cookie });
    expect(m.json.roles.map((r: { role: string }) => r.role)).toEqual(['technician', 'headteacher', 'dsl', 'online-safety-lead', 'office', 'staff', 'governor']);
    expect(m.json.accounts.map((a: { username: string; holds: string[] }) => `${a.username}:${a.holds.join('+')}`)).toEqual(['jo.head:headteacher', 'recovery:', 'sam.dsl:dsl+online-safety-lead']);
  });

  it('disables an account at once, ending its sessions', async () => {
    const head = await headSession();
    const office = await makeAccount(head, 'pat.office', ['office'], PASSWORDS.office);
    const id = t.state.accounts.byUsername('pat.office')!.id;
    expect((await call({ url: '/api/session', cookie: office.cookie })).status).toBe(200);
    expect((await call({ method: 'POST', url: `/api/accounts/${id}/disable`, cookie: head.cookie, csrf: head.csrf })).json.account.disabled).toBe(true);
    expect((await call({ url: '/api/session', cookie: office.cookie })).status).toBe(401);
    expect((await call({ method: 'POST', url: '/api/session', body: { username: 'pat.office', password: PASSWORDS.office } })).json.code).toBe('disabled');
    expect(t.state.audit.list({ action: 'account.disable' })[0]).toMatchObject({ actor: 'account:jo.head', subject: 'pat.office' });
  });
});

describe('the break-glass account', () => {
  it('may only recover or revoke access, cannot be disabled by others, and alerts at each use', async () => {
    const { breakGlass } = await doSetup();
    const head = await signIn('jo.head', PASSWORDS.head);
    await enrol(head);
    const recoveryId = t.state.accounts.byUsername('recovery')!.id;
    const disable = await call({ method: 'POST', url: `/api/accounts/${recoveryId}/disable`, cookie: head.cookie, csrf: head.csrf });
    expect(disable.status).toBe(403);
    expect(disable.json.code).toBe('break-glass');

    const bg = await signIn('recovery', breakGlass.password);
    expect(t.alerts.map((a) => `${a.kind} ${a.severity} ${a.subject}`)).toEqual(['system.break-glass critical recovery']);
    expect(bg.view.permissions).toEqual(['accounts.manage']);
    expect((await call({ url: '/api/access-matrix', cookie: bg.cookie })).json.code).toBe('break-glass');
    expect((await call({ url: '/api/status', cookie: bg.cookie, from: '10.0.10.5' })).json.code).toBe('break-glass');
    const create = await call({ method: 'POST', url: '/api/accounts', cookie: bg.cookie, csrf: bg.csrf, body: { username: 'x.y', displayName: 'X', roles: ['technician'] } });
    expect(create.json.code).toBe('break-glass');
    const headId = t.state.accounts.byUsername('jo.head')!.id;
    const reset = await call({ method: 'POST', url: `/api/accounts/${headId}/reset-totp`, cookie: bg.cookie, csrf: bg.csrf });
    expect(reset.status).toBe(200);
    expect(reset.json.account.totpEnrolled).toBe(false);
    const password = await call({ method: 'POST', url: `/api/accounts/${headId}/reset-password`, cookie: bg.cookie, csrf: bg.csrf });
    expect(password.json.temporaryPassword).toMatch(/^([a-zA-Z2-9]{4}-){4}[a-zA-Z2-9]{4}$/);
    expect(t.alerts).toHaveLength(3);
    expect(t.alerts[2]!.reason).toMatch(/reset-password to "jo.head"/);
    expect(t.state.audit.list({ action: 'account.*' }).filter((e) => e.actor === 'account:recovery').map((e) => e.action))
      .toEqual(['account.login', 'account.reset-totp', 'account.reset-password']);
    // The head's old session ended with the reset.
    expect((await call({ url: '/api/session', cookie: head.cookie })).status).toBe(401);
  });
});

describe('limits', () => {
  it('refuses sign-in attempts past the rate limit from one address, not from another', async () => {
    const limited = await testAdmin({ loginRateLimit: 3 });
    try {
      const attempt = async (from: string) => (await limited.app.inject({
        method: 'POST', url: '/api/session', remoteAddress: from, headers: { host: HOST, origin: ORIGIN },
        payload: { username: 'someone', password: 'whatever it is' },
      }));
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await attempt('10.0.10.5')).statusCode);
      expect(statuses).toEqual([401, 401, 401, 429]);
      const refused = await attempt('10.0.10.5');
      expect(refused.json()).toMatchObject({ code: 'rate-limited', error: expect.stringMatching(/too many attempts/) });
      expect((await attempt('10.0.10.6')).statusCode).toBe(401);
    } finally {
      await limited.close();
    }
  });

  it('takes session timeouts from the configuration at each request', async () => {
    const limits = { idleMinutes: 30, absoluteHours: 12 };
    const configured = await testAdmin({ limits: () => limits });
    const previous = t;
    t = configured;
    try {
      await doSetup();
      const s = await signIn('sam.dsl', PASSWORDS.dsl);
      t.clock.advance(10 * 60_000);
      expect((await call({ url: '/api/session', cookie: s.cookie })).status).toBe(200);
      limits.idleMinutes = 5;
      t.clock.advance(6 * 60_000);
      expect((await call({ url: '/api/session', cookie: s.cookie })).status).toBe(401);
    } finally {
      t = previous;
      await configured.close();
    }
  });
});

it('marks the cookie Secure on a plain-HTTP listener that is not on loopback', async () => {
  const exposed = await testAdmin({ cookieSecure: true });
  try {
    const code = await exposed.setupCode.issue();
    const headers = { host: HOST, origin: ORIGIN };
    expect((await exposed.app.inject({ method: 'POST', url: '/api/setup', headers, payload: setupBody(code) })).statusCode).toBe(200);
    const r = await exposed.app.inject({ method: 'POST', url: '/api/session', headers, payload: { username: 'sam.dsl', password: PASSWORDS.dsl } });
    expect(r.cookies.find((x) => x.name === 'schoolgate_session')).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Strict' });
    expect(r.headers['strict-transport-security']).toBeUndefined();
  } finally {
    await exposed.close();
  }
});

it('refuses a Host it does not answer to (DNS rebinding), even for what loopback reads without a session', async () => {
  const named = await testAdmin({ hosts: () => ['127.0.0.1', 'localhost', '::1'] });
  try {
    const get = (host: string) => named.app.inject({ method: 'GET', url: '/api/status', headers: { host } });
    expect((await get('127.0.0.1:8080')).statusCode).toBe(200);
    expect((await get('localhost:8080')).statusCode).toBe(200);
    expect((await get('[::1]:8080')).statusCode).toBe(200);
    const rebound = await get('attacker.example:8080');
    expect(rebound.statusCode).toBe(421);
    expect(rebound.json().code).toBe('wrong-host');
  } finally {
    await named.close();
  }
});
