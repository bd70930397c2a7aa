// The admin API as the browser tests drive it around a page: a session (cookie and CSRF token)
// signed in over HTTP, two-factor enrolled, accounts made through the headteacher, the school set
// up with the people a test needs (setUpSchoolWithRoles), and a Chromium page opened as one of
// those sessions. Over an app with a fake clock, `now` gives the authenticator that clock and
// `openAs` the page the same time.
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Role } from '../../../firmware/admin/roles.ts';
import type { RunningDaemon } from '../../support/daemon.ts';
import { totpAt } from './webui.ts';

export interface ApiSession { cookie: string; csrf: string }

/** The code an authenticator shows now for `secret`. */
export const totpNow = (secret: string): string => totpAt(secret, Math.floor(Date.now() / 30_000));

export class AdminApi {
  readonly base: string;
  readonly #now: () => Date;

  constructor(base: string, options: { now?: () => Date } = {}) {
    this.base = base;
    this.#now = options.now ?? (() => new Date());
  }

  /** The code an authenticator shows for `secret` at the server's time. */
  totp(secret: string): string {
    return totpAt(secret, Math.floor(this.#now().getTime() / 30_000));
  }

  async call(method: string, path: string, body?: unknown, s?: ApiSession): Promise<{ status: number; json: any }> {
    const headers: Record<string, string> = { origin: this.base };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (s) {
      headers.cookie = s.cookie;
      headers['x-csrf-token'] = s.csrf;
    }
    const r = await fetch(`${this.base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : undefined };
  }

  async signIn(username: string, password: string, secret?: string): Promise<ApiSession> {
    const r = await fetch(`${this.base}/api/session`, {
      method: 'POST', headers: { origin: this.base, 'content-type': 'application/json' },
      body: JSON.stringify({ username, password, ...(secret ? { totp: this.totp(secret) } : {}) }),
    });
    const json = await r.json() as { csrfToken: string };
    expect(r.status, JSON.stringify(json)).toBe(200);
    const cookie = /schoolgate_session=[^;]+/.exec(r.headers.get('set-cookie') ?? '')![0];
    return { cookie, csrf: json.csrfToken };
  }

  /** Turns on two-factor for the session's account; returns its secret. */
  async enrol(s: ApiSession): Promise<string> {
    const start = await this.call('POST', '/api/account/totp', undefined, s);
    const confirm = await this.call('POST', '/api/account/totp/confirm', { code: this.totp(start.json.secret) }, s);
    expect(confirm.status, JSON.stringify(confirm.json)).toBe(200);
    return start.json.secret as string;
  }

  /** An account made by `head`, its temporary password changed, two-factor on for a technician. */
  async makeAccount(head: ApiSession, username: string, roles: string[], displayName = username): Promise<ApiSession> {
    const made = await this.call('POST', '/api/accounts', { username, displayName, roles }, head);
    expect(made.status, JSON.stringify(made.json)).toBe(200);
    const s = await this.signIn(username, made.json.temporaryPassword);
    const changed = await this.call('POST', '/api/account/password', { current: made.json.temporaryPassword, next: 'Marble-Otter-Tram-3' }, s);
    expect(changed.status, JSON.stringify(changed.json)).toBe(200);
    if (roles.includes('technician')) await this.enrol(s);
    return s;
  }

  /**
   * A page signed in as `s`, collecting CSP violations the page reports. `atServerTime`: the
   * page's clock is fixed at the server's, for pages that judge "in force" or "lapsed" by the
   * browser's time.
   */
  async openAs(browser: Browser, s: ApiSession, path: string, viewport: { width: number; height: number }, options: { atServerTime?: boolean } = {}): Promise<{ page: Page; cspViolations: string[] }> {
    const context = await browser.newContext({ viewport });
    const [name, value] = s.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: this.base }]);
    const page = await context.newPage();
    if (options.atServerTime === true) await page.clock.setFixedTime(this.#now());
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    page.on('pageerror', (e) => console.log(`pageerror: ${e.stack ?? e.message}`));
    expect((await page.goto(`${this.base}${path}`))?.status()).toBe(200);
    return { page, cspViolations };
  }
}

/**
 * Someone a test signs in as besides the head: an account the head makes, as [username, role,
 * display name (the username when left out)], or 'setup-dsl', the DSL named at first-run setup
 * (b.dsl, Bo Dsl), signed in with two-factor on.
 */
export type Person = readonly [username: string, role: Role, displayName?: string] | 'setup-dsl';

/**
 * The daemon's school set up at first run with the headteacher (a.head, two-factor on), then each
 * of `people` in the order given, as a session under its key. Only the people asked for are made
 * or signed in, so the accounts and the audit log hold nothing the test did not ask for.
 */
export async function setUpSchoolWithRoles<K extends string>(daemon: RunningDaemon, people: Record<K, Person>): Promise<{ admin: AdminApi; head: ApiSession } & Record<K, ApiSession>> {
  const { address, port } = daemon.config.web.admin;
  const admin = new AdminApi(`http://${address}:${port}`);
  const code = /"setupCode"\s*:\s*"([^"]+)"/.exec((await daemon.cli(['status', '--json'])).stdout)?.[1];
  const setup = await admin.call('POST', '/api/setup', { code, site: { name: 'St Mary\'s C of E Primary', timezone: 'Europe/London' }, accounts: [
    { username: 'a.head', displayName: 'Alex Head', roles: ['headteacher'], password: 'brass lantern over the hill' },
    { username: 'b.dsl', displayName: 'Bo Dsl', roles: ['dsl'], password: 'seven quiet herons at dawn' },
  ] });
  expect(setup.status, JSON.stringify(setup.json)).toBe(200);
  const head = await admin.signIn('a.head', 'brass lantern over the hill');
  await admin.enrol(head);
  const sessions = {} as Record<K, ApiSession>;
  for (const [key, person] of Object.entries(people) as [K, Person][]) {
    if (person === 'setup-dsl') {
      sessions[key] = await admin.signIn('b.dsl', 'seven quiet herons at dawn');
      await admin.enrol(sessions[key]);
    } else {
      const [username, role, displayName] = person;
      sessions[key] = await admin.makeAccount(head, username, [role], displayName);
    }
  }
  return { admin, head, ...sessions };
}
