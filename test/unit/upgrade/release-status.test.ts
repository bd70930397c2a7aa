// The status's release part: a checkout says it is one; an installed release says its version,
// arch and when it was switched to, and the history's newest attempt is the last upgrade.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readReleaseStatus } from '../../../firmware/upgrade/release-status.ts';
import { appendHistory } from '../../../firmware/upgrade/upgrade-files.ts';
import { VERSION } from '../../../firmware/version.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sg-release-status-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('calls a checkout a development checkout, with no upgrade yet', async () => {
  const checkout = join(dir, 'checkout');
  mkdirSync(checkout);
  const status = await readReleaseStatus({ dataDir: join(dir, 'data-none'), appRoot: checkout, installRoot: join(dir, 'opt') });
  expect(status).toEqual({ version: VERSION, arch: process.arch, installed: false, path: checkout, installedAt: null, lastUpgrade: null });
});

it('reads an installed release from its tree, installed when the history says it was switched to', async () => {
  const root = join(dir, 'opt');
  const tree = join(root, 'releases', '1.1.0');
  mkdirSync(tree, { recursive: true });
  writeFileSync(join(tree, 'VERSION'), JSON.stringify({ version: '1.1.0', arch: 'arm64', commit: 'c', builtAt: '2026-12-01T00:00:00.000Z' }));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);

  // The image's first release: no upgrade, so its folder's making is its installation.
  const first = await readReleaseStatus({ dataDir, appRoot: tree, installRoot: root });
  expect(first).toMatchObject({ version: '1.1.0', arch: 'arm64', installed: true, path: tree, lastUpgrade: null });
  expect(Date.parse(first.installedAt!)).toBeGreaterThan(Date.now() - 60_000);

  await appendHistory(dataDir, { id: 'a', at: '2026-12-07T10:00:00.000Z', by: 'ssh:lee', from: '1.0.0', to: '1.1.0', outcome: 'installed' });
  await appendHistory(dataDir, { id: 'b', at: '2026-12-08T10:00:00.000Z', by: 'account:lee.tech', from: '1.1.0', to: '1.2.0', outcome: 'rolled-back', reason: 'the new release failed its health check (dns: no DNS answer)', restored: true });
  const after = await readReleaseStatus({ dataDir, appRoot: tree, installRoot: root });
  expect(after).toMatchObject({ installed: true, installedAt: '2026-12-07T10:00:00.000Z', lastUpgrade: { to: '1.2.0', outcome: 'rolled-back', reason: expect.stringMatching(/health check/) } });
});
