// The AUP splash's settings through the admin API (fastify's inject, a real configuration store on
// disk): everyone with policy.view reads them, only policy.edit changes them and never without the
// CSRF token; a problem lands beside its field with nothing saved; a new version is reported so the
// page can say every device will be asked again; each change is audited under the account.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AupSettingsBody } from '../../../firmware/admin/api/aup-schema.ts';
import { aupSettingsField } from '../../../firmware/admin/aup-settings.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { ConfigStore } from '../../../firmware/config/store.ts';
import { testAdmin, type TestAdmin } from './admin-app.ts';
import { caller, roleSessions, type RoleSession } from './role-sessions.ts';

let t: TestAdmin;
let store: ConfigStore;
let dataDir: string;
let call: ReturnType<typeof caller>;
let s: Record<string, RoleSession>;
beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sg-aup-'));
  store = await ConfigStore.open(join(dataDir, 'config.json'), { createWith: defaultConfig });
  t = await testAdmin({ dataDir, config: { current: () => store.current, update: (change, written) => store.update(change, written) } });
  call = caller(t);
  s = await roleSessions(t, ['technician', 'staff', 'governor']);
});
afterEach(async () => {
  await t.close();
});

const as = (role: string) => ({ cookie: s[role]!.cookie, csrf: s[role]!.csrf });
const BODY: AupSettingsBody = { version: '2026-27', text: 'Use the network for school work.\n\nYour use is monitored.', splashOn: ['staff', 'pupil'] };

describe('the AUP splash settings API', () => {
  it('is read by every role with policy.view, changed only with policy.edit and the CSRF token, and audited', async () => {
    const tech = await call({ url: '/api/aup/settings', ...as('technician') });
    expect(tech.status).toBe(200);
    expect(tech.json.aup).toBeNull();
    expect(tech.json.editable).toBe(true);
    // Guest networks are not offered: visitors accept the portal's own terms.
    expect(tech.json.networks.map((n: { kind: string }) => n.kind)).not.toContain('guest');
    for (const role of ['headteacher', 'staff', 'governor']) {
      const r = await call({ url: '/api/aup/settings', ...as(role) });
      expect(r.status).toBe(200);
      expect(r.json.editable).toBe(false);
    }
    expect((await call({ url: '/api/aup/settings' })).status).toBe(401);

    expect((await call({ method: 'PUT', url: '/api/aup/settings', body: BODY, ...as('headteacher') })).status).toBe(403);
    expect((await call({ method: 'PUT', url: '/api/aup/settings', body: BODY, ...as('staff') })).status).toBe(403);
    expect((await call({ method: 'PUT', url: '/api/aup/settings', body: BODY, cookie: s.technician!.cookie })).status).toBe(403);
    expect(store.current.aup).toBeUndefined();

    const first = await call({ method: 'PUT', url: '/api/aup/settings', body: BODY, ...as('technician') });
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    expect(first.json).toMatchObject({ versionChanged: false, changed: ['version', 'text', 'splashOn'] });
    expect(store.current.aup).toEqual(BODY);
    const next = await call({ method: 'PUT', url: '/api/aup/settings', body: { ...BODY, version: '2027-28', pupilText: 'I will be kind online.' }, ...as('technician') });
    expect(next.json).toMatchObject({ versionChanged: true, changed: ['version', 'pupilText'], settings: { aup: { version: '2027-28', pupilText: 'I will be kind online.' } } });
    const audit = t.state.audit.list({}).filter((e) => e.action === 'aup.edit');
    expect(audit.map((e) => e.actor)).toEqual(['account:a.technician', 'account:a.technician']);
    expect(audit.map((e) => (e.details as { version: string }).version).sort()).toEqual(['2026-27', '2027-28']);
  });

  it('puts each problem beside its field and saves nothing', async () => {
    await call({ method: 'PUT', url: '/api/aup/settings', body: BODY, ...as('technician') });
    const before = readFileSync(join(dataDir, 'config.json'), 'utf8');
    const badVersion = await call({ method: 'PUT', url: '/api/aup/settings', body: { ...BODY, version: '2026/27' }, ...as('technician') });
    expect(badVersion.status).toBe(400);
    expect(badVersion.json.fields).toEqual({ version: 'use up to 32 letters, digits, dots, dashes and underscores (2026-27, not 2026/27)' });
    const empty = await call({ method: 'PUT', url: '/api/aup/settings', body: { ...BODY, version: ' ', text: ' \n' }, ...as('technician') });
    expect(empty.json).toMatchObject({ error: 'nothing was saved: 2 problems to put right first', fields: { version: 'give the version, for example 2026-27', text: 'write the acceptable use policy the splash shows' } });
    const guest = await call({ method: 'PUT', url: '/api/aup/settings', body: { ...BODY, splashOn: ['pupil', 'guest'] }, ...as('technician') });
    expect(guest.status).toBe(400);
    expect(guest.json.fields.splashOn).toMatch(/guest network/);
    const unknown = await call({ method: 'PUT', url: '/api/aup/settings', body: { ...BODY, splashOn: ['library'] }, ...as('technician') });
    expect(unknown.json.fields.splashOn).toMatch(/there is no network "library"/);
    expect(readFileSync(join(dataDir, 'config.json'), 'utf8')).toBe(before);
    expect(aupSettingsField('/aup/splashOn/3')).toBe('splashOn');
    expect(aupSettingsField('/networks/0/name')).toBeUndefined();
  });
});
