// The settings page's API through fastify's inject, over a real configuration store and data
// directory: who may read and who may change, CSRF, errors beside their fields with nothing
// saved, write-only secrets kept in files the configuration names, and the logo checked by its
// first bytes and served with a CSP that runs no script.
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SettingsBody, SettingsView } from '../../../firmware/admin/api/settings-schema.ts';
import { logoType, LogoError, MAX_LOGO_BYTES } from '../../../firmware/admin/logo.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { ConfigStore } from '../../../firmware/config/store.ts';
import { testAdmin, type TestAdmin } from './admin-app.ts';
import { caller, roleSessions, type RoleSession } from './role-sessions.ts';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
const SVG = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><script>alert(1)</script><rect width="10" height="10"/></svg>');

let t: TestAdmin;
let store: ConfigStore;
let dataDir: string;
let call: ReturnType<typeof caller>;
let s: Record<string, RoleSession>;
beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sg-settings-'));
  store = await ConfigStore.open(join(dataDir, 'config.json'), { createWith: defaultConfig });
  t = await testAdmin({ dataDir, config: { current: () => store.current, update: (change, written) => store.update(change, written) } });
  call = caller(t);
  s = await roleSessions(t, ['technician', 'staff', 'governor']);
});
afterEach(async () => {
  await t.close();
});

const as = (role: string) => ({ cookie: s[role]!.cookie, csrf: s[role]!.csrf });
const bodyFrom = (view: SettingsView): SettingsBody => ({
  site: view.site, sessions: view.sessions, signInsPerMinute: view.signInsPerMinute, retention: view.retention,
  alerts: {
    contacts: view.alerts.contacts,
    email: view.alerts.email === null ? null : (({ password: _p, ...rest }) => rest)(view.alerts.email),
    webhook: view.alerts.webhook === null ? null : { url: view.alerts.webhook.url },
  },
});

describe('the settings API', () => {
  it('is read by those with health.view, changed only with system.manage, and never without the CSRF token', async () => {
    const tech = await call({ url: '/api/settings', ...as('technician') });
    expect(tech.status).toBe(200);
    expect(tech.json).toMatchObject({ site: { name: store.current.site.name }, editable: true, logo: { present: false } });
    const head = await call({ url: '/api/settings', ...as('headteacher') });
    expect(head.json.editable).toBe(false);
    expect((await call({ url: '/api/settings', ...as('staff') })).status).toBe(403);
    expect((await call({ url: '/api/settings', ...as('governor') })).status).toBe(403);
    expect((await call({ url: '/api/settings' })).status).toBe(401);

    const body = { ...bodyFrom(tech.json), site: { name: 'St Mary\'s Primary', timezone: 'Europe/London' } };
    expect((await call({ method: 'PUT', url: '/api/settings', body, ...as('headteacher') })).status).toBe(403);
    expect((await call({ method: 'PUT', url: '/api/settings', body, cookie: s.technician!.cookie })).status).toBe(403);
    expect((await call({ method: 'PUT', url: '/api/settings/logo', body: { data: PNG.toString('base64') }, cookie: s.technician!.cookie })).status).toBe(403);
    expect(store.current.site.name).not.toBe('St Mary\'s Primary');
    const saved = await call({ method: 'PUT', url: '/api/settings', body, ...as('technician') });
    expect(saved.status, JSON.stringify(saved.json)).toBe(200);
    expect(saved.json.changed).toEqual(['site']);
    expect(store.current.site.name).toBe('St Mary\'s Primary');
    const audit = t.state.audit.list({}).find((e) => e.action === 'settings.edit');
    expect(audit).toMatchObject({ actor: 'account:a.technician', details: { changed: ['site'] } });
  });

  it('puts each problem beside its field and saves nothing', async () => {
    const view = (await call({ url: '/api/settings', ...as('technician') })).json as SettingsView;
    const before = readFileSync(join(dataDir, 'config.json'), 'utf8');
    const bad = await call({ method: 'PUT', url: '/api/settings', ...as('technician'), body: { ...bodyFrom(view), site: { name: 'X', timezone: 'Europe/Atlantis' } } });
    expect(bad.status).toBe(400);
    expect(bad.json.fields['site/timezone']).toMatch(/not a known IANA time zone/);
    const range = await call({ method: 'PUT', url: '/api/settings', ...as('technician'), body: { ...bodyFrom(view), sessions: { idleMinutes: 2, absoluteHours: 12 } } });
    expect(range.status).toBe(400);
    expect(Object.keys(range.json.fields)).toEqual(['sessions/idleMinutes']);
    const hook = await call({ method: 'PUT', url: '/api/settings', ...as('technician'), body: { ...bodyFrom(view), alerts: { contacts: [], email: null, webhook: { url: 'https://alerts.example.org/in' } } } });
    expect(hook.json.fields).toEqual({ 'alerts/webhook/secret': 'a new webhook needs its signing key' });
    expect(readFileSync(join(dataDir, 'config.json'), 'utf8')).toBe(before);
  });

  it('keeps secrets write-only: stored in files the configuration names, answered only as "set"', async () => {
    const view = (await call({ url: '/api/settings', ...as('technician') })).json as SettingsView;
    const body: SettingsBody = { ...bodyFrom(view), alerts: {
      contacts: [{ name: 'Sam Dsl', role: 'dsl', email: 'sam.dsl@stmary.example' }],
      email: { host: 'smtp.stmary.example', port: 587, security: 'starttls', username: 'gateway', from: 'gateway@stmary.example', password: 'Smtp-Secret-99' },
      webhook: { url: 'https://alerts.example.org/in', secret: 'hook-key-123' },
    } };
    const saved = await call({ method: 'PUT', url: '/api/settings', body, ...as('technician') });
    expect(saved.status, JSON.stringify(saved.json)).toBe(200);
    expect(saved.json.settings.alerts.email).toMatchObject({ host: 'smtp.stmary.example', password: 'set' });
    expect(saved.json.settings.alerts.webhook).toEqual({ url: 'https://alerts.example.org/in', secret: 'set' });
    const passwordFile = store.current.alerts!.email!.passwordFile!;
    expect(readFileSync(join(dataDir, passwordFile), 'utf8')).toBe('Smtp-Secret-99');
    expect(statSync(join(dataDir, passwordFile)).mode & 0o777).toBe(0o600);
    const text = JSON.stringify((await call({ url: '/api/settings', ...as('technician') })).json) + readFileSync(join(dataDir, 'config.json'), 'utf8')
      + JSON.stringify(t.state.audit.list({}));
    expect(text).not.toContain('Smtp-Secret-99');
    expect(text).not.toContain('hook-key-123');
    // Saved again without a password: the stored one stays. With a new one: the old file goes.
    const again = await call({ method: 'PUT', url: '/api/settings', ...as('technician'), body: { ...body, alerts: { ...body.alerts, email: { ...body.alerts.email!, password: undefined }, webhook: { url: 'https://alerts.example.org/in' } } } });
    expect(again.status, JSON.stringify(again.json)).toBe(200);
    expect(store.current.alerts!.email!.passwordFile).toBe(passwordFile);
    const replaced = await call({ method: 'PUT', url: '/api/settings', ...as('technician'), body: { ...body, alerts: { ...body.alerts, email: { ...body.alerts.email!, password: 'Newer-Secret-7' }, webhook: { url: 'https://alerts.example.org/in' } } } });
    expect(replaced.json.changed).toEqual(['alerts.email.password']);
    expect(existsSync(join(dataDir, passwordFile))).toBe(false);
    expect(readFileSync(join(dataDir, store.current.alerts!.email!.passwordFile!), 'utf8')).toBe('Newer-Secret-7');
  });
});

