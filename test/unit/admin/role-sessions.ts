// Signed-in sessions for each role, made through the API as a school would: setup (a headteacher
// and a DSL), two-factor where the role needs it, and accounts the headteacher creates, each with
// its temporary password changed. For the API tests of what each role may reach.
import { expect } from 'vitest';
import type { SetupBody } from '../../../firmware/admin/api/session-schema.ts';
import { totpCode } from '../../../firmware/admin/auth/totp.ts';
import { TOTP_REQUIRED_ROLES, type Role } from '../../../firmware/admin/roles.ts';
import type { TestAdmin } from './admin-app.ts';

export const HOST = 'gateway.test';
export const ORIGIN = `http://${HOST}`;

export interface Call {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  body?: unknown;
  cookie?: string;
  csrf?: string;
  origin?: string | null;
}

export interface RoleSession {
  username: string;
  cookie: string;
  csrf: string;
}

export function caller(t: TestAdmin) {
  return async ({ method = 'GET', url, body, cookie, csrf, origin = ORIGIN }: Call) => {
    const headers: Record<string, string> = { host: HOST };
    if (origin !== null && method !== 'GET') headers.origin = origin;
    if (cookie) headers.cookie = cookie;
    if (csrf) headers['x-csrf-token'] = csrf;
    const response = await t.app.inject({ method, url, headers, ...(body !== undefined ? { payload: body as object } : {}) });
    return { status: response.statusCode, json: response.body ? response.json() : undefined, cookies: response.cookies };
  };
}

/** One session per role named (plus the setup's headteacher and DSL), keyed by role. */
export async function roleSessions(t: TestAdmin, roles: readonly Role[]): Promise<Record<string, RoleSession>> {
  const call = caller(t);
  const signIn = async (username: string, password: string): Promise<RoleSession> => {
    const r = await call({ method: 'POST', url: '/api/session', body: { username, password } });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const c = r.cookies.find((x) => x.name === 'schoolgate_session')!;
    return { username, cookie: `schoolgate_session=${c.value}`, csrf: r.json.csrfToken };
  };
  const enrol = async (s: RoleSession): Promise<void> => {
    const start = await call({ method: 'POST', url: '/api/account/totp', cookie: s.cookie, csrf: s.csrf });
    expect(start.status).toBe(200);
    const confirm = await call({ method: 'POST', url: '/api/account/totp/confirm', cookie: s.cookie, csrf: s.csrf, body: { code: totpCode(start.json.secret, t.clock.now.getTime()) } });
    expect(confirm.status, JSON.stringify(confirm.json)).toBe(200);
    // Two enrolments in the same 30 s would reuse a step: move the clock on.
    t.clock.advance(31_000);
  };
  const code = await t.setupCode.issue();
  const setup: SetupBody = { code, site: { name: 'St Mary Primary', timezone: 'Europe/London' }, accounts: [
    { username: 'jo.head', displayName: 'Jo Head', roles: ['headteacher'], password: 'Heron-Lantern-42' },
    { username: 'sam.dsl', displayName: 'Sam Dsl', roles: ['dsl'], password: 'Quiet-Meadow-Owl-7' },
  ] };
  const done = await call({ method: 'POST', url: '/api/setup', body: setup });
  expect(done.status, JSON.stringify(done.json)).toBe(200);
  const head = await signIn('jo.head', 'Heron-Lantern-42');
  await enrol(head);
  const dsl = await signIn('sam.dsl', 'Quiet-Meadow-Owl-7');
  await enrol(dsl);
  const sessions: Record<string, RoleSession> = { headteacher: head, dsl };
  for (const role of roles) {
    if (sessions[role]) continue;
    const username = `a.${role}`;
    const made = await call({ method: 'POST', url: '/api/accounts', cookie: head.cookie, csrf: head.csrf, body: { username, displayName: `A ${role}`, roles: [role] } });
    expect(made.status, JSON.stringify(made.json)).toBe(200);
    const first = await signIn(username, made.json.temporaryPassword);
    const password = `Granite-${role}-Harbour-9`;
    const changed = await call({ method: 'POST', url: '/api/account/password', cookie: first.cookie, csrf: first.csrf, body: { current: made.json.temporaryPassword, next: password } });
    expect(changed.status, JSON.stringify(changed.json)).toBe(200);
    if (TOTP_REQUIRED_ROLES.includes(role)) await enrol(first);
    sessions[role] = first;
  }
  return sessions;
}
