// The Backups page's API through the real admin app and the backup control methods: only
// system.manage lists, makes and downloads backups; a backup needs the stored passphrase (400 with
// the reason until one is set); one made is listed as verified and audited under the account; the
// download is the file byte for byte, audited, and names only a listed backup.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BackupCreated, BackupListResult, BackupListView } from '../../../firmware/admin/api/backups-schema.ts';
import { storePassphrase } from '../../../firmware/backup/passphrase-file.ts';
import { startBackups, type Backups } from '../../../firmware/backup/wiring.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { ConfigStore } from '../../../firmware/config/store.ts';
import { ControlServer } from '../../../firmware/control/server.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { testAdmin, type TestAdmin } from './admin-app.ts';
import { caller, HOST, roleSessions, type RoleSession } from './role-sessions.ts';

let t: TestAdmin;
let dataDir: string;
let sessions: Record<string, RoleSession>;
let backups: Backups;
const stops: (() => unknown)[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sg-backups-api-'));
  const control = new ControlServer(silentLogger());
  t = await testAdmin({ control });
  const config = await ConfigStore.open(join(dataDir, 'config.json'), { createWith: defaultConfig });
  backups = startBackups({
    control, config, configFile: join(dataDir, 'config.json'), state: t.state, dataDir, logger: silentLogger(),
    stops: { push: (stop) => stops.push(stop) }, now: () => t.clock.now, scrypt: { N: 16_384, r: 8, p: 1 },
  });
  sessions = await roleSessions(t, ['technician', 'governor']);
}, 60_000);

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await t?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('lists, makes and downloads backups for system.manage only, with the stored passphrase, auditing each', async () => {
  const call = caller(t);
  const tech = sessions.technician!;
  for (const role of ['governor', 'headteacher']) {
    const s = sessions[role]!;
    expect((await call({ url: '/api/backups', cookie: s.cookie })).status, role).toBe(403);
    expect((await call({ method: 'POST', url: '/api/backups', cookie: s.cookie, csrf: s.csrf, body: {} })).status, role).toBe(403);
  }
  expect((await call({ method: 'POST', url: '/api/backups', cookie: tech.cookie, body: {} })).status).toBe(403);

  const empty = await call({ url: '/api/backups', cookie: tech.cookie });
  expect(empty.status).toBe(200);
  expect(empty.json as BackupListResult).toMatchObject({ passphraseSet: false, keep: 7, backups: [] });
  const refused = await call({ method: 'POST', url: '/api/backups', cookie: tech.cookie, csrf: tech.csrf, body: {} });
  expect(refused.status).toBe(400);
  expect(JSON.stringify(refused.json)).toMatch(/always encrypted and no passphrase was given/);
  await backups.runScheduled();
  expect(((await call({ url: '/api/backups', cookie: tech.cookie })).json as BackupListResult).lastScheduled).toMatchObject({ ok: false, message: 'skipped: no backup passphrase is set' });

  await storePassphrase(dataDir, 'kept in the school safe');
  const made = await call({ method: 'POST', url: '/api/backups', cookie: tech.cookie, csrf: tech.csrf, body: {} });
  expect(made.status, JSON.stringify(made.json)).toBe(200);
  const entry = (made.json as BackupCreated).entry;
  expect(entry).toMatchObject({ ok: true, check: 'verified', encrypted: true });
  const listed = (await call({ url: '/api/backups', cookie: tech.cookie })).json as BackupListResult;
  expect(listed.passphraseSet).toBe(true);
  expect(listed.backups.map((b) => [b.file, b.check])).toEqual([[entry.file, 'verified']]);
  // Who made it, by name, for the page to show the person.
  expect((listed as BackupListView).names).toEqual({ [`account:${tech.username}`]: 'A technician' });
  expect(listed.lastScheduled).toMatchObject({ ok: false });
  expect(t.state.audit.list({ action: 'backup.create' }).map((a) => [a.actor, a.subject])).toEqual([[`account:${tech.username}`, entry.file]]);
  // The nightly run: the stored passphrase, recorded as the system's and shown on the page.
  t.clock.advance(60_000);
  await backups.runScheduled();
  const nightly = (await call({ url: '/api/backups', cookie: tech.cookie })).json as BackupListResult;
  expect(nightly.lastScheduled).toMatchObject({ ok: true, message: expect.stringMatching(/^made schoolgate-backup-/) });
  expect(nightly.backups).toHaveLength(2);
  expect(t.state.audit.list({ action: 'backup.create' }).map((a) => a.actor)).toEqual([`account:${tech.username}`, 'system:backup']);

  const download = await t.app.inject({ method: 'GET', url: `/api/backups/${entry.file}`, headers: { host: HOST, cookie: tech.cookie } });
  expect(download.statusCode).toBe(200);
  expect(download.headers['content-disposition']).toBe(`attachment; filename="${entry.file}"`);
  expect(download.rawPayload.equals(readFileSync(join(dataDir, 'backups', entry.file)))).toBe(true);
  expect(t.state.audit.list({ action: 'backup.download' }).map((a) => a.subject)).toEqual([entry.file]);
  expect((await call({ url: '/api/backups/schoolgate-backup-20200101T000000000Z-0.1.0.sgexport', cookie: tech.cookie })).status).toBe(404);
  expect((await call({ url: '/api/backups/..%2Fstate.db', cookie: tech.cookie })).status).toBe(400);
  expect((await call({ url: `/api/backups/${entry.file}`, cookie: sessions.governor!.cookie })).status).toBe(403);
  expect(t.state.audit.list({ action: 'backup.download' })).toHaveLength(1);
});