describe('the logo', () => {
  it('is recognised by its first bytes and refused over 256 KB or when it is not an image', () => {
    expect(logoType(PNG)).toBe('image/png');
    expect(logoType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe('image/jpeg');
    expect(logoType(SVG)).toBe('image/svg+xml');
    expect(logoType(Buffer.from('<!-- made by hand --><svg viewBox="0 0 1 1"></svg>'))).toBe('image/svg+xml');
    expect(() => logoType(Buffer.from('<html><svg></svg></html>'))).toThrow(LogoError);
    expect(() => logoType(Buffer.from('GIF89a'))).toThrow(/not a PNG, JPEG or SVG/);
    expect(() => logoType(Buffer.alloc(0))).toThrow(/empty/);
    expect(() => logoType(Buffer.concat([PNG, Buffer.alloc(MAX_LOGO_BYTES)]))).toThrow(/at most 256 KB/);
  });

  it('is uploaded with system.manage, served to anyone with a CSP that runs no script, and a refused file keeps the stored one', async () => {
    expect((await call({ method: 'PUT', url: '/api/settings/logo', body: { data: PNG.toString('base64') }, ...as('headteacher') })).status).toBe(403);
    expect((await call({ url: '/logo' })).status).toBe(404);
    const up = await call({ method: 'PUT', url: '/api/settings/logo', body: { data: SVG.toString('base64') }, ...as('technician') });
    expect(up.status, JSON.stringify(up.json)).toBe(200);
    expect(up.json).toEqual({ present: true, type: 'image/svg+xml', bytes: SVG.length });
    const served = await t.app.inject({ method: 'GET', url: '/logo', headers: { host: 'gateway.test' } });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/svg+xml');
    expect(served.headers['content-security-policy']).toMatch(/default-src 'none'.*sandbox/);
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.rawPayload.equals(SVG)).toBe(true);
    const refused = await call({ method: 'PUT', url: '/api/settings/logo', body: { data: Buffer.from('GIF89a....').toString('base64') }, ...as('technician') });
    expect(refused.status).toBe(400);
    expect(refused.json.fields.logo).toMatch(/not a PNG, JPEG or SVG/);
    expect((await t.app.inject({ method: 'GET', url: '/logo', headers: { host: 'gateway.test' } })).rawPayload.equals(SVG)).toBe(true);
    const png = await call({ method: 'PUT', url: '/api/settings/logo', body: { data: PNG.toString('base64') }, ...as('technician') });
    expect(png.json.type).toBe('image/png');
    expect(existsSync(join(dataDir, 'branding', 'logo.svg'))).toBe(false);
    expect(t.state.audit.list({}).filter((e) => e.action === 'settings.logo')).toHaveLength(2);
    const removed = await call({ method: 'DELETE', url: '/api/settings/logo', ...as('technician') });
    expect(removed.json).toEqual({ present: false });
  });
});
