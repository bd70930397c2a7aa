// Every route the admin app registers, asked by every role, against ROLE_PERMISSIONS: no session
// gets 401, a role without the route's permission 403, a role with it neither (whatever the
// route then answers to an empty request). Every route that changes something refuses a request
// without the session's CSRF token or from another origin. The routes are read from the app
// itself (declaredRoutes), so a page's routes added later are walked without editing this file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredRoutes, type DeclaredRoute } from '../../../firmware/admin/app.ts';
import { totpCode } from '../../../firmware/admin/auth/totp.ts';
import { ROLE_PERMISSIONS, ROLES, TOTP_REQUIRED_ROLES, type Role } from '../../../firmware/admin/roles.ts';
import { testAdmin, type TestAdmin } from './admin-app.ts';

const HOST = 'gateway.test';
const ORIGIN = `http://${HOST}`;
/** A staff laptop: not loopback, so routes open to the gateway itself still ask for a session. */
const FROM = '10.0.10.23';
/** The codes of the access hook's refusals; any other answer came from the route itself. */
const HOOK_CODES = new Set(['signed-out', 'forbidden', 'break-glass', 'password-change-required', 'totp-required', 'csrf', 'undeclared']);
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

let t: TestAdmin;
let routes: DeclaredRoute[];

interface Session { cookie: string; csrf: string }
const sessions = new Map<Role | 'break-glass', Session>();
const passwords = new Map<Role | 'break-glass', string>();
const secrets = new Map<Role, string>();

interface Call { method: string; url: string; session?: Session; csrf?: string | null; origin?: string; body?: unknown }

async function call({ method, url, session, csrf, origin = ORIGIN, body }: Call) {
  const headers: Record<string, string> = { host: HOST };
  if (!SAFE.has(method)) headers.origin = origin;
  if (session) headers.cookie = session.cookie;
  const token = csrf === undefined ? session?.csrf : csrf;
  if (token && !SAFE.has(method)) headers['x-csrf-token'] = token;
  const payload = body ?? (SAFE.has(method) || method === 'DELETE' ? undefined : {});
  const response = await t.app.inject({ method: method as 'GET', url, headers, remoteAddress: FROM, ...(payload !== undefined ? { payload: payload as object } : {}) });
  let json: { code?: string; error?: string } | undefined;
  try {
    json = response.json();
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, code: json?.code, json: json as Record<string, unknown> | undefined, cookies: response.cookies };
}

async function signIn(who: Role | 'break-glass'): Promise<Session> {
  const username = who === 'break-glass' ? breakGlassName : `u.${who}`;
  const secret = who === 'break-glass' ? undefined : secrets.get(who);
  // A fresh time step for every sign-in with a code: the gateway refuses a code used before.
  if (secret) t.clock.advance(30_000);
  const r = await call({ method: 'POST', url: '/api/session', body: { username, password: passwords.get(who), ...(secret ? { totp: totpCode(secret, t.clock.now.getTime()) } : {}) } });
  expect(r.status, `${who}: ${JSON.stringify(r.json)}`).toBe(200);
  const cookie = r.cookies.find((c) => c.name === 'schoolgate_session')!;
  const s = { cookie: `schoolgate_session=${cookie.value}`, csrf: String(r.json!.csrfToken) };
  sessions.set(who, s);
  return s;
}

/** The role's session, signed in again if a route just ended it (DELETE /api/session does). */
async function sessionOf(who: Role | 'break-glass'): Promise<Session> {
  const s = sessions.get(who)!;
  if ((await call({ method: 'GET', url: '/api/session', session: s })).status === 200) return s;
  return signIn(who);
}

let breakGlassName = '';

/** A path for the route: each parameter filled with a value naming nothing that exists. */
function pathOf(route: DeclaredRoute): string {
  return route.url.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => (/id$/i.test(name) ? '999999' : 'no-such-thing'));
}

const label = (r: DeclaredRoute) => `${r.method} ${r.url}`;

