// System > Upgrade's API: a release file as the request body reaches the daemon's upgrade methods
// (the ones `schoolgate upgrade FILE` uses), is checked and shown before anything is requested,
// then confirmed; a file signed by an unknown key is refused with the CLI's words and not kept; a backup that
// cannot be made refuses the upgrade, and one made lands in the backups' list; only system.manage
// may upload.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { packRelease } from '../../../scripts/release/pack.ts';
import { storePassphrase } from '../../../firmware/backup/passphrase-file.ts';
import { startBackups, type Backups } from '../../../firmware/backup/wiring.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { ConfigStore } from '../../../firmware/config/store.ts';
import { ControlServer } from '../../../firmware/control/server.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { registerUpgradeMethods } from '../../../firmware/upgrade/upgrade-methods.ts';
import { testAdmin, type TestAdmin } from './admin-app.ts';
import { HOST, ORIGIN, roleSessions, type RoleSession } from './role-sessions.ts';

let t: TestAdmin;
let dir: string;
let sessions: Record<string, RoleSession>;
let backups: Backups;
const stops: (() => unknown)[] = [];
const trusted = generateKeyPairSync('ed25519');

async function releaseFile(name: string, version: string, key: KeyObject): Promise<Buffer> {
  const stage = join(dir, name);
  mkdirSync(stage, { recursive: true });
  writeFileSync(join(stage, 'VERSION'), JSON.stringify({ version, commit: 'test', arch: process.arch, builtAt: '2026-12-07T00:00:00.000Z' }));
  const out = join(dir, `${name}.sgrel`);
  await packRelease({ stageDir: stage, out, privateKey: key, compression: 'none', minFromVersion: '0.0.1', notes: 'Faster list reloads.' });
  return readFileSync(out);
}

const upload = (s: RoleSession, bytes: Buffer) => t.app.inject({
  method: 'POST', url: '/api/system/upgrade/upload', payload: bytes,
  headers: { host: HOST, origin: ORIGIN, cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/octet-stream' },
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'schoolgate-upgrade-api-'));
  const keysDir = join(dir, 'keys');
  mkdirSync(keysDir);
  writeFileSync(join(keysDir, 'release.pem'), trusted.publicKey.export({ type: 'spki', format: 'pem' }));
  const control = new ControlServer(silentLogger());
  t = await testAdmin({ control });
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  // The daemon's own wiring: the backup before the switch is backup.create's, named for the version.
  const config = await ConfigStore.open(join(dataDir, 'config.json'), { createWith: defaultConfig });
  backups = startBackups({
    control, config, configFile: join(dataDir, 'config.json'), state: t.state, dataDir, logger: silentLogger(),
    stops: { push: (stop) => stops.push(stop) }, scrypt: { N: 16_384, r: 8, p: 1 },
  });
  registerUpgradeMethods(control, {
    dataDir, audit: t.state.audit, logger: silentLogger(), installRoot: join(dir, 'opt'), keysDir,
    backupFirst: (version, actor, progress) => backups.create(undefined, actor, progress, { beforeUpgradeTo: version }),
  });
  sessions = await roleSessions(t, ['technician']);
});
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

it('refuses a release signed by a key the gateway does not trust, in the same words as the CLI', async () => {
  const tech = sessions.technician!;
  const refused = await upload(tech, await releaseFile('stranger', '99.1.0', generateKeyPairSync('ed25519').privateKey));
  expect(refused.statusCode).toBe(409);
  expect(refused.json()).toMatchObject({ code: 'release-untrusted-key', error: expect.stringMatching(/which this gateway does not trust/) });
  // The refused upload is gone: confirming it finds nothing.
  const confirm = (upload: string) => t.app.inject({
    method: 'POST', url: '/api/system/upgrade/confirm', payload: { upload },
    headers: { host: HOST, origin: ORIGIN, cookie: tech.cookie, 'x-csrf-token': tech.csrf },
  });
  expect(readdirSync(join(dir, 'data/upgrade/incoming'))).toEqual([]);
  const gone = await confirm('a'.repeat(32));
  expect(gone.statusCode).toBe(404);
  expect(gone.json()).toMatchObject({ code: 'unknown-upload' });
  expect((await confirm('../../config.json')).statusCode).toBe(400);
});

it('checks an uploaded release and shows it, then hands it to the switcher only when confirmed', async () => {
  const tech = sessions.technician!;
  const bytes = await releaseFile('good', '99.0.0', trusted.privateKey);
  const checked = await upload(tech, bytes);
  expect(checked.statusCode, checked.body).toBe(200);
  expect(checked.json()).toMatchObject({ requested: false, manifest: { version: '99.0.0', notes: 'Faster list reloads.' }, upload: expect.stringMatching(/^[0-9a-f]{32}$/) });
  expect(existsSync(join(dir, 'data/upgrade/request.json'))).toBe(false);

  const confirm = () => t.app.inject({
    method: 'POST', url: '/api/system/upgrade/confirm', payload: { upload: checked.json().upload },
    headers: { host: HOST, origin: ORIGIN, cookie: tech.cookie, 'x-csrf-token': tech.csrf },
  });
  // No passphrase stored, so no backup: the upgrade is refused, saying why, and nothing is handed over.
  const refused = await confirm();
  expect(refused.statusCode, refused.body).toBe(409);
  expect(refused.json()).toMatchObject({ code: 'backup-failed', error: expect.stringMatching(/^no backup could be made before upgrading to 99\.0\.0, so the upgrade was refused and nothing was switched: a backup is always encrypted and no passphrase was given/) });
  expect(existsSync(join(dir, 'data/upgrade/request.json'))).toBe(false);
  expect((await backups.list()).backups).toEqual([]);

  // With a passphrase, the same checked upload goes through, after a backup named for the upgrade.
  await storePassphrase(join(dir, 'data'), 'kept in the school safe');
  const confirmed = await confirm();
  expect(confirmed.statusCode, confirmed.body).toBe(200);
  expect(existsSync(join(dir, 'data/upgrade/request.json'))).toBe(true);
  const [backup, ...others] = (await backups.list()).backups;
  expect(others).toEqual([]);
  expect(backup).toMatchObject({ beforeUpgradeTo: '99.0.0', createdBy: `account:${tech.username}`, check: 'verified', ok: true, file: expect.stringMatching(/-before-upgrade-to-99\.0\.0\.sgexport$/) });
  expect(t.state.audit.list({ action: 'backup.*' }).map((e) => `${e.action} ${e.subject ?? ''}`)).toEqual(['backup.failed ', `backup.create ${backup!.file}`]);
  expect(confirmed.json()).toMatchObject({ requested: true, manifest: { version: '99.0.0' } });
  const view = await t.app.inject({ method: 'GET', url: '/api/system/upgrade', headers: { host: HOST, cookie: tech.cookie } });
  expect(view.json()).toMatchObject({ pending: { version: '99.0.0', by: `account:${tech.username}` }, history: [] });
  // The page names the person, not the actor: the account's display name rides beside it.
  const account = t.state.accounts.byUsername(tech.username)!;
  expect(view.json().names).toEqual({ [`account:${tech.username}`]: account.displayName });
  expect(t.state.audit.list({ action: 'upgrade.*' }).map((e) => `${e.action} ${e.subject} ${e.actor}`)).toEqual([
    `upgrade.refused untrusted-key account:${tech.username}`, `upgrade.refused backup-failed account:${tech.username}`, `upgrade.request 99.0.0 account:${tech.username}`,
  ]);
});

it('lets only system.manage upload or look', async () => {
  const dsl = sessions.dsl!;
  expect((await upload(dsl, Buffer.from('x'))).statusCode).toBe(403);
  expect((await t.app.inject({ method: 'GET', url: '/api/system/upgrade', headers: { host: HOST, cookie: dsl.cookie } })).statusCode).toBe(403);
});