beforeAll(async () => {
  t = await testAdmin();
  await t.app.ready();
  routes = declaredRoutes(t.app).filter((r) => r.method !== 'HEAD' && !r.url.includes('*'));

  // Setup from the staff side, then the headteacher (with TOTP) makes one account per role.
  const code = await t.setupCode.issue();
  passwords.set('headteacher', 'Heron-Lantern-42-setup');
  const setup = await call({ method: 'POST', url: '/api/setup', body: {
    code, site: { name: 'St Mary Primary', timezone: 'Europe/London' },
    accounts: [
      { username: 'u.headteacher', displayName: 'Head Teacher', roles: ['headteacher'], password: passwords.get('headteacher') },
      { username: 'u.online-safety-lead', displayName: 'Online Lead', roles: ['online-safety-lead'], password: 'Quiet-Meadow-Owl-7-setup' },
    ],
  } });
  expect(setup.status, JSON.stringify(setup.json)).toBe(200);
  const bg = setup.json!.breakGlass as { username: string; password: string };
  breakGlassName = bg.username;
  passwords.set('break-glass', bg.password);
  passwords.set('online-safety-lead', 'Quiet-Meadow-Owl-7-setup');

  const head = await signIn('headteacher');
  const enrol = async (who: Role, s: Session) => {
    const start = await call({ method: 'POST', url: '/api/account/totp', session: s });
    expect(start.status).toBe(200);
    const secret = String(start.json!.secret);
    const confirm = await call({ method: 'POST', url: '/api/account/totp/confirm', session: s, body: { code: totpCode(secret, t.clock.now.getTime()) } });
    expect(confirm.status, JSON.stringify(confirm.json)).toBe(200);
    secrets.set(who, secret);
  };
  await enrol('headteacher', head);

  for (const role of ROLES) {
    if (role === 'headteacher' || role === 'online-safety-lead') continue;
    const made = await call({ method: 'POST', url: '/api/accounts', session: head, body: { username: `u.${role}`, displayName: `Person ${role}`, roles: [role] } });
    expect(made.status, JSON.stringify(made.json)).toBe(200);
    passwords.set(role, String(made.json!.temporaryPassword));
    const first = await signIn(role);
    const next = `${role} keeps a long password`;
    const changed = await call({ method: 'POST', url: '/api/account/password', session: first, body: { current: passwords.get(role), next } });
    expect(changed.status, JSON.stringify(changed.json)).toBe(200);
    passwords.set(role, next);
    if (TOTP_REQUIRED_ROLES.includes(role)) await enrol(role, first);
  }
  await signIn('online-safety-lead');
  await signIn('break-glass');
});

afterAll(async () => {
  await t?.close();
});

it('walks the routes the app registered, each of them declaring its permission', () => {
  expect(routes.length).toBeGreaterThan(10);
  for (const r of routes) expect(r.access.permission, label(r)).toBeDefined();
});

describe('each route without a session', () => {
  it('answers 401 unless it is public', async () => {
    const wrong: string[] = [];
    for (const r of routes) {
      const res = await call({ method: r.method, url: pathOf(r) });
      const refused = res.status === 401 && res.code === 'signed-out';
      if (r.access.permission === 'public' ? HOOK_CODES.has(res.code ?? '') : !refused) wrong.push(`${label(r)} → ${res.status} ${res.code ?? ''}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe.each(ROLES)('each route asked by the %s role', (role) => {
  it('is refused with 403 exactly when ROLE_PERMISSIONS does not give the route\'s permission', async () => {
    const wrong: string[] = [];
    for (const r of routes) {
      const permission = r.access.permission!;
      const allowed = permission === 'public' || permission === 'signed-in' || (ROLE_PERMISSIONS[role] as readonly string[]).includes(permission);
      const res = await call({ method: r.method, url: pathOf(r), session: await sessionOf(role) });
      const hookRefused = res.status === 401 || res.status === 403 && HOOK_CODES.has(res.code ?? '');
      if (allowed && hookRefused) wrong.push(`${label(r)} (${permission}) refused: ${res.status} ${res.code}`);
      if (!allowed && !(res.status === 403 && res.code === 'forbidden')) wrong.push(`${label(r)} (${permission}) not refused: ${res.status} ${res.code ?? ''}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('the break-glass recovery account', () => {
  it('is refused every route but those marked for recovery', async () => {
    const wrong: string[] = [];
    for (const r of routes) {
      if (r.access.permission === 'public') continue;
      const res = await call({ method: r.method, url: pathOf(r), session: await sessionOf('break-glass') });
      const refused = res.status === 403 && res.code === 'break-glass';
      if (r.access.breakGlass === true ? refused : !refused) wrong.push(`${label(r)} → ${res.status} ${res.code ?? ''}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('CSRF on every route that changes something', () => {
  /** A role that may use the route, so the refusal can only be CSRF's. */
  function allowedRole(r: DeclaredRoute): Role {
    const p = r.access.permission!;
    return ROLES.find((role) => p === 'signed-in' || (ROLE_PERMISSIONS[role] as readonly string[]).includes(p))!;
  }

  it('refuses a request without the session\'s token, and one from another origin', async () => {
    const changing = routes.filter((r) => !SAFE.has(r.method));
    expect(changing.length).toBeGreaterThan(3);
    const wrong: string[] = [];
    for (const r of changing) {
      const isPublic = r.access.permission === 'public';
      const session = isPublic ? undefined : await sessionOf(allowedRole(r));
      if (session) {
        const noToken = await call({ method: r.method, url: pathOf(r), session, csrf: null });
        if (!(noToken.status === 403 && noToken.code === 'csrf')) wrong.push(`${label(r)} without the token → ${noToken.status} ${noToken.code ?? ''}`);
        const badToken = await call({ method: r.method, url: pathOf(r), session, csrf: 'not-the-token' });
        if (!(badToken.status === 403 && badToken.code === 'csrf')) wrong.push(`${label(r)} with a wrong token → ${badToken.status} ${badToken.code ?? ''}`);
      }
      const foreign = await call({ method: r.method, url: pathOf(r), session, origin: 'https://evil.example' });
      if (!(foreign.status === 403 && foreign.code === 'csrf')) wrong.push(`${label(r)} from another origin → ${foreign.status} ${foreign.code ?? ''}`);
    }
    expect(wrong).toEqual([]);
  });
});
